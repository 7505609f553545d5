"""Count-only reports: a tally per month, team, category, step and setting, and nothing else.

No row per report (a row's id or position could tell when it was made), no person, no time
finer than the month: the count goes up by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, UniqueConstraint, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, Report, Team, TeamMember
from bot.machinery.storage.repos import Tx

NO_TEAM = 0


class ReportTally(Base):
    __tablename__ = "report_tallies"
    __table_args__ = (UniqueConstraint("month", "team_id", "category", "step", "setting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # "2026-01", in the organisation's time zone
    team_id: Mapped[int] = mapped_column(Integer, default=NO_TEAM)  # 0: not in a team
    category: Mapped[str] = mapped_column(String(32))
    step: Mapped[int] = mapped_column(Integer)
    setting: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer, default=0)


async def count_one(tx: Tx, month: str, team_id: int | None, category: str, step: int, setting: str) -> None:
    dialect = postgresql if tx.session.get_bind().dialect.name == "postgresql" else sqlite
    table = ReportTally.__table__
    statement = dialect.insert(table).values(
        month=month, team_id=team_id or NO_TEAM, category=category, step=step, setting=setting, count=1,
    )
    await tx.session.execute(statement.on_conflict_do_update(
        index_elements=["month", "team_id", "category", "step", "setting"],
        set_={"count": table.c.count + 1},
    ))


async def forget_before(tx: Tx, month: str) -> int:
    """Tallies for months before ``month`` ("2026-01"), past the report metadata's retention."""
    result = await tx.session.execute(delete(ReportTally).where(ReportTally.month < month))
    return result.rowcount or 0


@dataclass(frozen=True)
class TrendRow:
    """Reports in one month, team and category. A count below the suppression threshold is
    None (shown as "fewer than 5"), so no reporter can be singled out."""

    month: str
    team_id: int | None  # None: reporters in no team
    category: str
    named: int | None
    count_only: int | None
    total: int | None


async def trends(tx: Tx, first_month: str, last_month: str, *, suppress_below: int = 5) -> list[TrendRow]:
    """Named and count-only reports per month (organisation time), team and category, from
    ``first_month`` to ``last_month`` inclusive ("2026-01"). Named reports count for the
    author's home team."""
    org = await tx.org.get()
    zone = ZoneInfo(org.timezone if org and org.timezone else "UTC")
    start = datetime.strptime(first_month, "%Y-%m").replace(tzinfo=zone) - timedelta(days=1)
    end = (datetime.strptime(last_month, "%Y-%m").replace(tzinfo=zone) + timedelta(days=32))
    cells: dict[tuple[str, int | None, str], list[int]] = {}
    homes = await _home_teams(tx)
    rows = await tx.session.execute(select(Report.created_at, Report.category, Report.author_id).where(
        Report.created_at >= start.astimezone(UTC), Report.created_at < end.astimezone(UTC)))
    for created_at, category, author_id in rows.all():
        month = created_at.astimezone(zone).strftime("%Y-%m")
        if first_month <= month <= last_month:
            cells.setdefault((month, homes.get(author_id), category), [0, 0])[0] += 1
    tallies = await tx.session.execute(
        select(ReportTally.month, ReportTally.team_id, ReportTally.category, func.sum(ReportTally.count))
        .where(ReportTally.month >= first_month, ReportTally.month <= last_month)
        .group_by(ReportTally.month, ReportTally.team_id, ReportTally.category))
    for month, team_id, category, count in tallies.all():
        cells.setdefault((month, team_id or None, category), [0, 0])[1] += int(count)

    def shown(n: int) -> int | None:
        return n if n == 0 or n >= suppress_below else None

    return [TrendRow(month, team, category, shown(named), shown(counted), shown(named + counted))
            for (month, team, category), (named, counted) in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2]))]


async def _home_teams(tx: Tx) -> dict[int, int]:
    """Person → the team they belong to as a member, first by name (as People.home_team)."""
    rows = await tx.session.execute(
        select(TeamMember.person_id, Team.id).join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.role == "member").order_by(Team.name))
    homes: dict[int, int] = {}
    for person_id, team_id in rows.all():
        homes.setdefault(person_id, team_id)
    return homes
