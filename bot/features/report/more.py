"""The short first step, and the optional rest.

The form a clinician sees first asks only what the advice needs at once: are you in danger,
what happened (with their own words and, if it may be, the client's condition or age), and
whether to keep it as a count only. Everything else — what happened more exactly, where, whether it happened before, who
it was, what else applies, a nickname for the client, a pattern reference, and whether
managers may see their name — is an optional follow-up from the advice card: [Add details].
The full form still reads any of those answers if a platform sends them with the first step.
"""

from __future__ import annotations

from bot.content import ladder
from bot.content.identifiers import describe, reference_problems
from bot.content.situations import SexualAct
from bot.content.taxonomy import Category, Factor, Occurrence
from bot.features import patterns
from bot.features.report.flow import confirmation
from bot.features.report.form import REPORT_FORM, read_category, read_condition, read_other
from bot.machinery.storage.models import Report
from bot.port.forms import clean
from bot.port.views import Form, Notice, View
from bot.turn import Turn

LATER = ("kind", "setting", "occurrence", "who", "factors", "client_ref", "pattern_ref", "named")
MORE_FORM = "report.more"
ADD = "report.add_details"


def more_form(report: Report, values: dict | None = None, errors: dict | None = None) -> Form:
    fields = tuple(f for f in REPORT_FORM.fields if f.name in LATER)
    shown = values if values is not None else {
        "kind": f"{report.category}:{report.act}" if report.act else report.category,
        "setting": report.setting, "occurrence": report.occurrence, "who": report.other_person or "",
        "factors": list(report.factors or []), "named": "confidential" if report.confidential else "named"}
    return Form(form_id=MORE_FORM, title="Add details (optional)", fields=fields, state=str(report.id),
                intro="All optional. They sharpen the advice; nothing here is sent to anyone.",
                submit_label="Save details", values=dict(shown), errors=dict(errors or {}))


async def ask(turn: Turn, value: str) -> list[View]:
    report = await _own(turn, value)
    return [more_form(report)] if report is not None else [NOT_YOURS]


NOT_YOURS = Notice("I can't find that report among yours. Type status to see your reports.")


async def _own(turn: Turn, value: str) -> Report | None:
    report = await turn.tx.reports.get(int(value)) if str(value).isdigit() else None
    return report if report is not None and report.author_id == turn.person.id else None


async def save(turn: Turn, submitted: dict, state: str) -> list[View]:
    report = await _own(turn, state)
    if report is None:
        return [NOT_YOURS]
    form = more_form(report)
    values, errors = clean(form, submitted)
    if kinds := reference_problems(values.get("client_ref")):
        errors["client_ref"] = (f"This looks like {describe(kinds)}. Please use a nickname that nobody else "
                                "could trace to the client.")
    if message := patterns.reference_problem(values.get("pattern_ref")):
        errors["pattern_ref"] = message
    if errors:
        return [more_form(report, submitted, errors)]
    now = turn.clock.now()
    if values.get("kind"):
        category, act = read_category(values["kind"])
        report.category, report.act = category.value, act.value if act else None
    report.setting = values.get("setting") or report.setting
    report.occurrence = values.get("occurrence") or report.occurrence
    other = read_other(values.get("who"))
    report.other_person = other.value if values.get("who") and other.value != "client" else report.other_person
    report.factors = values.get("factors") or list(report.factors or [])
    if values.get("client_ref"):
        report.client_ref_sealed = turn.sealer.seal(values["client_ref"])
    if values.get("named"):
        report.confidential = values["named"] == "confidential"
    before = report.step
    assessment = ladder.assess(Category(report.category), Occurrence(report.occurrence), report.felt_unsafe,
                               [Factor(f) for f in report.factors], act=SexualAct(report.act) if report.act else None,
                               condition=read_condition(report.condition))
    # Details never lower the step. Nor do they alert anyone by themselves: a report that only
    # now reads as a safety matter gets the escalate button, with who and when, to choose.
    raised_to_safety = assessment.step.value == 5 and before < 5
    report.step = max(before, 4 if raised_to_safety else assessment.step.value)
    report.updated_at = now
    await turn.tx.audit.record(now, turn.person.id, "report.detailed", "report", report.id)
    if values.get("pattern_ref"):
        await patterns.note_reference(turn.tx, now, report, turn.person, values["pattern_ref"], turn.pseudonyms)
    if before == 5:
        return [Notice("Details added to your report. Your managers already have it; nothing new was sent.")]
    card = await confirmation(turn, report, assessment.reason)
    if raised_to_safety:
        return [Notice("What you added makes this a safety matter. Nobody has been told yet: the card "
                       "below says who Escalate to my manager would tell, and when."), card]
    return [card]
