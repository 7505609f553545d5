"""Approval: when the referrer's team asks for it, one of its managers (or their deputy while
away) approves or returns a referral before anyone is asked to take it. Approvals have a
deadline like every other step: no answer in time reminds the approvers; still none, and the
next level of the team's escalation policy is asked to approve too. The referrer is told at
each step."""

from __future__ import annotations

from datetime import datetime

from bot.features import escalation
from bot.features.referral import closure, more_wording, wording
from bot.features.referral.access import pending
from bot.features.referral.steps import (
    APPROVAL_FALLBACK,
    APPROVAL_REMIND,
    ask_approvers,
    ask_receivers,
    clean_reason,
    later_by,
    schedule,
    team_of,
    tell_referrer,
    update_card,
)
from bot.features.referral.storage import Referral, offers, policy_for
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Timer
from bot.machinery.storage.repos import Tx
from bot.port.views import Card, Notice, View
from bot.turn import Turn


async def approve(turn: Turn, value: str) -> list[View]:
    answer = await pending(turn, value, "approver", "awaiting_approval")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    now = turn.clock.now()
    referral.approved_by, referral.approved_at, referral.updated_at = turn.person.id, now, now
    referral.generation += 1
    await turn.tx.timers.cancel_for("referral", referral.id)  # the approval clock stops
    asked = await ask_receivers(turn.tx, referral, now)
    await settle_approvers(turn.tx, referral, "approved", turn.person, now)
    to = await wording.to_label(turn.tx, referral)
    await tell_referrer(turn.tx, referral, more_wording.approved_for_referrer(turn.person, referral, asked, to), now, "approved")
    await turn.tx.audit.record(now, turn.person.id, "referral.approved", "referral", referral.id)
    return [Notice(f"You approved {wording.reference(referral)}; it has gone to {to}. The referrer has been told.")]


async def settle_approvers(tx: Tx, referral: Referral, outcome: str, by: Person, now: datetime) -> None:
    for offer in await offers(tx, referral, role="approver", current_round=False):
        if offer.status != "offered":
            continue
        offer.status = outcome
        if offer.person_id == by.id:
            offer.responded_at = now
        viewer = await tx.people.get(offer.person_id)
        await update_card(tx, offer, await more_wording.approval_card(tx, referral, viewer), now)


async def ask_return(turn: Turn, value: str) -> list[View]:
    answer = await pending(turn, value, "approver", "awaiting_approval")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    return [wording.return_form(referral.id)]


async def return_it(turn: Turn, values: dict, state: str) -> list[View]:
    answer = await pending(turn, state, "approver", "awaiting_approval")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    form = wording.return_form(referral.id)
    reason, errors = clean_reason(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    now = turn.clock.now()
    referral.status = "returned"
    referral.returned_by, referral.returned_at, referral.updated_at = turn.person.id, now, now
    referral.return_reason_sealed = turn.sealer.seal(reason)
    referral.generation += 1
    await turn.tx.timers.cancel_for("referral", referral.id)
    await settle_approvers(turn.tx, referral, "returned", turn.person, now)
    referrer = await turn.tx.people.get(referral.referrer_id)
    card = await closure.with_question(turn.tx, await more_wording.returned_card(turn.tx, referral, turn.person),
                                       referral, referrer, now)
    await tell_referrer(turn.tx, referral, card, now, "returned")
    await turn.tx.audit.record(now, turn.person.id, "referral.returned", "referral", referral.id)
    return [Notice(f"You returned {wording.reference(referral)}. The referrer has been told.")]


# --- the deadline -------------------------------------------------------------------------------


async def _waiting(tx: Tx, timer: Timer) -> Referral | None:
    referral = await tx.session.get(Referral, timer.payload["referral_id"], with_for_update=True)
    if referral is None or referral.status != "awaiting_approval":
        return None
    return referral if referral.generation == timer.payload["generation"] else None


async def remind_approvers(tx: Tx, timer: Timer, now: datetime) -> None:
    """Nobody approved in time: remind the approvers, tell the referrer, start the fallback clock."""
    referral = await _waiting(tx, timer)
    if referral is None:
        return
    referral.generation += 1
    policy = await policy_for(tx, referral.referrer_id)
    fallback_at = await later_by(tx, referral, now, policy.approval_fallback_after)
    await schedule(tx, referral, APPROVAL_FALLBACK, fallback_at, now)
    for offer in await offers(tx, referral, role="approver", current_round=False):
        if offer.status == "offered":
            person = await tx.people.get(offer.person_id)
            card = await more_wording.approval_card(tx, referral, person)
            await notify(tx, f"ref:{referral.id}:approval_remind:{person.id}", person.id,
                         Card(title=f"Reminder: {card.title}", paragraphs=card.paragraphs, facts=card.facts,
                              buttons=card.buttons), now)
    referrer = await tx.people.get(referral.referrer_id)
    org = await tx.org.get()
    await tell_referrer(tx, referral, more_wording.approval_reminded(referral, fallback_at, wording.zone(referrer, org)),
                        now, "approval_reminded")


async def fallback(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still nobody approved: ask the next level of the team's escalation policy as well."""
    referral = await _waiting(tx, timer)
    if referral is None:
        return
    referral.generation += 1
    asked_before = {o.person_id for o in await offers(tx, referral, role="approver", current_round=False)}
    team = await team_of(tx, referral)
    levels = await escalation.levels_of(tx, team) if team else []
    more: list[Person] = []
    for level in levels[1:]:
        more = [p for p in level if p.id not in asked_before and p.id != referral.referrer_id]
        if more:
            break
    asked = await ask_approvers(tx, referral, more, now) if more else []
    await tell_referrer(tx, referral, more_wording.approval_fallback(referral, asked), now, "approval_fallback")


TIMER_HANDLERS = {APPROVAL_REMIND: remind_approvers, APPROVAL_FALLBACK: fallback}
