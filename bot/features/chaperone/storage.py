"""The chaperone feature's tables (requests and the offers sent to volunteers), its queries,
and the timers a request sets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime
from bot.machinery.storage.repos import Tx


class ChaperoneRequest(Base):
    __tablename__ = "chaperone_requests"
    __table_args__ = (Index("ix_chaperone_requests_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    setting: Mapped[str] = mapped_column(String(16))  # in_person | telehealth | home_visit
    site: Mapped[str | None] = mapped_column(String(120))
    room: Mapped[str | None] = mapped_column(String(120))
    join_link_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # only the chaperone sees it
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # open | covered | cancelled | unfilled | done
    status: Mapped[str] = mapped_column(String(16), default="open")
    chaperone_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wave: Mapped[int] = mapped_column(Integer, default=0)
    widened: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(16))  # observed | did_not_happen
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChaperoneOffer(Base):
    """A volunteer asked to cover a request, and what became of it."""

    __tablename__ = "chaperone_offers"
    __table_args__ = (UniqueConstraint("request_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("chaperone_requests.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    wave: Mapped[int] = mapped_column(Integer)
    notification_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="offered")  # offered|accepted|declined|covered|withdrawn|cancelled
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- queries and timers ---------------------------------------------------------------------

# The timers a request sets, by kind.
WAVE, DEADLINE, ESCALATE, EXPIRE, REMIND, FOLLOW_UP = (
    "chaperone.wave", "chaperone.deadline", "chaperone.escalate", "chaperone.expire", "chaperone.remind",
    "chaperone.follow_up",
)


async def offers_for(tx: Tx, request_id: int) -> list[ChaperoneOffer]:
    """Every offer made for a request, in the order they were made."""
    return list((await tx.session.scalars(
        select(ChaperoneOffer).where(ChaperoneOffer.request_id == request_id).order_by(ChaperoneOffer.id)
    )).all())


async def schedule(tx: Tx, request: ChaperoneRequest, kind: str, due: datetime, now: datetime, tag: str = "") -> None:
    """Set a timer for this request's current generation; a later change makes it stale."""
    await tx.timers.schedule(
        f"chap:{request.id}:{kind}:{request.generation}{tag}", kind, "chaperone", request.id, due, now,
        payload={"request_id": request.id, "generation": request.generation},
    )
