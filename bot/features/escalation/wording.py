"""What managers and reporters are told about escalations: every card, notice and form, in one
place for a reviewer to read.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content.taxonomy import Category, Setting, Step
from bot.features.escalation.storage import Escalation
from bot.machinery.storage.models import Person, Report
from bot.org.policy import Policy, describe_duration
from bot.port.views import Button, ButtonStyle, Card, Field, FieldKind, Form, Notice
from bot.turn import Turn

RESOLVE_FORM = "escalation.resolve"


REASONS = {
    "safety": "A safety concern (step 5, or the reporter felt unsafe)",
    "requested": "The reporter asked for it",
    "chaperone": "No chaperone accepted in time",
    "referral": "A referral was not answered in time",
}


SUBJECTS = {"chaperone": "an unfilled chaperone request", "referral": "an unanswered referral"}


STATUS_LABELS = {"open": "Waiting for a manager", "acknowledged": "Acknowledged", "resolved": "Resolved",
                 "cancelled": "Cancelled"}


def reference(escalation: Escalation) -> str:
    return f"E-{escalation.id}"


def reporter_label(escalation: Escalation, report: Report | None, policy: Policy, reporter: Person | None) -> str:
    top = len(policy.levels) - 1
    if report is not None and report.confidential and escalation.level < top:
        return "Confidential (the reporter asked to stay unnamed below the top level)"
    return reporter.display_name if reporter else "unknown"


def _local(moment: datetime, person: Person, org_zone: str = "UTC") -> str:
    zone = person.timezone or org_zone
    return moment.astimezone(ZoneInfo(zone)).strftime("%-d %b %Y, %H:%M")


def notice_card(escalation, report, team, policy, reporter, viewer, now) -> Card:
    """The notice a manager gets (and its updates): metadata only, never the narrative."""
    facts = []
    if report is None and escalation.summary:
        facts.append(("What", escalation.summary))
    if report is not None:
        facts += [
            ("What", Category(report.category).label),
            ("Step", f"{report.step} — {Step(report.step).label}"),
            ("Where", Setting(report.setting).label),
            ("Reported", _local(report.created_at, viewer)),
        ]
    facts += [
        ("Reporter", reporter_label(escalation, report, policy, reporter)),
        ("Team", team.name),
        ("Why escalated", REASONS.get(escalation.reason, escalation.reason)),
        ("Status", status_text(escalation, viewer)),
    ]
    buttons: list[Button] = []
    value = str(escalation.id)
    if escalation.status == "open":
        buttons.append(Button("Acknowledge", "escalation.ack", value, ButtonStyle.PRIMARY))
    if escalation.status in ("open", "acknowledged"):
        buttons.append(Button("Resolve…", "escalation.resolve", value))
    if report is not None and escalation.status != "cancelled":
        buttons.append(Button("View details", "escalation.view", value, dialog=True))
    about = Category(report.category).short if report else SUBJECTS.get(escalation.subject_type, "a request")
    title = f"Escalation {reference(escalation)}: {about}"
    paragraphs = ()
    if escalation.status == "open":
        wait = describe_duration(policy.wait_at(escalation.level))
        paragraphs = (f"Please acknowledge within {wait}; otherwise it goes to the next level.",)
    return Card(title=title, paragraphs=paragraphs, facts=tuple(facts), buttons=tuple(buttons))


def status_text(escalation: Escalation, viewer: Person) -> str:
    label = STATUS_LABELS[escalation.status]
    if escalation.status == "open":
        return f"{label} (level {escalation.level + 1})"
    if escalation.status == "acknowledged" and escalation.acknowledged_at:
        return f"{label} at {_local(escalation.acknowledged_at, viewer)}"
    if escalation.status == "resolved" and escalation.resolved_at:
        return f"{label} at {_local(escalation.resolved_at, viewer)}"
    return label


NOT_FOUND = Notice("I can't find that escalation among those you can act on.")


async def already_done(turn: Turn, escalation: Escalation) -> str:
    if escalation.status == "acknowledged":
        who = await turn.tx.people.get(escalation.acknowledged_by)
        return f"{reference(escalation)} was already acknowledged by {who.display_name if who else 'someone'}."
    if escalation.status == "resolved":
        who = await turn.tx.people.get(escalation.resolved_by)
        return f"{reference(escalation)} was already resolved by {who.display_name if who else 'someone'}."
    return f"{reference(escalation)} was cancelled."


def resolve_form(escalation_id: int, values=None, errors=None) -> Form:
    return Form(
        form_id=RESOLVE_FORM,
        title=f"Resolve escalation E-{escalation_id}",
        intro="Say briefly what was done. The note is encrypted and shown only in the escalation's details.",
        fields=(Field("note", "What was done", FieldKind.LONG_TEXT, required=True, max_length=1000,
                      help="Leave out anything that identifies the client."),),
        submit_label="Resolve",
        state=str(escalation_id),
        values=values or {},
        errors=errors or {},
    )


NO_ONE_TO_TELL = Notice(
    "You're not in a team with a manager I can alert, so I couldn't escalate this. Please contact "
    "your manager or security directly, and ask your Boundary Bot admin to add you to a team."
)
