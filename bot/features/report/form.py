"""The report form: what it asks, in plain words, and how an answer is read.

"What happened?" offers a few plain groups, made exact by the clinician's words (what.py);
"Who was it?" tells a client from a
relative or visitor (or a colleague, which gets a signpost); "Could this be linked to the
client's age or condition?" moves the advice to the risk and capacity pathway.
"""

from __future__ import annotations

from dataclasses import replace

from bot.content.situations import (
    CONDITION_LABELS,
    OTHER_PERSON_LABELS,
    Condition,
    OtherPerson,
    SexualAct,
)
from bot.content.taxonomy import (
    FACTOR_LABELS,
    OCCURRENCE_LABELS,
    SETTING_LABELS,
    Category,
)
from bot.features import patterns
from bot.features.report import count_only, what
from bot.port.views import Field, FieldKind, Form, Option

FORM_ID = "report"
CLIENT_REF_MAX = 40
DETAILS_MAX = 2000
NOT_LINKED = "no"


def _options(labels: dict) -> tuple[Option, ...]:
    return tuple(Option(key.value, label) for key, label in labels.items())


CONDITION_OPTIONS = (
    Option(NOT_LINKED, "No"),
    Option(Condition.UNSURE.value, CONDITION_LABELS[Condition.UNSURE]),
    *(Option(c.value, label) for c, label in CONDITION_LABELS.items() if c is not Condition.UNSURE),
)

UNSAFE_HELP_NO_TEAM = ("If you answer yes, the advice puts your safety first. You are in no team with a "
                       "manager, so nobody is alerted: call security if you are in danger.")
INTRO_NO_TEAM = ("Only you can see this report. Nothing is posted to a channel, and nobody else is told "
                 "unless you choose to. Only the first two questions are needed: you get advice at once.")

REPORT_FORM = Form(
    form_id=FORM_ID,
    title="Report privately",
    intro=INTRO_NO_TEAM,
    submit_label="Save and get advice",
    fields=(
        Field("felt_unsafe", "Are you in danger, or did you feel unsafe?", FieldKind.YES_NO, required=True,
              help=UNSAFE_HELP_NO_TEAM),
        Field("category", "What happened?", FieldKind.SINGLE_CHOICE, required=True, options=what.OPTIONS),
        Field("details", "What happened, in your own words (optional)", FieldKind.LONG_TEXT,
              max_length=DETAILS_MAX,
              help="A few words help me find the closest advice. Encrypted, and never posted in chat. "
                   "Leave out names, phone numbers, addresses, dates of birth and record numbers."),
        # The rest is optional: it sharpens the advice.
        what.EXACT_FIELD,
        Field("setting", "Where were you? (optional)", FieldKind.SINGLE_CHOICE,
              options=_options(SETTING_LABELS)),
        Field("occurrence", "Has it happened before? (optional)", FieldKind.SINGLE_CHOICE,
              options=_options(OCCURRENCE_LABELS)),
        Field("condition", "Could this be linked to the client's age or condition? (optional)", FieldKind.SINGLE_CHOICE,
              options=CONDITION_OPTIONS,
              help="For example confusion, a learning disability, a mental-health crisis, alcohol or "
                   "drugs, a threat to harm themselves, or a child. The advice changes to fit."),
        Field("who", "Who was it? (optional)", FieldKind.SINGLE_CHOICE, options=_options(OTHER_PERSON_LABELS)),
        Field("factors", "Does any of this apply? (optional)", FieldKind.MULTI_CHOICE,
              options=_options(FACTOR_LABELS)),
        Field("client_ref", "Your own nickname for this client (optional)", FieldKind.SHORT_TEXT,
              max_length=CLIENT_REF_MAX, placeholder="e.g. Blue heron",
              help="A nickname you choose, only so you can recognise this later; encrypted, and only "
                   "you see it. Do not use initials, dates of birth or record numbers."),
        patterns.FIELD,
        Field("named", "If this goes to your managers (optional)", FieldKind.SINGLE_CHOICE,
              options=(Option("named", "They may see my name"),
                       Option("confidential", "Keep my name from them, except the most senior level")),
              help="It goes to them only if you escalate it, or at once if you say you are in danger. "
                   "Managers who can see it are those in your team's escalation policy."),
        count_only.FIELD,
    ),
)


def with_preview(form: Form, told: str | None) -> Form:
    """The form, saying who a "yes, I'm in danger" alerts and when, before anyone chooses it
    (``told``: "Morgan Reyes now; Dr Chris Osei if not acknowledged in 15 minutes")."""
    if told is None:
        return form
    help_text = f"Yes: I alert {told}. Your safety comes first, so this happens at once. No: nobody is told."
    intro = ("Only you can see this report. Nothing is posted to a channel, and nobody else is told "
             "unless you escalate it, or you answer yes to the first question: then I alert " + told
             + ". Only the first two questions are needed: you get advice at once.")
    # Choosing threats is a safety matter too: the alert it sends is said where it is chosen.
    threat_help = f"Choosing threats, stalking or aggression also alerts {told}. Your safety comes first."
    fields = tuple(replace(f, help=help_text) if f.name == "felt_unsafe"
                   else replace(f, help=threat_help) if f.name == "category" else f for f in form.fields)
    return replace(form, intro=intro, fields=fields)


def read_category(value: str) -> tuple[Category, SexualAct | None]:
    """``"SEXUAL:touch"`` → (SEXUAL, touch); a plain code has no act."""
    code, _, act = value.partition(":")
    return Category(code), (SexualAct(act) if act else None)


def read_condition(value: str | None) -> Condition | None:
    return None if not value or value == NOT_LINKED else Condition(value)


def read_other(value: str | None) -> OtherPerson:
    return OtherPerson(value) if value else OtherPerson.CLIENT
