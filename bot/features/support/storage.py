"""The support feature's tables: the peer supporters (from the organisation file), requests
for a conversation, the offers sent to supporters, and the check-ins clinicians set for
themselves. Nothing here is read by any manager's, console or export path except
:func:`bot.features.support.counts.counts`, which returns suppressed numbers only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime
from bot.machinery.storage.repos import Tx


class PeerSupporter(Base):
    """A trained peer supporter named in the organisation file (``peer_support.supporters``)."""

    __tablename__ = "peer_supporters"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    team_keys: Mapped[list[str]] = mapped_column(JSON, default=list)  # whose members (empty: anyone)
    sites: Mapped[list[str]] = mapped_column(JSON, default=list)  # where they can meet (empty: anywhere)
    windows: Mapped[list[dict]] = mapped_column(JSON, default=list)  # when they take requests
    timezone: Mapped[str] = mapped_column(String(64))


class SupportRequest(Base):
    """A clinician asking for a confidential conversation. What they chose to share is sealed."""

    __tablename__ = "support_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # open | accepted | done | cancelled | unfilled
    status: Mapped[str] = mapped_column(String(16), default="open")
    how: Mapped[str] = mapped_column(String(16))  # chat | phone | video | in_person
    soon: Mapped[str] = mapped_column(String(16))  # today | few_days | this_week
    site: Mapped[str | None] = mapped_column(String(120))
    phone_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # the clinician's own number, if they gave it
    shared_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # the words they chose to share
    kind_shared: Mapped[str | None] = mapped_column(String(32))  # the kind of situation, if they chose to say
    supporter_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wave: Mapped[int] = mapped_column(Integer, default=0)
    widened: Mapped[bool] = mapped_column(Boolean, default=False)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SupportOffer(Base):
    """A supporter asked privately, and what became of it."""

    __tablename__ = "support_offers"
    __table_args__ = (UniqueConstraint("request_id", "supporter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id", ondelete="CASCADE"), index=True)
    supporter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    wave: Mapped[int] = mapped_column(Integer)
    notification_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="offered")  # offered|accepted|covered|declined|cancelled
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckIn(Base):
    """A clinician asked to be asked how they are doing. The answer is not kept."""

    __tablename__ = "support_check_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="set")  # set | sent | answered | stopped
    asked: Mapped[int] = mapped_column(Integer, default=0)  # how many times it has asked so far
    generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# --- timers ---------------------------------------------------------------------------------

WAVE, WIDEN, GIVE_UP, CHECK_IN = "support.wave", "support.widen", "support.give_up", "support.check_in"


async def schedule(tx: Tx, request: SupportRequest, kind: str, due: datetime, now: datetime, tag: str = "") -> None:
    """A timer for this request's current generation; a later change makes it stale."""
    await tx.timers.schedule(f"sup:{request.id}:{kind}:{request.generation}{tag}", kind, "support", request.id,
                             due, now, payload={"request_id": request.id, "generation": request.generation})


async def live_check_in(tx: Tx, person_id: int) -> CheckIn | None:
    return await tx.session.scalar(select(CheckIn).where(CheckIn.person_id == person_id,
                                                         CheckIn.status.in_(("set", "sent")))
                                   .order_by(CheckIn.id.desc()).limit(1))


async def open_requests_of(tx: Tx, person_id: int) -> list[SupportRequest]:
    """This person's live requests, and the conversations they have taken on as a supporter."""
    return list((await tx.session.scalars(select(SupportRequest).where(
        (SupportRequest.requester_id == person_id) | (SupportRequest.supporter_id == person_id),
        SupportRequest.status.in_(("open", "accepted"))).order_by(SupportRequest.id))).all())
