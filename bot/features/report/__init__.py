"""``report``: a private form, stored at once with the free text sealed, answered with the
recommended step and words the clinician could say; ``escalate`` sends one to managers."""

from bot.feature import Feature, Verb
from bot.features.report import escalate, flow, more, safeguarding, safety, status
from bot.features.report.flow import forget_messages
from bot.features.report.safety import call_button
from bot.features.report.tallies import ReportTally, TrendRow, trends
from bot.features.report.tallies import forget_before as forget_tallies_before

NO_REPORTS = status.NO_REPORTS

__all__ = ["FEATURE", "NO_REPORTS", "ReportTally", "TrendRow", "trends", "forget_tallies_before", "call_button",
           "forget_messages"]


async def _form_as_shown(turn, state):
    return await flow.form_for(turn)


async def _more_as_shown(turn, state):
    report = await turn.tx.reports.get(int(state)) if state.isdigit() else None
    return more.more_form(report) if report is not None and report.author_id == turn.person.id else None


FEATURE = Feature(
    name="report",
    verbs=(
        Verb("report", flow.start, "tell me privately what happened; get words you could say and the next step",
             aliases=("file",), order=10),
        Verb("escalate", escalate.escalate_verb, "send one of your reports to your manager now", order=60),
    ),
    buttons={
        "report.open": flow.open_button,
        "report.tone": flow.another_tone,
        "report.withdraw": flow.withdraw,
        "report.ask_delete": flow.ask_delete,
        "report.delete": flow.delete,
        "report.escalate": escalate.escalate_button,
        safety.SAFE: safety.safe_now,
        "report.call": safety.link_opened,
        "report.link": safety.link_opened,
        safeguarding.TELL: safeguarding.tell,
        more.ADD: more.ask,
        flow.WHY: flow.why_this,
    },
    timers={safety.CHECK_IN: safety.check_in},
    forms={flow.FORM_ID: flow.submit, more.MORE_FORM: more.save},
    form_views={flow.FORM_ID: _form_as_shown, more.MORE_FORM: _more_as_shown},
    audit_actions={
        "report.created": "a clinician filed a report",
        "report.withdrawn": "the author withdrew their report",
        "report.deleted": "the author deleted their report",
        "report.detailed": "the author added optional details to their report",
        "report.safe": "a clinician who said they were in danger said they are safe now",
        "report.safeguarding_told": "a clinician asked the bot to tell the safeguarding lead about a report",
    },
    status=status.section,
    status_order=50,
)
