"""Escalation: a report (or an unfilled request, an unanswered referral) climbs the team's
ladder of managers until one acknowledges it; reminders run until it is resolved.

Inside: ``flow`` (the state machine: start, acknowledge, resolve, settle), ``access`` (who
may see and act: the people the team's policy names), ``wording`` (every card and notice),
``timers`` (climbing and reminding), ``storage`` (tables and queries).
"""

from bot.feature import Feature
from bot.features.escalation import flow
from bot.features.escalation.flow import (
    escalate_report,
    settle_about,
    start,
    start_about,
    status_line,
)
from bot.features.escalation.retention import (
    forget_about,
    forget_for_report,
    forget_resolution_notes,
)
from bot.features.escalation.storage import overdue
from bot.features.escalation.timers import TIMER_HANDLERS, audit_overdue
from bot.features.escalation.wording import RESOLVE_FORM, reference, resolve_form

__all__ = ["FEATURE", "start", "start_about", "settle_about", "status_line", "escalate_report", "reference",
           "forget_about", "forget_for_report", "forget_resolution_notes"]


async def _count_overdue(tx, now) -> int:
    return len(await overdue(tx, now))


async def _resolve_form_as_shown(turn, state):
    return resolve_form(int(state)) if state.isdigit() else None


FEATURE = Feature(
    name="escalation",
    buttons={
        "escalation.ack": flow.acknowledge,
        "escalation.resolve": flow.ask_resolve,
        "escalation.view": flow.view_details,
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
    },
    status=flow.section,
    status_order=10,
    watchdogs={"escalation.overdue": audit_overdue},
    health={"escalations_overdue": _count_overdue},
)
