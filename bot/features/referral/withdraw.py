"""The referrer withdraws a referral: everyone asked about it (approvers, receivers, whoever
accepted) is told, every clock stops, and any escalation about it closes."""

from __future__ import annotations

from sqlalchemy import select

from bot.features import escalation
from bot.features.referral import more_wording, wording
from bot.features.referral.access import for_referrer
from bot.features.referral.steps import update_card
from bot.features.referral.storage import ReferralOffer
from bot.machinery.outbox import notify
from bot.port.views import Notice, View
from bot.turn import Turn

WITHDRAWABLE = ("awaiting_approval", "returned", "offered", "declined", "accepted")


async def ask(turn: Turn, value: str) -> list[View]:
    referral = await for_referrer(turn, value)
    if referral is None:
        return [wording.NOT_FOUND]
    if referral.status not in WITHDRAWABLE:
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    return [more_wording.confirm_withdraw(referral)]


async def confirm(turn: Turn, value: str) -> list[View]:
    referral = await for_referrer(turn, value)
    if referral is None:
        return [wording.NOT_FOUND]
    if referral.status not in WITHDRAWABLE:
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    now = turn.clock.now()
    accepted_by = referral.accepted_by if referral.status == "accepted" else None
    referral.status, referral.withdrawn_at, referral.updated_at = "withdrawn", now, now
    referral.generation += 1
    await turn.tx.timers.cancel_for("referral", referral.id)
    waiting = (await turn.tx.session.scalars(select(ReferralOffer).where(
        ReferralOffer.referral_id == referral.id, ReferralOffer.status == "offered"))).all()
    told = set()
    for offer in waiting:
        offer.status = "withdrawn"
        viewer = await turn.tx.people.get(offer.person_id)
        card = (await more_wording.approval_card(turn.tx, referral, viewer) if offer.role == "approver"
                else await wording.offer_card(turn.tx, referral, viewer, "withdrawn"))
        await update_card(turn.tx, offer, card, now)
        told.add(offer.person_id)
    if accepted_by:
        await notify(turn.tx, f"ref:{referral.id}:withdrawn:{accepted_by}", accepted_by,
                     more_wording.withdrawn_for(referral, turn.person), now)
        told.add(accepted_by)
    await escalation.settle_about(turn.tx, "referral", referral.id, now, "the referrer withdrew it")
    await turn.tx.audit.record(now, turn.person.id, "referral.withdrawn", "referral", referral.id)
    return [more_wording.withdrawn(referral, len(told))]
