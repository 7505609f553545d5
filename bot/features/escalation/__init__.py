"""Escalation: a report (or an unfilled request, an unanswered referral) climbs the team's
ladder of managers until one acknowledges it; reminders run until it is resolved.

Inside: ``flow`` (the state machine: start, acknowledge, resolve, settle), ``access`` (who
may see and act: the people the team's policy names), ``wording`` (every card and notice),
``timers`` (climbing and reminding), ``storage`` (tables and queries).
"""

from bot.feature import Feature, Gauge
from bot.features.escalation import closure, flow, later
from bot.features.escalation.access import hidden_reporters, people_at
from bot.features.escalation.flow import (
    escalate_report,
    handler_cards,
    settle_about,
    start,
    start_about,
    status_line,
)
from bot.features.escalation.preview import ladder, who_and_when
from bot.features.escalation.retention import (
    forget_about,
    forget_for_report,
    forget_resolution_notes,
)
from bot.features.escalation.storage import open_by_level, overdue
from bot.features.escalation.timers import TIMER_HANDLERS, audit_overdue
from bot.features.escalation.wording import RESOLVE_FORM, reference, resolve_form
from bot.org.policy import Policy

__all__ = ["FEATURE", "hidden_reporters", "start", "start_about", "settle_about", "status_line", "escalate_report", "reference",
           "forget_about", "forget_for_report", "forget_resolution_notes", "levels_of",
           "handler_cards", "ladder", "who_and_when"]


async def levels_of(tx, team) -> list[list]:
    """The people at each level of a team's escalation policy, in order (for a fallback that
    asks the next level, such as an approval nobody gave in time)."""
    policy = Policy.from_json(team.escalation_policy)
    return [await people_at(tx, team, policy, level) for level in range(len(policy.levels))]


async def _count_overdue(tx, now) -> int:
    return len(await overdue(tx, now))


async def _overdue_gauge(tx, now) -> dict[tuple[str, ...], float]:
    return {(): float(await _count_overdue(tx, now))}


async def _resolve_form_as_shown(turn, state):
    return resolve_form(int(state)) if state.isdigit() else None


FEATURE = Feature(
    name="escalation",
    buttons={
        "escalation.ack": flow.acknowledge,
        "escalation.resolve": flow.ask_resolve,
        "escalation.view": flow.view_details,
        "escalation.now": later.send_now,
        "escalation.snooze": later.snooze,
        closure.READ: closure.read_note,
        closure.CONFIRM: closure.confirm,
        closure.REOPEN: flow.reopen,
    },
    forms={RESOLVE_FORM: flow.resolve},
    form_views={RESOLVE_FORM: _resolve_form_as_shown},
    timers=TIMER_HANDLERS,
    audit_actions={
        "escalation.started": "an escalation was sent to managers",
        "escalation.acknowledged": "a manager acknowledged an escalation",
        "escalation.resolved": "a manager resolved an escalation",
        "escalation.settled": "an escalation closed itself: what it was about was dealt with",
        "report.viewed": "a manager opened a report's details from an escalation",
        "escalation.sent_now": "the reporter sent an escalation waiting for working hours at once",
        "escalation.snoozed": "a manager put off an escalation's reminder",
        "escalation.confirmed": "the reporter said a resolved escalation is resolved for them",
        "escalation.reopened": "the reporter said a resolved escalation is not resolved for them",
    },
    status=flow.section,
    status_order=10,
    watchdogs={"escalation.overdue": audit_overdue},
    health={"escalations_overdue": _count_overdue},
    gauges={
        "escalation.open": Gauge("Live escalations by level (from 1) and state (open, acknowledged)",
                                 open_by_level, ("level", "state")),
        "escalation.overdue": Gauge("Live escalations whose next step is over a minute late (a stuck "
                                    "scheduler)", _overdue_gauge),
    },
)
