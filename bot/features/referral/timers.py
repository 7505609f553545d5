"""Referral timers: no answer in time reminds whoever was asked, then tells the managers."""

from __future__ import annotations

from datetime import datetime

from bot.features import escalation
from bot.features.referral import wording
from bot.features.referral.flow import REMIND, TELL_MANAGERS, schedule, tell_referrer
from bot.features.referral.storage import Referral, offers, policy_for
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx
from bot.org.policy import describe_duration
from bot.port.views import Card


class _At:
    """A clock stopped at one moment, for timer handlers calling clock-taking workflows."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


async def _live(tx: Tx, timer: Timer) -> Referral | None:
    referral = await tx.session.get(Referral, timer.payload["referral_id"], with_for_update=True)
    if referral is None or referral.status != "offered":
        return None
    if referral.generation != timer.payload["generation"]:
        return None  # something changed since this timer was set: it is stale
    return referral


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    """No answer within the window: remind whoever was asked, and tell the referrer."""
    referral = await _live(tx, timer)
    if referral is None:
        return
    referral.reminded_at = now
    referral.generation += 1
    waiting = [o for o in await offers(tx, referral) if o.status == "offered"]
    for offer in waiting:
        person = await tx.people.get(offer.person_id)
        card = await wording.offer_card(tx, referral, person, "offered")
        await notify(tx, f"ref:{referral.id}:remind:{offer.person_id}:{referral.round}", offer.person_id,
                     Card(title=f"Reminder: {card.title}", paragraphs=card.paragraphs, facts=card.facts,
                          buttons=card.buttons), now)
    policy = await policy_for(tx, referral.referrer_id)
    after = policy.escalate_after(referral.urgency == "urgent")
    await tell_referrer(tx, referral, wording.reminded(referral, await wording.to_label(tx, referral), after),
                        now, "reminded")
    await schedule(tx, referral, TELL_MANAGERS, now + after, now)


async def tell_managers(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still no answer after the reminder: the referrer's managers are told (metadata only)."""
    referral = await _live(tx, timer)
    if referral is None:
        return
    referral.generation += 1
    waited = describe_duration(now - (referral.offered_at or referral.created_at))
    summary = wording.unanswered(referral, await wording.to_label(tx, referral), waited)
    referrer = await tx.people.get(referral.referrer_id)
    found, told = await escalation.start_about(tx, _At(now), referrer, "referral", "referral", referral.id, summary)
    if found is None:
        text = wording.no_manager_to_tell(referral)
    else:
        referral.escalation_id = found.id
        text = wording.managers_told(referral, told, escalation.reference(found))
    await tell_referrer(tx, referral, text, now, "managers")


TIMER_HANDLERS = {REMIND: remind, TELL_MANAGERS: tell_managers}
