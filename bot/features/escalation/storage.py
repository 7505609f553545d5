"""The escalation feature's tables."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, Person, UTCDateTime
from bot.machinery.storage.repos import Tx


class Escalation(Base):
    """A report (or, later, an unfilled request) climbing a team's ladder of managers."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # safety | requested | chaperone | referral
    # For escalations not about a report: what they are about, and a one-line summary of
    # metadata (never free text) for the notice, e.g. "Chaperone request C-4 is unfilled".
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")  # waiting|open|acknowledged|resolved|cancelled
    level: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)  # repeats of the last level so far
    # Bumped on every change; a timer made for an older generation is stale and does nothing.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolution_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the resolver chose to tell the reporter (shown to them in a private view).
    reporter_note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Urgent escalations never wait for working hours (safety ones never do, whatever this says).
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How many times its reminder has been snoozed (see SNOOZE_LIMIT).
    snoozes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class EscalationNotice(Base):
    """A notice sent about an escalation, so every copy can be updated in place."""

    __tablename__ = "escalation_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    notification_key: Mapped[str] = mapped_column(String(255), unique=True)
    level: Mapped[int] = mapped_column(Integer)
    # The person this one stands in for (they were away), if any.
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


# --- queries --------------------------------------------------------------------------------

OVERDUE_AFTER = timedelta(minutes=1)
LIVE = ("waiting", "open", "acknowledged")  # waiting: for the team's working hours, nobody told yet


async def current_for_report(tx: Tx, report_id: int) -> Escalation | None:
    return await tx.session.scalar(
        select(Escalation)
        .where(Escalation.report_id == report_id)
        .order_by(Escalation.id.desc())
        .limit(1)
    )


async def overdue(tx: Tx, now: datetime) -> list[Escalation]:
    """Live escalations whose next step should have happened over a minute ago."""
    return list((await tx.session.scalars(
        select(Escalation).where(
            Escalation.status.in_(LIVE),
            Escalation.next_action_at < now - OVERDUE_AFTER,
        )
    )).all())


async def for_handler(tx: Tx, person: Person) -> list[Escalation]:
    """Live escalations this person has been sent a notice about."""
    return list((await tx.session.scalars(
        select(Escalation)
        .join(EscalationNotice, EscalationNotice.escalation_id == Escalation.id)
        .where(EscalationNotice.person_id == person.id, Escalation.status.in_(("open", "acknowledged")))
        .distinct()
        .order_by(Escalation.id.desc())
    )).all())


async def open_by_level(tx: Tx, _now: datetime) -> dict[tuple[str, ...], float]:
    """Live escalations by (level, counted from 1; open or acknowledged), for operators."""
    rows = await tx.session.execute(
        select(Escalation.level, Escalation.status, func.count())
        .where(Escalation.status.in_(("open", "acknowledged")))
        .group_by(Escalation.level, Escalation.status)
    )
    return {(str(level + 1), status): float(n) for level, status, n in rows.all()}
