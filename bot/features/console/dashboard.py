"""The dashboard's figures: reports by category, step and setting per week or month;
escalation, chaperone and referral outcomes; volunteers by site. Neutral data only — the web
adapter draws it.

Reports are counted for the author's *home team* (the first team, by name, they belong to as
a member — the team whose managers their escalations go to). Other features' tables are read
by name from the shared metadata, as a read model: the console never calls their code to count.
Periods are whole UTC weeks (from Monday) or calendar months, so a date range always covers
whole periods (a condition of the suppression rules in :mod:`.suppression`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, func, or_, select

from bot.content.taxonomy import Category, Setting, Step
from bot.features.console import rollup, timings
from bot.features.console.filters import Filters
from bot.features.console.reads import run_all
from bot.features.console.suppression import (
    EMPTY,
    Cell,
    Table,
    Tally,
    combined_table,
    merge,
)
from bot.features.console.timings import EscalationFigures, Timing
from bot.machinery.storage.models import Base, Person, Report, Team, TeamMember
from bot.machinery.storage.repos import Tx


def home_teams():
    """person_id → home team id, as a subquery."""
    ranked = (
        select(TeamMember.person_id, TeamMember.team_id,
               func.row_number().over(partition_by=TeamMember.person_id, order_by=(Team.name, Team.id)).label("rank"))
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.role == "member")
        .subquery()
    )
    return select(ranked.c.person_id, ranked.c.team_id).where(ranked.c.rank == 1).subquery("home")


def period_of(column, unit: str, dialect: str):
    """The start of the week (Monday) or month containing a UTC timestamp (its first ten
    characters are 'YYYY-MM-DD'). On PostgreSQL a plain timestamp: grouping on it is much
    cheaper than on formatted text."""
    if dialect == "postgresql":
        return func.date_trunc(unit, func.timezone("UTC", column))
    if unit == "month":
        return func.strftime("%Y-%m-01", column)
    return func.date(column, "weekday 0", "-6 days")


def period_starts(filters: Filters) -> list[str]:
    starts, day = [], filters.start
    while day < filters.end:
        starts.append(day.isoformat())
        day = filters.next_period(day)
    return starts


DIMENSIONS = {
    "category": ("What happened", Report.category, [(c.value, c.label) for c in Category]),
    "step": ("Step", Report.step, [(str(s.value), f"{s.value} — {s.label}") for s in Step]),
    "setting": ("Where", Report.setting, [(s.value, s.label) for s in Setting]),
}


@dataclass
class Dashboard:
    filters: Filters
    periods: list[str]
    reports: dict[str, Table] = field(default_factory=dict)  # dimension → table
    escalations: list[EscalationFigures] = field(default_factory=list)
    chaperone: Table | None = None
    chaperone_fill: Timing | None = None
    referrals: Table | None = None
    referral_answer: Timing | None = None
    volunteers: list[tuple[str, int]] = field(default_factory=list)


def _in_range(column, filters: Filters):
    return and_(column >= filters.start_at, column < filters.end_at)


def _constituents(filters: Filters) -> list[int | None]:
    ids: list[int | None] = [t.id for t in filters.teams]
    if filters.everyone:
        ids.append(None)  # people in no team count too, for an admin's whole organisation
    return ids


def _report_queries(ranges: list[tuple[date, date]], teams: list[int | None] | None, unit: str,
                    dialect: str) -> dict[str, object]:
    """One query per breakdown over some date ranges: constituent team, period, value → count,
    min and max author, for ``teams`` (None: every team, and people in none)."""
    home = home_teams()
    period = period_of(Report.created_at, unit, dialect)
    team = home.c.team_id
    where = [or_(*(and_(Report.created_at >= _at(first), Report.created_at < _at(end)) for first, end in ranges))]
    if teams is not None:
        named = [t for t in teams if t is not None]
        where.append(or_(team.in_(named), team.is_(None)) if None in teams else team.in_(named))
    return {
        name: select(team, period, column, func.count(), func.min(Report.author_id), func.max(Report.author_id))
        .select_from(Report)
        .outerjoin(home, home.c.person_id == Report.author_id)
        .where(*where)
        .group_by(team, period, column)
        for name, (_, column, _) in DIMENSIONS.items()
    }


def _at(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


async def _report_rows(tx: Tx, filters: Filters, periods: list[str]) -> dict[str, list]:
    dialect = tx.session.bind.dialect.name

    async def count(ranges: list[tuple[date, date]], teams: list[int | None] | None) -> dict[str, list]:
        return await run_all(tx, heavy=_report_queries(ranges, teams, filters.unit, dialect), light={})

    return await rollup.breakdowns(tx, filters.unit, periods, filters.next_period, _constituents(filters),
                                   filters.everyone, count, DIMENSIONS)


def _report_tallies(atoms: dict, filters: Filters) -> dict[object, dict[tuple[str, str], Tally]]:
    """Atomic tallies for each constituent: (period, value) → (count, min author, max author)."""
    return {c: atoms.get(c, {}) for c in _constituents(filters)}


async def build(tx: Tx, filters: Filters) -> Dashboard:
    dialect = tx.session.bind.dialect.name
    chaperones, referrals = Base.metadata.tables["chaperone_requests"], Base.metadata.tables["referrals"]
    queries = {}
    queries["escalations"] = timings.escalation_query(filters, dialect)
    queries["chaperone"] = _outcome_query(chaperones, "requester_id", filters, chaperones.c.status,
                                          timings.minutes(chaperones.c.created_at, chaperones.c.accepted_at, dialect))
    queries["referrals"] = _outcome_query(referrals, "referrer_id", filters, referrals.c.status, timings.minutes(
        referrals.c.offered_at, func.coalesce(referrals.c.accepted_at, referrals.c.declined_at), dialect))
    queries["volunteers"] = _volunteer_query()
    rows = await run_all(tx, heavy={}, light=queries)

    board = Dashboard(filters=filters, periods=period_starts(filters))
    breakdowns = await _report_rows(tx, filters, board.periods)
    for name, (_, _, values) in DIMENSIONS.items():
        board.reports[name] = combined_table(_report_tallies(breakdowns[name], filters), board.periods, values)
    board.escalations = timings.escalation_figures(rows["escalations"], filters, dialect)
    _chaperones(rows["chaperone"], filters, board)
    _referrals(rows["referrals"], filters, board)
    board.volunteers = _by_site(rows["volunteers"])
    return board


CHAPERONE_OUTCOMES = [("filled", "Filled"), ("unfilled", "Unfilled"), ("cancelled", "Cancelled"),
                      ("open", "Still open")]
REFERRAL_OUTCOMES = [("accepted", "Accepted"), ("declined", "Declined or returned"),
                     ("withdrawn", "Withdrawn"), ("waiting", "Waiting for an answer")]


def _chaperone_outcome(status: str, minutes_to_accept: float | None) -> str:
    if minutes_to_accept is not None or status in ("covered", "done"):
        return "filled"
    return status if status in ("unfilled", "cancelled") else "open"


def _referral_outcome(status: str) -> str:
    if status in ("accepted", "closed"):
        return "accepted"
    if status in ("declined", "returned"):
        return "declined"
    return "withdrawn" if status == "withdrawn" else "waiting"


def _outcome_query(table, person: str, filters: Filters, status, minutes):
    """Per request or referral: constituent team, person, status, minutes to the outcome."""
    home = home_teams()
    person_column = table.c[person]
    query = (
        select(home.c.team_id, person_column, status, minutes)
        .select_from(table)
        .outerjoin(home, home.c.person_id == person_column)
        .where(_in_range(table.c.created_at, filters))
    )
    if not filters.everyone:
        query = query.where(home.c.team_id.in_([t.id for t in filters.teams]))
    return query


def _outcome_table(rows, outcomes, filters: Filters) -> Table:
    atoms: dict[object, dict[tuple[str, str], Tally]] = {c: {} for c in _constituents(filters)}
    for team_id, person_id, outcome in rows:
        if team_id in atoms:
            key = ("all", outcome)
            atoms[team_id][key] = merge(atoms[team_id].get(key, EMPTY), (1, person_id, person_id))
    return combined_table(atoms, ["all"], outcomes)


def _chaperones(rows, filters: Filters, board: Dashboard) -> None:
    board.chaperone = _outcome_table(
        [(t, p, _chaperone_outcome(s, m)) for t, p, s, m in rows], CHAPERONE_OUTCOMES, filters)
    board.chaperone_fill = timings.timing(timings.present(m for *_, m in rows))


def _referrals(rows, filters: Filters, board: Dashboard) -> None:
    board.referrals = _outcome_table([(t, p, _referral_outcome(s)) for t, p, s, _ in rows],
                                     REFERRAL_OUTCOMES, filters)
    board.referral_answer = timings.timing(timings.present(m for *_, m in rows))


def _volunteer_query():
    profiles = Base.metadata.tables["volunteer_profiles"]
    return (
        select(profiles.c.sites)
        .join(Person, Person.id == profiles.c.person_id)
        .where(profiles.c.active.is_(True), Person.active.is_(True), Person.is_volunteer.is_(True))
    )


def _by_site(rows) -> list[tuple[str, int]]:
    """Volunteers currently opted in, per site ("Any site" for those who go anywhere)."""
    counts: dict[str, int] = defaultdict(int)
    for (sites,) in rows:
        for site in sites or ["Any site"]:
            counts[str(site)] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def shown(number: int) -> Cell:
    """A figure that is not about reporters (volunteers), shown as it is."""
    return Cell(number, True)
