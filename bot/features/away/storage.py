"""The away feature's tables: periods away from chat (with who stands in) and standing deputies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime
from bot.machinery.storage.repos import Tx


class AwayPeriod(Base):
    """Someone away from chat between two moments; ``deputy_id`` stands in (None: their
    standing deputy at the time, if the organisation file names one)."""

    __tablename__ = "away_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))  # chat | console
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StandingDeputy(Base):
    """The organisation file's ``deputy:`` for a person: who stands in whenever they are away."""

    __tablename__ = "standing_deputies"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))


async def current_or_next(tx: Tx, person_id: int, now: datetime) -> AwayPeriod | None:
    """The period this person is away now, or else their next one."""
    return await tx.session.scalar(
        select(AwayPeriod).where(AwayPeriod.person_id == person_id, AwayPeriod.ends_at > now)
        .order_by(AwayPeriod.starts_at).limit(1))


async def away_at(tx: Tx, person_id: int, now: datetime) -> AwayPeriod | None:
    return await tx.session.scalar(
        select(AwayPeriod).where(AwayPeriod.person_id == person_id, AwayPeriod.starts_at <= now,
                                 AwayPeriod.ends_at > now).order_by(AwayPeriod.id.desc()).limit(1))


async def standing_deputy(tx: Tx, person_id: int) -> int | None:
    row = await tx.session.get(StandingDeputy, person_id)
    return row.deputy_id if row else None


async def standing_in_for(tx: Tx, deputy_id: int, now: datetime) -> list[AwayPeriod]:
    """Periods, now or to come, in which this person was named to stand in."""
    standing_for = select(StandingDeputy.person_id).where(StandingDeputy.deputy_id == deputy_id)
    return list((await tx.session.scalars(
        select(AwayPeriod).where(
            (AwayPeriod.deputy_id == deputy_id)
            | (AwayPeriod.deputy_id.is_(None) & AwayPeriod.person_id.in_(standing_for)),
            AwayPeriod.ends_at > now)
        .order_by(AwayPeriod.starts_at))).all())
