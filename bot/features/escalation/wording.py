"""What managers and reporters are told about escalations: every card, notice and form, in one
place for a reviewer to read.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content.taxonomy import Category, Setting, Step
from bot.features.escalation.storage import Escalation
from bot.machinery.storage.models import Person, Report
from bot.org.hours import WorkingHours, when
from bot.org.policy import Policy, describe_duration
from bot.port.views import Button, ButtonStyle, Card, Field, FieldKind, Form, Notice
from bot.turn import Turn

RESOLVE_FORM = "escalation.resolve"


REASONS = {
    "safety": "A safety concern (step 5, or the reporter felt unsafe)",
    "requested": "The reporter asked for it",
    "chaperone": "No chaperone accepted in time",
    "referral": "A referral was not answered in time",
    "reopened": "The reporter said an earlier resolution did not resolve it for them",
}


SUBJECTS = {"chaperone": "an unfilled chaperone request", "referral": "an unanswered referral"}
# Reopened by the person it was about after it was dealt with (see referral.closure).
REOPENED_SUBJECTS = {"referral": "a referral the referrer says is not resolved"}


def subject_label(escalation: Escalation) -> str:
    """What a non-report escalation is about, in a few words."""
    if escalation.reason == "reopened" and escalation.subject_type in REOPENED_SUBJECTS:
        return REOPENED_SUBJECTS[escalation.subject_type]
    return SUBJECTS.get(escalation.subject_type, "a request")


STATUS_LABELS = {"waiting": "Waiting for working hours", "open": "Waiting for a manager", "acknowledged": "Acknowledged", "resolved": "Resolved",
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


def _zone(person: Person, org) -> str:
    return person.timezone or (org.timezone if org else None) or "UTC"


def notice_card(escalation, report, team, policy, reporter, viewer, now, org=None, on_behalf_of=None) -> Card:
    """The notice a manager gets (and its updates): metadata only, never the narrative.
    ``on_behalf_of``: the person away whom the viewer stands in for."""
    facts = []
    if on_behalf_of is not None:
        facts.append(("Standing in for", f"{on_behalf_of.display_name} (away)"))
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
        ("Status", status_text(escalation, viewer, _zone(viewer, org))),
    ]
    buttons: list[Button] = []
    value = str(escalation.id)
    if escalation.status == "open":
        buttons.append(Button("Acknowledge", "escalation.ack", value, ButtonStyle.PRIMARY))
    if escalation.status in ("open", "acknowledged"):
        buttons.append(Button("Resolve…", "escalation.resolve", value))
    if report is not None and escalation.status != "cancelled":
        buttons.append(Button("View details", "escalation.view", value, dialog=True))
    about = Category(report.category).short if report else subject_label(escalation)
    title = f"Escalation: {about}"
    facts.append(("Reference", reference(escalation)))  # to quote it; not in the title
    paragraphs = ()
    if escalation.status == "open" and escalation.next_action_at:
        wait = describe_duration(policy.wait_at(escalation.level))
        last = escalation.level + 1 >= len(policy.levels)
        paragraphs = (f"Please acknowledge by {when(escalation.next_action_at, _zone(viewer, org))} ({wait}"
                      f"{'' if escalation.urgent or escalation.reason == 'safety' else ' of working time'}); "
                      f"then it goes {'to this level again' if last else 'to the next level'}.",)
    return Card(title=title, paragraphs=paragraphs, facts=tuple(facts), buttons=tuple(buttons))


def status_text(escalation: Escalation, viewer: Person, zone: str | None = None) -> str:
    label = STATUS_LABELS[escalation.status]
    if escalation.status == "waiting" and escalation.next_action_at:
        return f"{label}: goes out {when(escalation.next_action_at, viewer.timezone or zone)}"
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
        title="Resolve this escalation",
        intro="Say briefly what was done. Both notes are encrypted; neither is posted in chat.",
        fields=(Field("note", "What was done (for the record)", FieldKind.LONG_TEXT, required=True, max_length=1000,
                      help="Shown only in the escalation's details. Leave out anything that identifies the client."),
                Field("for_reporter", "What to tell the reporter (optional)", FieldKind.LONG_TEXT, max_length=600,
                      help="They see exactly these words, in a private view, and are asked whether it is "
                           "resolved for them. Left empty, they are told only that it is resolved."),),
        submit_label="Resolve",
        state=str(escalation_id),
        values=values or {},
        errors=errors or {},
    )


NO_ONE_TO_TELL = Notice(
    "You're not in a team with a manager I can alert, so I couldn't escalate this. Please contact "
    "your manager or security directly, and ask your Boundary Bot admin to add you to a team."
)


def remind_line(next_at: datetime | None, every, zone: str | None) -> str:
    if next_at is None:
        return ""
    return (f"If it isn't resolved by then, I'll remind you on {when(next_at, zone)}, and every "
            f"{describe_duration(every)} of working time after that.")


def waiting_card(report: Report, escalation: Escalation, told: list[Person], hours: WorkingHours | None,
                 at: str) -> Card:
    """The reporter's answer when a non-urgent escalation waits for the team's working hours:
    who will be told and when, and a way to send it now."""
    names = " and ".join(p.display_name for p in told)
    return Card(
        title=f"Your report will go to your managers at {at}",
        paragraphs=(f"Your team's working hours are {hours.describe() if hours else 'not set'}. {names} "
                    f"{'is' if len(told) == 1 else 'are'} told when they next start: {at} ({reference(escalation)}).",
                    "If it can't wait, send it now. If you are in danger, call security or the emergency number."),
        buttons=(Button("It can't wait: send it now", "escalation.now", str(escalation.id), ButtonStyle.DANGER),
                 Button("My reports", "status.show")),
    )


SNOOZE_LIMIT = 3  # a reminder may be put off this many times; safety ones never


def reminder_card(escalation: Escalation, viewer: Person, on_behalf_of: Person | None, org, snoozable: bool) -> Card:
    zone = _zone(viewer, org)
    paragraphs = ["It was acknowledged; please resolve it when it has been dealt with."]
    if on_behalf_of is not None:
        paragraphs.append(f"You're getting this as {on_behalf_of.display_name}'s deputy while they are away.")
    if escalation.next_action_at:
        paragraphs.append(f"Next reminder: {when(escalation.next_action_at, zone)}.")
    value = str(escalation.id)
    buttons = [Button("Resolve…", "escalation.resolve", value),
               Button("View details", "escalation.view", value, dialog=True)]
    if snoozable:
        buttons.append(Button(f"Snooze until tomorrow ({SNOOZE_LIMIT - escalation.snoozes} left)",
                              "escalation.snooze", value))
    return Card(title="Reminder: an escalation is still open", paragraphs=tuple(paragraphs),
                facts=(("Reference", reference(escalation)),), buttons=tuple(buttons))
