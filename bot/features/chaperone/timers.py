"""Chaperone timers: next wave, widen at the deadline, escalate, unfilled at the start, remind, follow up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.features import escalation
from bot.features.chaperone import closure, wording
from bot.features.chaperone.matching import fan_out, policy_for, set_offers
from bot.features.chaperone.storage import (
    DEADLINE,
    ESCALATE,
    EXPIRE,
    FOLLOW_UP,
    REMIND,
    WAVE,
    ChaperoneRequest,
    offers_for,
    schedule,
)
from bot.features.chaperone.wording import zone_of
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx


@dataclass(frozen=True)
class _At:
    """A clock stopped at one moment, for collaborators that take a clock inside a timer."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


async def _live(tx: Tx, timer: Timer, *statuses: str, same_generation: bool = True) -> ChaperoneRequest | None:
    request = await tx.session.get(ChaperoneRequest, timer.payload["request_id"], with_for_update=True)
    if request is None or request.status not in statuses:
        return None
    if same_generation and request.generation != timer.payload["generation"]:
        return None
    return request


async def next_wave(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "open")
    if request is not None:
        requester = await tx.people.get(request.requester_id)
        await fan_out(tx, request, requester, await policy_for(tx, requester.id), now)


async def deadline(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still unfilled: ask everyone who matches, then the managers a little later."""
    request = await _live(tx, timer, "open")
    if request is None:
        return
    requester = await tx.people.get(request.requester_id)
    policy = await policy_for(tx, requester.id)
    request.widened = True
    asked, _ = await fan_out(tx, request, requester, policy, now, everyone=True)
    when = now + policy.escalate_after if asked else now
    await schedule(tx, request, ESCALATE, min(when, request.starts_at), now)


async def escalate(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "open")
    if request is None:
        return
    requester = await tx.people.get(request.requester_id)
    asked = len(await offers_for(tx, request.id))
    org = await tx.org.get()
    summary = wording.unfilled_summary(request, zone_of(requester, org), asked)
    # A session is coming up: an unfilled request never waits for working hours.
    found, told = await escalation.start_about(tx, _At(now), requester, "chaperone", "chaperone", request.id, summary,
                                               urgent=True)
    if found is not None:
        request.escalation_id = found.id
    await notify(tx, f"chap:{request.id}:escalated", requester.id, wording.escalated(request, bool(found), told), now)


async def expire(tx: Tx, timer: Timer, now: datetime) -> None:
    """The session has started and nobody accepted."""
    request = await _live(tx, timer, "open")
    if request is None:
        return
    request.status, request.updated_at = "unfilled", now
    request.generation += 1
    waiting = [o for o in await offers_for(tx, request.id) if o.status == "offered"]
    await set_offers(tx, waiting, "expired", request, now)
    await closure.tell_unfilled(tx, request, now)


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "covered")
    if request is None:
        return
    org = await tx.org.get()
    requester = await tx.people.get(request.requester_id)
    chaperone = await tx.people.get(request.chaperone_id)
    for person, other, other_is_chaperone in ((requester, chaperone, True), (chaperone, requester, False)):
        await notify(tx, f"chap:{request.id}:remind:{person.id}:{request.generation}", person.id,
                     wording.reminder_card(request, other, other_is_chaperone, zone_of(person, org)), now)


async def follow_up(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "covered")
    if request is None:
        return
    chaperone = await tx.people.get(request.chaperone_id)
    await notify(tx, f"chap:{request.id}:follow_up", request.requester_id,
                 wording.follow_up_card(request, chaperone), now)


TIMER_HANDLERS = {WAVE: next_wave, DEADLINE: deadline, ESCALATE: escalate, EXPIRE: expire, REMIND: remind,
                  FOLLOW_UP: follow_up}
