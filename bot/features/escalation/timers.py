"""Escalation timers: climbing to the next level when nobody acknowledges, reminding whoever
acknowledged until it is resolved, and the watchdog for steps that are overdue.
"""

from __future__ import annotations

from datetime import datetime

from bot.features.escalation.access import people_at
from bot.features.escalation.flow import (
    CLIMB,
    REMIND,
    refresh_notices,
    schedule,
    tell_level,
    tell_reporter,
)
from bot.features.escalation.storage import Escalation, overdue
from bot.features.escalation.wording import reference
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Team, Timer
from bot.machinery.storage.repos import Tx
from bot.org.policy import Policy
from bot.port.views import Button, Card, Notice


async def _live(tx: Tx, timer: Timer, wanted_status: str) -> Escalation | None:
    escalation = await tx.session.get(Escalation, timer.payload["escalation_id"], with_for_update=True)
    if escalation is None or escalation.status != wanted_status:
        return None
    if escalation.generation != timer.payload["generation"]:
        return None  # something changed since this timer was set: it is stale
    return escalation


async def climb(tx: Tx, timer: Timer, now: datetime) -> None:
    """Not acknowledged in time: tell the next level (or the last level again)."""
    escalation = await _live(tx, timer, "open")
    if escalation is None:
        return
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    if escalation.level + 1 < len(policy.levels):
        escalation.level += 1
    elif escalation.round < policy.repeat_last:
        escalation.round += 1
    else:
        escalation.generation += 1
        escalation.next_action_at = None
        await tell_reporter(tx, escalation, "No manager has acknowledged", now)
        for admin in await tx.people.admins():
            await notify(tx, f"esc:{escalation.id}:exhausted:{admin.id}", admin.id, Notice(
                f"Escalation {reference(escalation)} in {team.name} went through every level of its policy "
                "without an acknowledgement. Please check the team's managers and policy."), now)
        return
    escalation.generation += 1
    await refresh_notices(tx, escalation, now)  # earlier notices show the new level
    report = await tx.reports.get(escalation.report_id) if escalation.report_id else None
    recipients = [p for p in await people_at(tx, team, policy, escalation.level) if p.id != escalation.reporter_id]
    await tell_level(tx, escalation, report, team, policy, recipients, now)
    await schedule(tx, escalation, CLIMB, now + policy.wait_at(escalation.level), now)
    names = ", ".join(p.display_name for p in recipients) or "the next level"
    again = " again" if escalation.round else ""
    await tell_reporter(tx, escalation, f"Not acknowledged yet, so {names} {'has' if len(recipients) == 1 else 'have'} been told{again} about", now)


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    """Acknowledged but not resolved: remind whoever acknowledged it."""
    escalation = await _live(tx, timer, "acknowledged")
    if escalation is None:
        return
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    escalation.generation += 1
    await notify(
        tx, f"esc:{escalation.id}:remind:{escalation.generation}", escalation.acknowledged_by,
        Card(
            title=f"Reminder: {reference(escalation)} is still open",
            paragraphs=("You acknowledged it; please resolve it when it has been dealt with.",),
            buttons=(Button("Resolve…", "escalation.resolve", str(escalation.id)),
                     Button("View details", "escalation.view", str(escalation.id), dialog=True)),
        ),
        now,
    )
    await schedule(tx, escalation, REMIND, now + policy.remind_every, now)


TIMER_HANDLERS = {CLIMB: climb, REMIND: remind}


async def audit_overdue(tx: Tx, now: datetime) -> int:
    """Tell the admins about each stuck escalation (once per stuck step)."""
    stuck = await overdue(tx, now)
    if not stuck:
        return 0
    admins = await tx.people.admins()
    for escalation in stuck:
        due = escalation.next_action_at.strftime("%Y-%m-%d %H:%M UTC")
        for admin in admins:
            await notify(tx, f"esc:{escalation.id}:stuck:{escalation.generation}:{admin.id}", admin.id, Notice(
                f"Escalation {reference(escalation)}'s next step was due at {due} and has not happened. "
                "The timer scheduler may be stuck: check /healthz and the logs."), now)
    return len(stuck)
