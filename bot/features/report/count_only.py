"""Count-only reports: "count only — don't record who I am".

Only the team, the category, the step, the setting and the month are kept, as one more in a
tally (bot.features.report.tallies): no person, no narrative, no day or time. The form says
what that means before anything is saved; a safety threat (felt unsafe, or step 5) needs a
named report, so the form comes back explaining that and offering the named route instead
of quietly dropping either.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.content.ladder import Assessment
from bot.content.taxonomy import Category, Setting, Step
from bot.features import patterns
from bot.features.report.tallies import count_one
from bot.machinery.storage.models import Report
from bot.port.views import Card, Field, FieldKind, Form, Option, View
from bot.turn import Turn

COUNT_ONLY = "count_only"

FIELD = Field(
    "keep", "How should this be kept? (optional)", FieldKind.SINGLE_CHOICE,
    options=(Option("mine", "As my report: private to me, and I can follow it up"),
             Option(COUNT_ONLY, "Count only — don't record who I am")),
    help="Count only keeps just your team, what happened, the step, where, and the month: not your name, "
         "not the day or time, not what you write. Nobody can follow it up with you, it won't be in your "
         "status, and it can't be withdrawn. It still counts in your organisation's trends. A safety threat "
         "needs a named report, so that someone can help.",
)

SAFETY_NEEDS_A_NAME = (
    "A safety threat can't be a count only: nobody could check that you are safe or act on it. Please choose "
    "'As my report' — you can still keep your name from managers below the most senior level — and your "
    "managers are alerted at once. If you are in danger now, leave and call security or the emergency number."
)
NO_WORDS = ("A count-only report keeps no words. Clear this box to save it as a count, or choose 'As my report' "
            "to keep what you wrote.")


def problems(values: dict, assessment: Assessment) -> dict[str, str]:
    errors = {}
    if values.get("felt_unsafe") or assessment.step is Step.SAFETY:
        errors["keep"] = SAFETY_NEEDS_A_NAME
    for name in ("details", "client_ref"):
        if values.get(name):
            errors[name] = NO_WORDS
    if values.get("pattern_ref"):
        errors["pattern_ref"] = patterns.NOT_FOR_COUNTS
    return errors


async def submit(turn: Turn, form: Form, submitted: dict, values: dict, assessment: Assessment, shown: Report,
                 advice: Callable[[Turn, Report], list[str]]) -> list[View]:
    """``shown`` is the report as it would have been, for the advice only (never stored)."""
    if errors := problems(values, assessment):
        return [form.with_errors(submitted, errors)]
    now = turn.clock.now()
    zone = ZoneInfo(turn.org.timezone if turn.org and turn.org.timezone else "UTC")
    team = await turn.tx.people.home_team(turn.person.id)
    await count_one(turn.tx, now.astimezone(zone).strftime("%Y-%m"), team.id if team else None,
                    shown.category, assessment.step.value, shown.setting)
    turn.forget_me = True
    step = assessment.step
    return [Card(
        title="Counted, without your name",
        paragraphs=(
            f"Recommended step {step.value} of 5: {step.label} (because {assessment.reason}).",
            *advice(turn, shown),
            "Kept: your team, what happened, the step, where and this month — nothing else. Nobody can "
            "follow this up with you. If you want support or someone to act, type report and keep it as "
            "your report (you can still keep your name from most managers).",
        ),
        facts=(("What", Category(shown.category).label), ("Where", Setting(shown.setting).label)),
    )]
