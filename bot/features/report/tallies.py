"""Count-only reports: a tally per month, team, category, step and setting, and nothing else.

No row per report (a row's id or position could tell when it was made), no person, no time
finer than the month: the count goes up by one.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base
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
