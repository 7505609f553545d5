"""``refer``: hand a client over to a colleague or an intake pool, with approval, reminders
and a checklist until it is done.

Inside: ``flow`` (the state machine: submit, accept or decline, choose someone else, the note
in a dialog), ``approval`` (approve or return, with a deadline, a reminder and a fallback to
the next level), ``withdraw`` (the referrer takes it back; everyone asked is told),
``questions`` (a receiver's question back before deciding), ``checklist`` (the dated steps
after acceptance, until closed), ``steps`` (asking people through their deputies, the
clocks in working hours), ``access`` (who may see and act: a table), ``wording`` and
``more_wording`` (every card, notice, form and label), ``timers`` (reminding, snoozing,
telling the referrer's managers), ``storage`` (tables and queries).
"""

from bot.feature import Feature, Verb
from bot.features.referral import (
    approval,
    checklist,
    closure,
    flow,
    leave,
    more_wording,
    questions,
    receivers,
    timers,
    withdraw,
    wording,
)
from bot.features.referral.retention import expired as expired_referrals
from bot.features.referral.retention import forget as forget_referral
from bot.features.referral.timers import TIMER_HANDLERS
from bot.features.referral.waiting import waiting

__all__ = ["FEATURE", "expired_referrals", "forget_referral"]

async def _by_id(make, state: str):
    return make(int(state)) if state.isdigit() else None


FEATURE = Feature(
    name="referral",
    verbs=(Verb("refer", flow.start, "hand a client over to a colleague or a team's intake pool, with a "
                                     "checklist until it is done", order=50),),
    buttons={
        "referral.start": flow.start,
        "referral.approve": approval.approve,
        "referral.return": approval.ask_return,
        "referral.accept": flow.accept,
        "referral.decline": flow.ask_decline,
        "referral.reroute": flow.ask_reroute,
        "referral.note": flow.view_note,
        "referral.told": checklist.ask_told,
        "referral.tick": checklist.tick,
        "referral.withdraw": withdraw.ask,
        "referral.withdraw_yes": withdraw.confirm,
        "referral.ask": questions.ask,
        "referral.question": questions.read,
        "referral.answer": questions.ask_answer,
        "referral.snooze": timers.snooze,
        closure.READ: closure.read_note,
        closure.CONFIRM: closure.confirm,
        closure.REOPEN: closure.reopen,
    },
    forms={
        wording.FORM_ID: flow.submit,
        wording.RETURN_FORM: approval.return_it,
        wording.DECLINE_FORM: flow.decline,
        wording.REROUTE_FORM: flow.reroute,
        wording.TOLD_FORM: checklist.told,
        more_wording.ASK_FORM: questions.submit_question,
        more_wording.ANSWER_FORM: questions.submit_answer,
        closure.CLOSE_FORM: checklist.close,
    },
    form_views={
        wording.FORM_ID: lambda turn, state: flow.form_as_shown(turn),
        wording.RETURN_FORM: lambda turn, state: _by_id(wording.return_form, state),
        wording.DECLINE_FORM: lambda turn, state: _by_id(wording.decline_form, state),
        wording.REROUTE_FORM: flow.reroute_form_as_shown,
        wording.TOLD_FORM: lambda turn, state: _by_id(wording.told_form, state),
        closure.CLOSE_FORM: lambda turn, state: _by_id(closure.close_form, state),
    },
    pickers={receivers.PICKER: receivers.RECEIVERS},
    timers=TIMER_HANDLERS,
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
        "referral.withdrawn": "the referrer withdrew a referral; everyone asked was told",
        "referral.question_asked": "a receiver asked the referrer a question before deciding",
        "referral.question_answered": "the referrer answered a receiver's question",
        "referral.snoozed": "a receiver put off a reminder about a referral",
        "referral.moved_on_leave": "the person who was to take or approve a referral left: it went to others",
        "referral.confirmed": "the referrer said a closed referral is resolved for them",
        "referral.reopened": "the referrer said a closed referral is not resolved for them: it reopened",
    },
    status=flow.status_views,
    waiting=waiting,
    status_order=40,
    on_leave=leave.on_leave,
)
