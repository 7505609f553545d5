"""Referral timers: no answer in time reminds whoever was asked, then tells the managers; a
receiver's snoozed reminder comes back; approvals have their own deadline (``approval``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.features import escalation
from bot.features.referral import approval, more_wording, wording
from bot.features.referral.access import pending
from bot.features.referral.steps import (
    REMIND,
    REMIND_AGAIN,
    TELL_MANAGERS,
    hours_for,
    later_by,
    schedule,
    tell_referrer,
    urgent,
)
from bot.features.referral.storage import Referral, ReferralOffer, offers, policy_for
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx
from bot.org.hours import wait_until
from bot.org.policy import describe_duration
from bot.port.views import Card, View
from bot.turn import Turn

SNOOZE_FOR = timedelta(hours=24)


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


def snoozable(referral: Referral, offer: ReferralOffer) -> str | None:
    """Why this reminder can't be snoozed, or None if it can."""
    if urgent(referral) or referral.reason == "safety":
        return "it is urgent or about safety"
    if offer.snoozes >= more_wording.SNOOZE_LIMIT:
        return f"it has been snoozed {more_wording.SNOOZE_LIMIT} times, the most allowed"
    return None


async def _reminder(tx: Tx, referral: Referral, offer: ReferralOffer, now: datetime, tag: str) -> None:
    person = await tx.people.get(offer.person_id)
    card = await wording.offer_card(tx, referral, person, "offered")
    buttons = card.buttons
    if snoozable(referral, offer) is None:
        buttons += (more_wording.snooze_button(referral, more_wording.SNOOZE_LIMIT - offer.snoozes),)
    await notify(tx, f"ref:{referral.id}:remind:{offer.person_id}:{referral.round}{tag}", offer.person_id,
                 Card(title=f"Reminder: {card.title}", paragraphs=card.paragraphs, facts=card.facts,
                      buttons=buttons), now)


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    """No answer within the window: remind whoever was asked, and tell the referrer when the
    managers will be told."""
    referral = await _live(tx, timer)
    if referral is None:
        return
    referral.reminded_at = now
    referral.generation += 1
    for offer in [o for o in await offers(tx, referral) if o.status == "offered"]:
        await _reminder(tx, referral, offer, now, "")
    policy = await policy_for(tx, referral.referrer_id)
    managers_at = await later_by(tx, referral, now, policy.escalate_after(urgent(referral)))
    referrer = await tx.people.get(referral.referrer_id)
    org = await tx.org.get()
    await tell_referrer(tx, referral, wording.reminded(referral, await wording.to_label(tx, referral), managers_at,
                                                       wording.zone(referrer, org)), now, "reminded")
    await schedule(tx, referral, TELL_MANAGERS, managers_at, now)


async def tell_managers(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still no answer after the reminder: the referrer's managers are told (metadata only)."""
    referral = await _live(tx, timer)
    if referral is None:
        return
    referral.generation += 1
    waited = describe_duration(now - (referral.offered_at or referral.created_at))
    summary = wording.unanswered(referral, await wording.to_label(tx, referral), waited)
    referrer = await tx.people.get(referral.referrer_id)
    found, told = await escalation.start_about(tx, _At(now), referrer, "referral", "referral", referral.id, summary,
                                               urgent=urgent(referral))
    if found is None:
        text = wording.no_manager_to_tell(referral)
    else:
        referral.escalation_id = found.id
        text = wording.managers_told(referral, told, escalation.reference(found))
    await tell_referrer(tx, referral, text, now, "managers")


async def snooze(turn: Turn, value: str) -> list[View]:
    """A receiver puts their reminder off until tomorrow; the managers' clock is not moved."""
    answer = await pending(turn, value, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    referral, offer = answer
    if why := snoozable(referral, offer):
        return [more_wording.not_snoozable(referral, why)]
    now = turn.clock.now()
    offer.snoozes += 1
    due = wait_until(await hours_for(turn.tx, referral), now + SNOOZE_FOR)
    await turn.tx.timers.schedule(f"ref:{referral.id}:{REMIND_AGAIN}:{offer.id}:{offer.snoozes}", REMIND_AGAIN,
                                  "referral", referral.id, due, now, payload={"offer_id": offer.id})
    await turn.tx.audit.record(now, turn.person.id, "referral.snoozed", "referral", referral.id)
    return [more_wording.snoozed(referral, due, wording.zone(turn.person, turn.org),
                                 more_wording.SNOOZE_LIMIT - offer.snoozes)]


async def remind_again(tx: Tx, timer: Timer, now: datetime) -> None:
    offer = await tx.session.get(ReferralOffer, timer.payload["offer_id"])
    referral = await tx.session.get(Referral, offer.referral_id) if offer else None
    if referral is None or referral.status != "offered" or offer.status != "offered" or offer.round != referral.round:
        return
    await _reminder(tx, referral, offer, now, f":again:{offer.snoozes}")


TIMER_HANDLERS = {REMIND: remind, TELL_MANAGERS: tell_managers, REMIND_AGAIN: remind_again, **approval.TIMER_HANDLERS}
