"""Check-ins: "ask me how I'm doing in two days". The clinician sets one for themselves, answers
it or asks again later (a limited number of times), or stops it. Only they ever see it; the
answer itself is not kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.features.support import wording
from bot.features.support.access import own_check_in
from bot.features.support.storage import CHECK_IN, CheckIn, live_check_in
from bot.features.support.wording import CHECK_IN_LIMIT, CHECK_INS, zone_of
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx
from bot.org.hours import when
from bot.port.views import Button, Card, View
from bot.turn import Turn


async def _schedule(tx: Tx, check_in: CheckIn, now: datetime) -> None:
    await tx.timers.schedule(f"sup:check_in:{check_in.id}:{check_in.generation}", CHECK_IN, "support_check_in",
                             check_in.id, check_in.due_at, now,
                             payload={"check_in_id": check_in.id, "generation": check_in.generation})


async def set_check_in(turn: Turn, value: str) -> list[View]:
    """``1d``, ``2d`` or ``7d``: one check-in at a time (a new one replaces the last)."""
    if value not in CHECK_INS:
        return [wording.CHECK_IN_GONE]
    now = turn.clock.now()
    due = now + timedelta(days=CHECK_INS[value][1])
    check_in = await live_check_in(turn.tx, turn.person.id)
    if check_in is None:
        check_in = CheckIn(person_id=turn.person.id, due_at=due, status="set", asked=0, generation=1, created_at=now)
        turn.tx.session.add(check_in)
        await turn.tx.session.flush()
    else:
        check_in.due_at, check_in.status = due, "set"
        check_in.generation += 1
    await _schedule(turn.tx, check_in, now)
    return [wording.check_in_set(check_in, zone_of(turn.person, turn.org), turn.org)]


async def fire(tx: Tx, timer: Timer, now: datetime) -> None:
    check_in = await tx.session.get(CheckIn, timer.payload["check_in_id"], with_for_update=True)
    if check_in is None or check_in.status != "set" or check_in.generation != timer.payload["generation"]:
        return
    check_in.status, check_in.asked = "sent", check_in.asked + 1
    await notify(tx, f"sup:check_in:{check_in.id}:ask:{check_in.asked}", check_in.person_id,
                 wording.check_in_card(check_in, await tx.org.get()), now)


async def answer(turn: Turn, value: str) -> list[View]:
    """``id:ok``, ``id:not_ok`` or ``id:later`` from the check-in card."""
    check_in = await own_check_in(turn, value)
    how = str(value).partition(":")[2]
    if check_in is None or check_in.status != "sent" or how not in ("ok", "not_ok", "later"):
        return [wording.CHECK_IN_GONE]
    now = turn.clock.now()
    if how == "later":
        if check_in.asked >= CHECK_IN_LIMIT:
            check_in.status = "stopped"
            return [wording.ENOUGH]
        check_in.due_at, check_in.status = now + timedelta(days=2), "set"
        check_in.generation += 1
        await _schedule(turn.tx, check_in, now)
        return [wording.asked_again(check_in, zone_of(turn.person, turn.org))]
    check_in.status = "answered"
    check_in.generation += 1
    return [wording.answered_ok(turn.org) if how == "ok" else wording.answered_not_ok(turn.org)]


async def stop(turn: Turn, value: str) -> list[View]:
    check_in = await own_check_in(turn, value)
    if check_in is None or check_in.status not in ("set", "sent"):
        return [wording.CHECK_IN_GONE]
    check_in.status = "stopped"
    check_in.generation += 1
    await turn.tx.timers.cancel_for("support_check_in", check_in.id)
    return [wording.STOPPED]


async def status_card(turn: Turn) -> Card | None:
    check_in = await live_check_in(turn.tx, turn.person.id)
    if check_in is None or check_in.status != "set":
        return None
    return Card(title="A check-in is set",
                paragraphs=(f"I'll ask how you're doing on {when(check_in.due_at, zone_of(turn.person, turn.org))}.",),
                buttons=(Button("Stop checking in", "support.stop", str(check_in.id)),))
