"""Small-number suppression for the dashboard: no figure may single out a reporter, alone or
by subtracting one shown figure from another.

The tables are built from *atomic* tallies — one per team, period and value — each holding a
count and the smallest and largest person id counted (so "at least two different people" can
be rolled up without fetching anyone). The rules:

1. **Primary.** A cell is shown only if it counts at least 5 and at least two different
   people; otherwise it reads "fewer than 5" (or "hidden" when it is 5 or more, but from one
   person). Zero is shown: it points at nobody.
2. **Complementary, within a row.** A period's total is shown with its cells; if exactly one
   cell of the row is suppressed, it could be worked out by subtraction, so the smallest
   other non-zero cell is hidden too (or, failing that, the total).
3. **Across the date range.** A value's total over the range is shown only if every period's
   cell for it is shown (or zero): otherwise two ranges that differ by one period would give
   the suppressed cell away. The grand total likewise needs every period total shown.
4. **Across teams.** A figure for several teams together is shown only if the same figure is
   shown (or zero) for each team on its own, so "all my teams" minus "team A" never reveals
   team B's suppressed figure.

Every shown number is then a sum of shown numbers: subtracting shown figures can only give
figures that are already shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.features.console.wording import FEWER_THAN_5, HIDDEN

THRESHOLD = 5
Tally = tuple[int, int, int]  # count, smallest person id, largest person id
EMPTY: Tally = (0, 0, 0)


def merge(a: Tally, b: Tally) -> Tally:
    if not a[0]:
        return b
    if not b[0]:
        return a
    return a[0] + b[0], min(a[1], b[1]), max(a[2], b[2])


def merged(tallies: Iterable[Tally]) -> Tally:
    count, low, high = 0, 0, 0
    for n, a, b in tallies:
        if n:
            if not count or a < low:
                low = a
            if b > high:
                high = b
            count += n
    return (count, low, high) if count else EMPTY


@dataclass(slots=True)
class Cell:
    count: int
    shown: bool
    why: str = ""  # "" when shown; otherwise "small" or "hidden"

    @property
    def label(self) -> str:
        if self.shown:
            return str(self.count)
        return FEWER_THAN_5 if self.why == "small" else HIDDEN

    @property
    def value(self) -> int | None:
        """The number, for exports and charts; None when suppressed."""
        return self.count if self.shown else None

    def hide(self) -> None:
        self.shown, self.why = False, self.why or "hidden"


def primary(tally: Tally) -> Cell:
    count, low, high = tally
    if count == 0:
        return Cell(0, True)
    if count < THRESHOLD:
        return Cell(count, False, "small")
    if low == high:
        return Cell(count, False, "hidden")
    return Cell(count, True)


@dataclass
class Table:
    """Periods down, values across, with each period's total and each value's total."""

    periods: list[str]
    values: list[tuple[str, str]]  # (key, label)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    row_totals: dict[str, Cell] = field(default_factory=dict)
    column_totals: dict[str, Cell] = field(default_factory=dict)
    total: Cell = field(default_factory=lambda: Cell(0, True))

    def cell(self, period: str, value: str) -> Cell:
        return self.cells[(period, value)]


def single_team_table(atoms: dict[tuple[str, str], Tally], periods: Sequence[str],
                      values: Sequence[tuple[str, str]]) -> Table:
    """One team's (or one constituent's) table, with rules 1-3."""
    table = Table(list(periods), list(values))
    keys = [v for v, _ in values]
    for p in periods:
        row = [atoms.get((p, v), EMPTY) for v in keys]
        for v, tally in zip(keys, row, strict=True):
            table.cells[(p, v)] = primary(tally)
        table.row_totals[p] = primary(merged(row))
    _complement_rows(table)
    _range_totals(table, atoms)
    return table


def combined_table(per_team: dict[object, dict[tuple[str, str], Tally]], periods: Sequence[str],
                   values: Sequence[tuple[str, str]]) -> Table:
    """Several teams together (rule 4 on top of 1-3). ``per_team`` maps each constituent
    (a team id, or None for people in no team) to its atomic tallies."""
    if len(per_team) == 1:
        return single_team_table(next(iter(per_team.values())), periods, values)
    # A constituent with nothing in it shows zeros everywhere, and zeros are shown: it cannot
    # hide anything, so it needs no table of its own.
    singles = [single_team_table(atoms, periods, values) for atoms in per_team.values() if atoms]
    atoms: dict[tuple[str, str], Tally] = {}
    for team_atoms in per_team.values():
        for key, tally in team_atoms.items():
            atoms[key] = merge(atoms.get(key, EMPTY), tally)
    table = Table(list(periods), list(values))
    for p in periods:
        for v, _ in values:
            cell = primary(atoms.get((p, v), EMPTY))
            if cell.shown and cell.count and not all(s.cell(p, v).shown for s in singles):
                cell.hide()
            table.cells[(p, v)] = cell
        total = primary(merged(atoms.get((p, v), EMPTY) for v, _ in values))
        if total.shown and total.count and not all(s.row_totals[p].shown for s in singles):
            total.hide()
        table.row_totals[p] = total
    _complement_rows(table)
    _range_totals(table, atoms)
    for v, _ in values:
        column = table.column_totals[v]
        if column.shown and column.count and not all(s.column_totals[v].shown for s in singles):
            column.hide()
    if table.total.shown and table.total.count and not all(s.total.shown for s in singles):
        table.total.hide()
    return table


def _complement_rows(table: Table) -> None:
    for p in table.periods:
        total = table.row_totals[p]
        row = [table.cells[(p, v)] for v, _ in table.values]
        while total.shown:
            suppressed = [c for c in row if not c.shown]
            if len(suppressed) != 1:
                break
            others = sorted((c for c in row if c.shown and c.count), key=lambda c: c.count)
            if others:
                others[0].hide()
            else:
                total.hide()


def _range_totals(table: Table, atoms: dict[tuple[str, str], Tally]) -> None:
    for v, _ in table.values:
        cell = primary(merged(atoms.get((p, v), EMPTY) for p in table.periods))
        if cell.shown and not all(table.cells[(p, v)].shown for p in table.periods):
            cell.hide()
        table.column_totals[v] = cell
    grand = primary(merged(atoms.values()) if atoms else EMPTY)
    if grand.shown and not all(table.row_totals[p].shown for p in table.periods):
        grand.hide()
    table.total = grand
