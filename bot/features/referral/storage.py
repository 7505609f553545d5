"""The referral feature's tables (referrals and the offers sent to receivers and approvers)
and their queries."""

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
from bot.org.policy import ReferralPolicy


class Referral(Base):
    """A clinician handing a client over to a colleague or to a team's intake pool.

    Only metadata is in the clear; the handoff note and the return reason are sealed. The
    checklist steps after acceptance each record who ticked them and when.
    """

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    # boundary | objectivity | safety | wellbeing | other
    reason: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16))  # routine | urgent
    # Exactly one of these: a named colleague, or a team whose members form the intake pool.
    receiver_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    receiving_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the receiver closing it chose to tell the referrer; shown to the referrer privately.
    referrer_note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # awaiting_approval | returned | offered | declined | accepted | closed | withdrawn
    status: Mapped[str] = mapped_column(String(24))
    # Each time the referrer chooses someone else after a decline, a new round of offers.
    round: Mapped[int] = mapped_column(Integer, default=0)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when this round's receivers were asked
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id", ondelete="SET NULL"))
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The checklist after acceptance.
    client_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_told_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    client_told_how: Mapped[str | None] = mapped_column(String(16))  # in_person | phone | video | letter
    summary_handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary_handed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    appointment_booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_booked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Bumped on every change; a timer made for an older generation is stale and does nothing.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferralOffer(Base):
    """Someone asked about a referral — a receiver (or pool member) asked to take it, or a
    manager asked to approve it — with the message to update in place and the answer."""

    __tablename__ = "referral_offers"
    __table_args__ = (UniqueConstraint("referral_id", "person_id", "role", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # receiver | approver
    round: Mapped[int] = mapped_column(Integer, default=0)
    notification_key: Mapped[str] = mapped_column(String(255))
    # offered | accepted | declined | taken (a colleague accepted) | approved | returned | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="offered")
    decline_reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # reminders put off so far


class ReferralQuestion(Base):
    """A receiver's question back to the referrer before accepting, and the answer; both sealed."""

    __tablename__ = "referral_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    asked_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    question_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- queries --------------------------------------------------------------------------------

OPEN = ("awaiting_approval", "offered", "declined", "accepted")


async def policy_for(tx: Tx, person_id: int) -> ReferralPolicy:
    """The referrer's team's policy (the team their escalations go to)."""
    team = await tx.people.home_team(person_id)
    return ReferralPolicy.from_json(team.referral_policy if team else None)


async def offers(tx: Tx, referral: Referral, *, role: str = "receiver", current_round: bool = True) -> list[ReferralOffer]:
    query = select(ReferralOffer).where(ReferralOffer.referral_id == referral.id, ReferralOffer.role == role)
    if current_round:
        query = query.where(ReferralOffer.round == referral.round)
    return list((await tx.session.scalars(query.order_by(ReferralOffer.id))).all())


async def offers_to(tx: Tx, referral_id: int, person_id: int) -> list[ReferralOffer]:
    """Every offer this person was sent about this referral, in any role and round."""
    return list((await tx.session.scalars(
        select(ReferralOffer).where(ReferralOffer.referral_id == referral_id, ReferralOffer.person_id == person_id)
    )).all())


async def open_for(tx: Tx, person_id: int) -> list[Referral]:
    """Open referrals this person made, accepted, or has an unanswered offer about (newest
    first, at most ten)."""
    asked = select(ReferralOffer.referral_id).where(ReferralOffer.person_id == person_id,
                                                   ReferralOffer.status == "offered")
    return list((await tx.session.scalars(
        select(Referral).where(
            Referral.status.in_(OPEN),
            (Referral.referrer_id == person_id) | (Referral.accepted_by == person_id) | Referral.id.in_(asked),
        ).order_by(Referral.id.desc()).limit(10)
    )).all())


def step_done(referral: Referral, step: str) -> tuple[datetime | None, int | None]:
    """When, and by whom, a checklist step (or ``closed``) was done."""
    return getattr(referral, f"{step}_at"), getattr(referral, f"{step}_by")
