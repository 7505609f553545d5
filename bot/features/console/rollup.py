"""The dashboard's report breakdowns, kept per period so a year of the whole organisation is
read from a few thousand rows instead of counted from every report each time.

For each week and month, each constituent team (0: people in no team) and each breakdown
(category, step, setting) the roll-up holds the atomic tally the suppression rules need:
count, smallest and largest author id. A period's rows are trusted only while nothing they
were built from has moved:

- the organisation's membership version (teams and memberships decide whose home team a
  report counts for: :mod:`bot.machinery.storage.orgcache`; everyday changes to people from
  the directory leave it alone), and
- the change counters of the period's days (:mod:`bot.machinery.storage.report_changes`:
  every new, edited or removed report moves its day's counter).

Anything else is counted again from the reports, for every team at once (so any later filter
can use it), and stored. The version and counters are read *before* counting: a change that
lands while counting moves them on, so the stored rows are counted again next time rather
than trusted. Storing is best effort: two pages counting the same period at once store the
same rows in turn (the write lock on PostgreSQL is an advisory one held to commit).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from datetime import date

from sqlalchemy import Index, Integer, String, Text, delete, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, Organisation
from bot.machinery.storage.report_changes import EVERY_DAY, generations
from bot.machinery.storage.repos import Tx

log = logging.getLogger(__name__)
NO_TEAM = 0
_WRITE_LOCK = text("SELECT pg_advisory_xact_lock(72010217)")  # any fixed number, used only here


class RollupPeriod(Base):
    """One period's roll-up and what it was built from."""

    __tablename__ = "dashboard_rollup_periods"

    unit: Mapped[str] = mapped_column(String(5), primary_key=True)  # week | month
    period: Mapped[str] = mapped_column(String(10), primary_key=True)  # its first day, "2026-01-05"
    org_version: Mapped[int] = mapped_column(Integer)  # organisation.membership_version
    changes: Mapped[int] = mapped_column(Integer)  # sum of its days' change counters, and "*"


class RollupCell(Base):
    """One period's tallies for one constituent team and breakdown: a JSON object of value →
    [count, smallest author id, largest author id] (one row per breakdown, not per value: a
    year of the organisation reads back as ~800 rows instead of ~6,000)."""

    __tablename__ = "dashboard_rollup_cells"
    __table_args__ = (Index("ix_dashboard_rollup_cells_unit_period", "unit", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(5))
    period: Mapped[str] = mapped_column(String(10))
    team_id: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(16))
    tallies: Mapped[str] = mapped_column(Text)


Tally = tuple[int, int, int]  # count, smallest author id, largest author id
# Breakdown → constituent team (None: people in no team) → (period, value) → tally.
Atoms = dict[str, dict[int | None, dict[tuple[str, str], Tally]]]


def _runs(periods: list[str], next_period: Callable[[date], date]) -> list[tuple[date, date]]:
    """Consecutive periods joined into date ranges, so counting them scans each range once."""
    runs: list[tuple[date, date]] = []
    for period in periods:
        first = date.fromisoformat(period)
        if runs and runs[-1][1] == first:
            runs[-1] = (runs[-1][0], next_period(first))
        else:
            runs.append((first, next_period(first)))
    return runs


def _period_changes(periods: list[str], unit_end: Callable[[date], date], marks: dict[str, int]) -> dict[str, int]:
    every = marks.get(EVERY_DAY, 0)
    totals = {}
    for period in periods:
        first, end = date.fromisoformat(period), unit_end(date.fromisoformat(period))
        totals[period] = every + sum(g for day, g in marks.items()
                                     if day != EVERY_DAY and first.isoformat() <= day < end.isoformat())
    return totals


Count = Callable[[list[tuple[date, date]], list[int | None] | None], Awaitable[dict]]


async def breakdowns(tx: Tx, unit: str, periods: list[str], next_period: Callable[[date], date],
                     teams: list[int | None], everyone: bool, count: Count,
                     dimensions: Iterable[str]) -> Atoms:
    """Each breakdown's rows over ``periods`` for ``teams`` (None in it: people in no team),
    from the roll-up where it is current and counted afresh where it is not (``count``: date
    ranges and teams, or None for every team → rows by breakdown name).

    A view of ``everyone`` counts every team and keeps the result. A view of a few teams
    counts only theirs and keeps nothing: counting every team for one team's first look
    would cost it many times what it needs (one team over 52 weeks: 90 ms alone, 1.4 s for
    all)."""
    session = tx.session
    if not periods:
        return {name: {} for name in dimensions}
    version = (await session.execute(
        select(Organisation.membership_version).where(Organisation.id == 1))).scalar() or 0
    first, end = date.fromisoformat(periods[0]), next_period(date.fromisoformat(periods[-1]))
    changes = _period_changes(periods, next_period, await generations(session, first, end))
    built = {p: (v, c) for p, v, c in (await session.execute(
        select(RollupPeriod.period, RollupPeriod.org_version, RollupPeriod.changes)
        .where(RollupPeriod.unit == unit, RollupPeriod.period >= periods[0], RollupPeriod.period <= periods[-1])
    )).all()}
    current = [p for p in periods if built.get(p) == (version, changes[p])]
    stale = [p for p in periods if p not in set(current)]

    found: Atoms = {name: defaultdict(dict) for name in dimensions}
    if current:
        query = select(RollupCell.dimension, RollupCell.team_id, RollupCell.period, RollupCell.tallies).where(
            RollupCell.unit == unit, RollupCell.period.in_(current))
        if not everyone:
            query = query.where(RollupCell.team_id.in_([t or NO_TEAM for t in teams]))
        for dimension, team, period, tallies in (await (await session.connection()).execute(query)).all():
            atoms = found[dimension][team or None]
            for value, (n, low, high) in json.loads(tallies).items():
                atoms[(period, value)] = (n, low, high)
    if stale:
        counted = await count(_runs(stale, next_period), None if everyone else teams)
        kept: dict[tuple[str, int, str], dict[str, list[int]]] = defaultdict(dict)
        for dimension, rows in counted.items():
            for team, when, value, n, low, high in rows:
                period, value = str(when)[:10], str(value)
                found[dimension][team][(period, value)] = (n, low, high)
                kept[(period, team or NO_TEAM, dimension)][value] = [n, low, high]
        if everyone:
            await _store(tx, unit, stale, version, changes, [
                {"unit": unit, "period": period, "team_id": team, "dimension": dimension, "tallies": json.dumps(values)}
                for (period, team, dimension), values in kept.items()])
    return found


async def _store(tx: Tx, unit: str, periods: list[str], version: int, changes: dict[str, int],
                 cells: list[dict]) -> None:
    session = tx.session
    if session.bind.dialect.name == "postgresql":
        await session.execute(_WRITE_LOCK)
    try:
        async with tx.savepoint():
            await session.execute(delete(RollupCell).where(RollupCell.unit == unit, RollupCell.period.in_(periods)))
            await session.execute(delete(RollupPeriod).where(RollupPeriod.unit == unit,
                                                             RollupPeriod.period.in_(periods)))
            if cells:
                await session.execute(insert(RollupCell), cells)
            await session.execute(insert(RollupPeriod), [
                {"unit": unit, "period": p, "org_version": version, "changes": changes[p]} for p in periods])
    except SQLAlchemyError as error:
        # The figures were counted and are shown; only keeping them failed (the next look counts again).
        log.warning("dashboard roll-up not stored", extra={"error": type(error).__name__})

