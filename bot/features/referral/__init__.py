"""``refer``: hand a client over to a colleague or an intake pool, with approval, reminders
and a checklist until it is done."""

from bot.feature import Feature, Verb
from bot.features.referral import flow

__all__ = ["FEATURE"]

FEATURE = Feature(
    name="referral",
    verbs=(Verb("refer", flow.start, "hand a client over to a colleague or a team's intake pool, with a "
                                     "checklist until it is done", order=50),),
    buttons={
        "referral.start": flow.start,
        "referral.approve": flow.approve,
        "referral.return": flow.ask_return,
        "referral.accept": flow.accept,
        "referral.decline": flow.ask_decline,
        "referral.reroute": flow.ask_reroute,
        "referral.note": flow.view_note,
        "referral.told": flow.ask_told,
        "referral.tick": flow.tick,
    },
    forms={
        flow.FORM_ID: flow.submit,
        flow.RETURN_FORM: flow.return_it,
        flow.DECLINE_FORM: flow.decline,
        flow.REROUTE_FORM: flow.reroute,
        flow.TOLD_FORM: flow.told,
    },
    timers=flow.TIMER_HANDLERS,
    audit_actions={
        "referral.created": "a clinician started a referral",
        "referral.approved": "an approver approved a referral",
        "referral.returned": "an approver returned a referral to the referrer",
        "referral.accepted": "a receiver accepted a referral",
        "referral.declined": "a receiver declined a referral",
        "referral.rerouted": "the referrer chose someone else after a decline",
        "referral.note_viewed": "someone other than the referrer read the handoff note",
        "referral.reason_viewed": "the referrer read a decline or return reason",
        "referral.ticked": "a checklist step was ticked",
        "referral.closed": "a referral's checklist was completed",
    },
    status=flow.status_views,
    status_order=40,
)
