"""How long things took: escalations to acknowledge and resolve, chaperone requests to fill,
referrals to answer — medians and 90th percentiles in minutes, shown only for 5 or more.

Durations are worked out by the database; reading thousands of timestamps into Python cost
more than the rest of the dashboard. On PostgreSQL the escalations' medians and percentiles
are too (``percentile_cont``, the same linear interpolation as :func:`quantile`), one row per
team; SQLite has no percentile aggregate, so there the minutes come back and Python does it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Float, and_, cast, func, select

from bot.features.console.filters import Filters
from bot.features.console.suppression import THRESHOLD, Cell, primary
from bot.machinery.storage.models import Base
from bot.org.policy import Policy


@dataclass
class Timing:
    """Times from start to an outcome, in minutes; shown only for 5 or more."""

    count: Cell
    median: float | None = None
    p90: float | None = None


@dataclass
class EscalationFigures:
    team: str
    started: Cell
    acknowledge: Timing
    resolve: Timing
    policy_wait_minutes: float


@dataclass(frozen=True)
class Summary:
    """One team's escalations in the range: how many, by whom (smallest and largest reporter
    id, for suppression), and for each outcome how many reached it with median and p90."""

    count: int
    low: int
    high: int
    acknowledged: tuple[int, float | None, float | None]
    resolved: tuple[int, float | None, float | None]


def minutes(start, end, dialect: str):
    """Minutes from one timestamp column to another (NULL while ``end`` is)."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", end - start), Float) / 60.0
    return (func.julianday(end) - func.julianday(start)) * 1440.0


def present(values: Iterable[float | None]) -> list[float]:
    """The durations that ended (a clock skew's negative read as zero)."""
    return [m if m > 0 else 0.0 for m in values if m is not None]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarised(n: int, median: float | None, p90: float | None) -> Timing:
    cell = primary((n, 0, 1))
    if not cell.shown or n < THRESHOLD or median is None or p90 is None:
        return Timing(cell)
    return Timing(cell, round(median, 1), round(p90, 1))


def timing(values: list[float]) -> Timing:
    if len(values) < THRESHOLD:
        return summarised(len(values), None, None)
    return summarised(len(values), quantile(values, 0.5), quantile(values, 0.9))


def _in_range(column, filters: Filters):
    return and_(column >= filters.start_at, column < filters.end_at)


def escalation_query(filters: Filters, dialect: str):
    escalations = Base.metadata.tables["escalations"]
    started = escalations.c.created_at
    acknowledge = minutes(started, escalations.c.acknowledged_at, dialect)
    resolve = minutes(started, escalations.c.resolved_at, dialect)
    where = (_in_range(started, filters), escalations.c.team_id.in_([t.id for t in filters.teams]))
    if dialect != "postgresql":
        return select(escalations.c.team_id, escalations.c.reporter_id, acknowledge, resolve).where(*where)

    def spread(duration):
        ended = func.greatest(duration, 0.0)
        return (func.count(duration), func.percentile_cont(0.5).within_group(ended),
                func.percentile_cont(0.9).within_group(ended))

    return (select(escalations.c.team_id, func.count(), func.min(escalations.c.reporter_id),
                   func.max(escalations.c.reporter_id), *spread(acknowledge), *spread(resolve))
            .where(*where).group_by(escalations.c.team_id))


def _summaries(rows, dialect: str) -> dict[int, Summary]:
    if dialect == "postgresql":
        return {team: Summary(n, low, high, (a_n, a_med, a_p90), (r_n, r_med, r_p90))
                for team, n, low, high, a_n, a_med, a_p90, r_n, r_med, r_p90 in rows}
    by_team: dict[int, list] = defaultdict(list)
    for row in rows:
        by_team[row[0]].append(row)
    found = {}
    for team, mine in by_team.items():
        reporters = [r[1] for r in mine]
        outcomes = []
        for column in (2, 3):
            ended = present(r[column] for r in mine)
            enough = len(ended) >= THRESHOLD
            outcomes.append((len(ended), quantile(ended, 0.5) if enough else None,
                             quantile(ended, 0.9) if enough else None))
        found[team] = Summary(len(mine), min(reporters), max(reporters), *outcomes)
    return found


def escalation_figures(rows, filters: Filters, dialect: str) -> list[EscalationFigures]:
    summaries = _summaries(rows, dialect)
    figures = []
    for team in filters.teams:
        mine = summaries.get(team.id, Summary(0, 0, 0, (0, None, None), (0, None, None)))
        started = primary((mine.count, mine.low, mine.high))
        hide = not started.shown
        figures.append(EscalationFigures(
            team=team.name, started=started,
            acknowledge=Timing(started) if hide else summarised(*mine.acknowledged),
            resolve=Timing(started) if hide else summarised(*mine.resolved),
            policy_wait_minutes=Policy.from_json(team.escalation_policy).wait_at(0).total_seconds() / 60,
        ))
    return figures

