"""Escalation timers: going out when the team's working hours start, climbing to the next
level when nobody acknowledges, reminding whoever acknowledged until it is resolved, and the
watchdog for steps that are overdue.
"""

from __future__ import annotations

from datetime import datetime

from bot.features import away
from bot.features.escalation.flow import tell_reporter
from bot.features.escalation.notices import (
    BEGIN,
    CLIMB,
    REMIND,
    due_after,
    recipients_at,
    refresh_notices,
    schedule,
    tell_level,
    urgent,
)
from bot.features.escalation.storage import Escalation, overdue
from bot.features.escalation.wording import SNOOZE_LIMIT, reference, reminder_card
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Team, Timer
from bot.machinery.storage.repos import Tx
from bot.org.policy import Policy
from bot.port.views import Notice


async def _live(tx: Tx, timer: Timer, wanted_status: str) -> Escalation | None:
    escalation = await tx.session.get(Escalation, timer.payload["escalation_id"], with_for_update=True)
    if escalation is None or escalation.status != wanted_status:
        return None
    if escalation.generation != timer.payload["generation"]:
        return None  # something changed since this timer was set: it is stale
    return escalation


async def begin(tx: Tx, timer: Timer, now: datetime) -> None:
    """The team's working hours have started: a waiting escalation goes out."""
    escalation = await _live(tx, timer, "waiting")
    if escalation is not None:
        await go_out(tx, escalation, now)


async def go_out(tx: Tx, escalation: Escalation, now: datetime) -> None:
    """Tell the first level now (at working hours, or because the reporter said it can't wait)."""
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    escalation.status = "open"
    escalation.generation += 1
    report = await tx.reports.get(escalation.report_id) if escalation.report_id else None
    recipients = await recipients_at(tx, escalation, team, policy, 0, now)
    await schedule(tx, escalation, CLIMB, due_after(escalation, team, now, policy.wait_at(0)), now)
    await tell_level(tx, escalation, report, team, policy, recipients, now)
    names = ", ".join(c.person.display_name for c in recipients) or "your managers"
    await tell_reporter(tx, escalation, f"{names} {'has' if len(recipients) == 1 else 'have'} now been told about",
                        now)


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
    await schedule(tx, escalation, CLIMB, due_after(escalation, team, now, policy.wait_at(escalation.level)), now)
    await refresh_notices(tx, escalation, now)  # earlier notices show the new level
    report = await tx.reports.get(escalation.report_id) if escalation.report_id else None
    recipients = await recipients_at(tx, escalation, team, policy, escalation.level, now)
    await tell_level(tx, escalation, report, team, policy, recipients, now)
    names = ", ".join(c.person.display_name for c in recipients) or "the next level"
    again = " again" if escalation.round else ""
    await tell_reporter(tx, escalation, f"Not acknowledged yet, so {names} {'has' if len(recipients) == 1 else 'have'} been told{again} about", now)


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    """Acknowledged but not resolved: remind whoever acknowledged it (their deputy while they
    are away)."""
    escalation = await _live(tx, timer, "acknowledged")
    if escalation is None:
        return
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    escalation.generation += 1
    handler = await tx.people.get(escalation.acknowledged_by)
    [cover] = await away.route(tx, [handler], now, "escalation", escalation.id,
                               exclude=frozenset({escalation.reporter_id}))
    await schedule(tx, escalation, REMIND, due_after(escalation, team, now, policy.remind_every), now)
    org = await tx.org.get()
    snoozable = not urgent(escalation) and escalation.snoozes < SNOOZE_LIMIT
    await notify(tx, f"esc:{escalation.id}:remind:{escalation.generation}", cover.person.id,
                 reminder_card(escalation, cover.person, cover.for_whom, org, snoozable), now)


TIMER_HANDLERS = {BEGIN: begin, CLIMB: climb, REMIND: remind}


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
