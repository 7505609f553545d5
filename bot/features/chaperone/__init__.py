"""``chaperone``: a second person for a session, found among volunteers; exactly one covers it.

Inside: ``flow`` (the state machine: request, accept, decline, cancel, withdraw, record),
``matching`` (who matches, asked in waves, and their cards kept current), ``access`` (who may
see and do what), ``wording`` (the form and every card and notice), ``timers`` (waves,
widening, going to the managers, reminders), ``storage`` (tables, queries, timer kinds).
"""

from bot.feature import Feature, Verb
from bot.features.chaperone import closure, flow, leave, urgent
from bot.features.chaperone.calendar import ROUTE as CALENDAR_ROUTE
from bot.features.chaperone.calendar import calendar_file
from bot.features.chaperone.retention import expired as expired_requests
from bot.features.chaperone.retention import forget as forget_request
from bot.features.chaperone.timers import TIMER_HANDLERS
from bot.features.chaperone.waiting import waiting
from bot.features.chaperone.wording import FORM_ID, SITE_PICKER, request_form
from bot.org.directory_search import site_picker

__all__ = ["FEATURE", "expired_requests", "forget_request", "calendar_file", "CALENDAR_ROUTE"]

async def _form_as_shown(turn, state):
    return await request_form(turn)


FEATURE = Feature(
    name="chaperone",
    verbs=(Verb("chaperone", flow.start, "ask for a colleague to be present at a session", order=30),),
    buttons={
        "chaperone.for_report": flow.start_for_report,
        "chaperone.now": urgent.colleague_now,
        "chaperone.message": urgent.link_opened,
        "chaperone.accept": flow.accept,
        "chaperone.decline": flow.decline,
        "chaperone.details": flow.details,
        "chaperone.cancel": flow.cancel,
        "chaperone.withdraw": flow.withdraw,
        "chaperone.record": flow.record,
        closure.CONFIRM: closure.confirm,
        closure.STILL_NEED: closure.still_need,
    },
    forms={FORM_ID: flow.submit},
    pickers={SITE_PICKER: site_picker()},
    form_views={FORM_ID: _form_as_shown},
    timers=TIMER_HANDLERS,
    audit_actions={
        "chaperone.requested": "a clinician asked for a chaperone",
        "chaperone.accepted": "a volunteer accepted a chaperone request",
        "chaperone.cancelled": "the requester cancelled a chaperone request",
        "chaperone.withdrawn": "the chaperone withdrew; the request re-opened",
        "chaperone.details_viewed": "the chaperone opened the session's note and link",
        "chaperone.observed": "the requester recorded who observed the session",
        "chaperone.did_not_happen": "the requester recorded that the session did not happen",
        "chaperone.reopened_on_leave": "the chaperone left the organisation; the request re-opened to others",
        "chaperone.confirmed": "the requester said an ended chaperone request is resolved for them",
        "chaperone.still_needed": "the requester said they still need someone after a request ended",
    },
    status=flow.status_cards,
    waiting=waiting,
    status_order=20,
    on_leave=leave.on_leave,
)
