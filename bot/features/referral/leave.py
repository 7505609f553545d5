"""Someone who must answer a referral left: it goes to their team's other receivers, or to
the referrer's managers when nobody else can take it; approvals go to the next managers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.features import escalation
from bot.features.referral import wording
from bot.features.referral.access import pool
from bot.features.referral.steps import ask_approvers, ask_receivers, tell_referrer, urgent
from bot.features.referral.storage import Referral, ReferralOffer
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.port.views import Notice


async def on_leave(tx: Tx, person_id: int, now: datetime) -> int:
    s = tx.session
    moved = 0
    home = await tx.people.home_team(person_id)
    theirs = (await s.scalars(select(Referral).where(
        ((Referral.status == "offered") & (Referral.receiver_id == person_id))
        | ((Referral.status == "accepted") & (Referral.accepted_by == person_id) & Referral.closed_at.is_(None)))
        .with_for_update())).all()
    for referral in theirs:
        await _withdraw_offers(tx, referral, person_id, now)
        others = await pool(tx, home.id, referral.referrer_id) if home is not None else []
        if others:
            # To the leaver's team's intake pool: their colleagues are asked, as on a reroute.
            referral.receiver_id, referral.receiving_team_id, referral.accepted_by = None, home.id, None
            referral.round += 1
            referral.generation += 1
            referral.updated_at = now
            await ask_receivers(tx, referral, now)
        else:
            await _tell_managers(tx, referral, now)
        await tx.audit.record(now, None, "referral.moved_on_leave", "referral", referral.id)
        moved += 1
    # Pools and approvals: the leaver's unanswered offers stop waiting; if nobody else was
    # asked to approve, the referrer's next managers are.
    asked = (await s.scalars(select(ReferralOffer).where(
        ReferralOffer.person_id == person_id, ReferralOffer.status == "offered"))).all()
    for offer in asked:
        offer.status, offer.responded_at = "withdrawn", now
        referral = await s.get(Referral, offer.referral_id)
        if offer.role == "approver" and referral.status == "awaiting_approval" and not await _still_asked(tx, referral):
            referral.generation += 1
            if await ask_approvers(tx, referral, await _next_managers(tx, referral, person_id), now):
                await tx.audit.record(now, None, "referral.moved_on_leave", "referral", referral.id)
                moved += 1
            else:
                await _tell_managers(tx, referral, now)
    await s.flush()
    return moved


async def _withdraw_offers(tx: Tx, referral: Referral, person_id: int, now: datetime) -> None:
    for offer in (await tx.session.scalars(select(ReferralOffer).where(
            ReferralOffer.referral_id == referral.id, ReferralOffer.person_id == person_id,
            ReferralOffer.status.in_(("offered", "accepted"))))).all():
        offer.status, offer.responded_at = "withdrawn", now


async def _still_asked(tx: Tx, referral: Referral) -> bool:
    return await tx.session.scalar(
        select(ReferralOffer.id).join(Person, Person.id == ReferralOffer.person_id).where(
            ReferralOffer.referral_id == referral.id, ReferralOffer.round == referral.round,
            ReferralOffer.role == "approver", ReferralOffer.status == "offered", Person.active.is_(True)).limit(1)
    ) is not None


async def _next_managers(tx: Tx, referral: Referral, leaver_id: int) -> list:
    team = await tx.people.home_team(referral.referrer_id)
    if team is None:
        return []
    for level in await escalation.levels_of(tx, team):
        people = [p for p in level if p.id not in (leaver_id, referral.referrer_id)]
        if people:
            return people
    return []


async def _tell_managers(tx: Tx, referral: Referral, now: datetime) -> None:
    """Nobody else can take it: the referrer's managers are told, as when nobody answers."""
    referrer = await tx.people.get(referral.referrer_id)
    summary = (f"Referral {wording.reference(referral)} ({referral.urgency}) to "
               f"{await wording.to_label(tx, referral)}: the person who was to take it has left")
    found, told = await escalation.start_about(tx, _At(now), referrer, "referral", "referral", referral.id,
                                               summary, urgent=urgent(referral))
    if found is None:
        text = wording.no_manager_to_tell(referral)
    else:
        referral.escalation_id = found.id
        names = " and ".join(p.display_name for p in told) or "your managers"
        text = Notice(f"The person who was to take referral {wording.reference(referral)} has left, so {names} "
                      f"{'has' if len(told) == 1 else 'have'} been told ({escalation.reference(found)}) and will "
                      "find someone else. You don't need to do anything now.")
    await tell_referrer(tx, referral, text, now, "left")


class _At:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

