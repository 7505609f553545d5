"""Time a person chooses: a reporter sending an escalation that waits for working hours now,
and a manager snoozing a reminder (never for safety, at most SNOOZE_LIMIT times)."""

from __future__ import annotations

from datetime import timedelta

from bot.features.escalation.access import find_for_handler, find_for_reporter
from bot.features.escalation.notices import REMIND, hours_of, schedule, urgent
from bot.features.escalation.timers import go_out
from bot.features.escalation.wording import NOT_FOUND, SNOOZE_LIMIT, already_done, reference
from bot.org.hours import wait_until, when
from bot.port.views import Notice, View
from bot.turn import Turn

SNOOZE_FOR = timedelta(hours=24)


async def send_now(turn: Turn, value: str) -> list[View]:
    escalation = await find_for_reporter(turn, value)
    if escalation is None:
        return [Notice("I can't find that escalation among yours. Type status to see where things stand.")]
    if escalation.status != "waiting":
        return [Notice(f"{reference(escalation)} has already gone out. Type status to see where it stands.")]
    now = turn.clock.now()
    escalation.urgent = True  # the reporter says it can't wait: nothing about it waits from now on
    await turn.tx.timers.cancel_for("escalation", escalation.id)
    await go_out(turn.tx, escalation, now)
    await turn.tx.audit.record(now, turn.person.id, "escalation.sent_now", "escalation", escalation.id)
    return [Notice(f"{reference(escalation)} has gone to your managers now. I'll tell you when it is acknowledged.")]


async def snooze(turn: Turn, value: str) -> list[View]:
    found = await find_for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, team = found
    if escalation.status != "acknowledged":
        return [Notice(await already_done(turn, escalation)) if escalation.status != "open" else
                Notice(f"{reference(escalation)} isn't acknowledged yet: there is no reminder to snooze.")]
    if urgent(escalation):
        return [Notice(f"{reference(escalation)} is about safety, so its reminders can't be snoozed.")]
    if escalation.snoozes >= SNOOZE_LIMIT:
        return [Notice(f"{reference(escalation)}'s reminder has been snoozed {SNOOZE_LIMIT} times, the most allowed. "
                       "Please resolve it, or ask a colleague in the policy to.")]
    now = turn.clock.now()
    escalation.snoozes += 1
    escalation.generation += 1
    await turn.tx.timers.cancel_for("escalation", escalation.id)
    await schedule(turn.tx, escalation, REMIND, wait_until(hours_of(team), now + SNOOZE_FOR), now)
    await turn.tx.audit.record(now, turn.person.id, "escalation.snoozed", "escalation", escalation.id)
    zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
    left = SNOOZE_LIMIT - escalation.snoozes
    return [Notice(f"Snoozed: I'll remind you about {reference(escalation)} on {when(escalation.next_action_at, zone)}. "
                   f"{left} snooze{'s' if left != 1 else ''} left.")]
