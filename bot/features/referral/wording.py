"""What people are told about referrals: every card, notice, form and label, for a reviewer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content.identifiers import describe
from bot.content.taxonomy import Category
from bot.features.referral.storage import Referral, offers, policy_for, step_done
from bot.machinery.storage.models import Person, Report, Team
from bot.machinery.storage.repos import Tx
from bot.org.hours import when
from bot.org.policy import ReferralPolicy
from bot.port.views import Button, ButtonStyle, Card, Field, FieldKind, Form, Notice, Option
from bot.turn import Turn

FORM_ID = "referral"
DECLINE_FORM = "referral.decline"
RETURN_FORM = "referral.return"
REROUTE_FORM = "referral.reroute"
TOLD_FORM = "referral.told"
NOTE_MAX = 1000
REASON_MAX = 500

REASONS = {
    "boundary": "The boundary cannot be restored",
    "objectivity": "My objectivity is compromised",
    "safety": "Safety",
    "wellbeing": "My own wellbeing",
    "other": "Another reason",
}
URGENCIES = {"routine": "Routine", "urgent": "Urgent"}
TOLD_HOW = {"in_person": "In person", "phone": "By phone", "video": "By video call", "letter": "By letter or message"}
CHECKLIST = {
    "client_told": "Client told",
    "summary_handed": "Care summary handed over (outside the bot)",
    "appointment_booked": "First appointment with the new clinician booked",
}
STATUS_LABELS = {
    "awaiting_approval": "Waiting for a manager's approval",
    "returned": "Returned by a manager",
    "offered": "Waiting for an answer",
    "declined": "Declined: choose someone else",
    "accepted": "Accepted: checklist open",
    "closed": "Closed",
    "withdrawn": "Withdrawn by the referrer",
}

# Said once to the referrer, in the first message about each referral.
SOUND_PRACTICE = (
    "Passing a client on when the working relationship can no longer stay professional is a "
    "sound clinical judgement that protects their care and you. It is not a failure."
)
NOT_FOUND = Notice("I can't find that referral among yours. Type status to see your referrals.")
NOTE_HELP = (
    "Only what the new clinician needs to pick up care safely. Encrypted, shown only in a "
    "private view, never posted in chat. Leave out names, phone numbers, addresses, dates of "
    "birth and record numbers."
)
NO_APPROVER = "Approval needs a manager of your team, and I can't find one. Please ask your Boundary Bot admin."


def reference(referral: Referral) -> str:
    return f"F-{referral.id}"


async def name(tx: Tx, person_id: int | None) -> str:
    person = await tx.people.get(person_id) if person_id else None
    return person.display_name if person else "someone"


async def to_label(tx: Tx, referral: Referral) -> str:
    if referral.receiver_id is not None:
        person = await tx.people.get(referral.receiver_id)
        return person.display_name if person else "a colleague"
    team = await tx.session.get(Team, referral.receiving_team_id) if referral.receiving_team_id else None
    return f"the {team.name} intake pool" if team else "a team's intake pool"


async def facts(tx: Tx, referral: Referral, viewer: Person) -> tuple[tuple[str, str], ...]:
    rows = [
        ("Reference", reference(referral)),
        ("From", await name(tx, referral.referrer_id)),
        ("To", await to_label(tx, referral)),
        ("Reason", REASONS[referral.reason]),
        ("Urgency", URGENCIES[referral.urgency]),
        ("Status", STATUS_LABELS.get(referral.status, referral.status)),
    ]
    if referral.accepted_by:
        rows.append(("Accepted by", await name(tx, referral.accepted_by)))
    return tuple(rows)


def note_button(referral: Referral, label: str = "Read the handoff note") -> Button:
    return Button(label, "referral.note", str(referral.id), dialog=True)


def withdraw_button(referral: Referral) -> Button:
    return Button("Withdraw…", "referral.withdraw", str(referral.id), ButtonStyle.DANGER)


def asked_line(asked: list[Person], to: str) -> str:
    if len(asked) == 1:
        return f"{asked[0].display_name} has been asked to take over."
    return f"The {len(asked)} people in {to} have been asked; the first to accept takes it."


def identifiers_in_note(kinds: Iterable[str]) -> str:
    return (f"This seems to contain {describe(kinds)}. Please take it out: the new "
            "clinician gets what they need from the care summary, not from the bot.")


# --- the forms ------------------------------------------------------------------------------


RECEIVER_PICKER = "referral.receiver"


def receiver_field() -> Field:
    return Field("receiver", "Who should take over?", FieldKind.SINGLE_CHOICE, required=True,
                 search=RECEIVER_PICKER, placeholder="Type a name or a team",
                 help="A named colleague, or a team's intake pool: everyone in the pool is asked and "
                      "the first to accept takes it.")


def referral_form(turn: Turn, policy: ReferralPolicy, reports: list[Report],
                  values: dict | None = None) -> Form:
    fields: list[Field] = []
    if reports:
        fields.append(Field(
            "report", "Which of your reports does this follow? (optional)", FieldKind.SINGLE_CHOICE,
            options=tuple(Option(str(r.id), f"R-{r.id} · {Category(r.category).short}, {turn.local_time(r.created_at)}")
                          for r in reports),
            help="Only you see the report; the receiver is not shown it."))
    fields += [
        Field("reason", "Why are you referring this client on?", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(k, v) for k, v in REASONS.items())),
        Field("urgency", "How soon?", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(k, v) for k, v in URGENCIES.items()),
              help=f"Routine: an answer is expected within {policy.answer_within.describe()}; urgent: "
                   f"within {policy.urgent_within.describe()}."),
        receiver_field(),
        Field("note", "Handoff note", FieldKind.LONG_TEXT, required=True, max_length=NOTE_MAX, help=NOTE_HELP),
    ]
    intro = ("Hand this client over to a colleague or a team. Nothing is posted to a channel: only "
             "the people asked to take it over see that it exists.")
    if policy.approval_required:
        intro += " Your team asks for a manager's approval first: your managers see it before anyone else is asked."
    else:
        fields.append(Field("approval", "Ask my manager to approve it first? (optional)", FieldKind.YES_NO,
                            help="Your team does not require it; say yes if you would like them to look first."))
    return Form(form_id=FORM_ID, title="Refer a client to a colleague", intro=intro, fields=tuple(fields),
                submit_label="Send the referral", values=values or {})


def _reason_form(form_id: str, referral_id: int, title: str, label: str, intro: str, submit: str) -> Form:
    return Form(
        form_id=form_id, title=title, intro=intro, submit_label=submit, state=str(referral_id),
        fields=(Field("reason", label, FieldKind.LONG_TEXT, required=True, max_length=REASON_MAX,
                      help="Encrypted and shown only in a private view. Leave out anything that identifies the client."),),
    )


def return_form(referral_id: int) -> Form:
    return _reason_form(RETURN_FORM, referral_id, "Return this referral", "Why are you returning it?",
                        "The referrer can read your reason in a private view and start again.", "Return it")


def decline_form(referral_id: int) -> Form:
    return _reason_form(DECLINE_FORM, referral_id, "Decline this referral", "Why can't you take it?",
                        "A short reason helps the referrer find someone else. They read it in a private view.",
                        "Decline")


def reroute_form(referral_id: int) -> Form:
    return Form(form_id=REROUTE_FORM, title="Choose someone else",
                intro="They get the same referral and note; the people who declined are not asked again.",
                fields=(receiver_field(),), submit_label="Send it",
                state=str(referral_id))


def told_form(referral_id: int) -> Form:
    return Form(form_id=TOLD_FORM, title="The client has been told",
                intro="How did the client hear about the handover?", submit_label="Tick it",
                fields=(Field("how", "How was the client told?", FieldKind.SINGLE_CHOICE, required=True,
                              options=tuple(Option(k, v) for k, v in TOLD_HOW.items())),),
                state=str(referral_id))


# --- to the referrer ------------------------------------------------------------------------


def zone(person: Person, org) -> str:
    return person.timezone or (org.timezone if org else None) or "UTC"


def gone_for_approval(approvers: list[Person], to: str, due: datetime, in_zone: str) -> str:
    names = " and ".join(p.display_name for p in approvers)
    return (f"It has gone to {names} for approval first; once approved, {to} will be asked. If nobody has "
            f"approved it by {when(due, in_zone)}, they are reminded.")


def gone_to_receivers(asked: list[Person], to: str) -> str:
    return f"{asked_line(asked, to)} I'll tell you when someone answers."


async def started_card(tx: Tx, referral: Referral, referrer: Person, next_step: str) -> Card:
    return Card(
        title="Referral started",
        paragraphs=(SOUND_PRACTICE, next_step,
                    "Until someone takes over, the client is still in your care: tell them what is "
                    "happening and who they will see next."),
        facts=await facts(tx, referral, referrer),
        buttons=(Button("My referrals", "status.show"), withdraw_button(referral)),
    )


async def declined_card(tx: Tx, referral: Referral, referrer: Person) -> Card:
    decliners = [await name(tx, o.person_id) for o in await offers(tx, referral) if o.status == "declined"]
    return Card(
        title="Your referral was declined",
        paragraphs=("Their reason opens in a private view. You can choose someone else: the reason, urgency "
                    "and note stay as they are.",),
        facts=(*await facts(tx, referral, referrer), ("Declined by", ", ".join(decliners) or "—")),
        buttons=(note_button(referral, "Read the reason"),
                 Button("Choose someone else", "referral.reroute", str(referral.id), ButtonStyle.PRIMARY),
                 withdraw_button(referral)),
    )


def rerouted(referral: Referral, asked: list[Person], to: str) -> Notice:
    return Notice(f"Referral {reference(referral)}: {asked_line(asked, to)} "
                  "I'll tell you when someone answers.")


async def status_card(tx: Tx, referral: Referral, referrer: Person) -> Card:
    return Card(title=f"Referral: {STATUS_LABELS[referral.status].lower()}",
                facts=await facts(tx, referral, referrer), buttons=(note_button(referral), withdraw_button(referral)))


def reminded(referral: Referral, to: str, managers_at: datetime, in_zone: str) -> Notice:
    return Notice(
        f"Nobody has answered referral {reference(referral)} yet, so I've reminded "
        f"{to}. If there is still no answer by {when(managers_at, in_zone)}, "
        "your managers will be told.")


def unanswered(referral: Referral, to: str, waited: str) -> str:
    """The one line the referrer's managers get in the escalation: metadata, never the note."""
    return (f"Referral {reference(referral)} ({referral.urgency}) to {to} "
            f"has had no answer for {waited}")


def no_manager_to_tell(referral: Referral) -> Notice:
    return Notice(f"Nobody has answered referral {reference(referral)}, and I couldn't find a manager to tell. "
                  "Please contact the receiver or your manager directly.")


def managers_told(referral: Referral, told: list[Person], escalation_reference: str) -> Notice:
    names = " and ".join(p.display_name for p in told) or "your managers"
    return Notice(f"Nobody has answered referral {reference(referral)}, so {names} "
                  f"{'has' if len(told) == 1 else 'have'} been told ({escalation_reference}). "
                  "The people asked can still accept it.")


# --- to receivers ---------------------------------------------------------------------------


async def offer_card(tx: Tx, referral: Referral, viewer: Person, offer_status: str,
                     policy: ReferralPolicy | None = None, due: datetime | None = None) -> Card:
    value = str(referral.id)
    shown = await facts(tx, referral, viewer)
    if offer_status == "offered":
        policy = policy or await policy_for(tx, referral.referrer_id)
        window = policy.window(referral.urgency == "urgent").describe()
        org = await tx.org.get()
        by = f" (by {when(due, zone(viewer, org))})" if due else ""
        pool = referral.receiving_team_id is not None
        return Card(
            title="Would you take over a client?",
            paragraphs=(
                ("You are in the intake pool: everyone in it has been asked, and the first to accept takes it. "
                 if pool else "") + f"Please answer within {window}{by}.",
                "The handoff note opens in a private view; it is never posted in chat. You can ask the referrer "
                "a question before you decide.",
            ),
            facts=shown,
            buttons=(Button("Accept", "referral.accept", value, ButtonStyle.PRIMARY),
                     Button("Decline…", "referral.decline", value), note_button(referral),
                     Button("Ask a question…", "referral.ask", value)),
        )
    titles = {
        "accepted": "Referral: you accepted it",
        "taken": "Referral: taken by a colleague",
        "declined": "Referral: you declined it",
        "withdrawn": "Referral: no longer waiting for you",
    }
    buttons = (note_button(referral),) if offer_status == "accepted" else ()
    shown = shown if offer_status in ("accepted", "declined") else ()
    return Card(title=titles[offer_status], facts=shown, buttons=buttons)


# --- the note and reasons, in a dialog ------------------------------------------------------


def note_paragraphs(note: str | None, by_referrer: bool) -> list[str]:
    return ["Shown only here, never posted in chat."
            + ("" if by_referrer else " Your viewing has been recorded."),
            f"Handoff note: {note}"]


# --- the checklist --------------------------------------------------------------------------


async def checklist_card(tx: Tx, referral: Referral, viewer: Person, title: str | None = None) -> Card:
    org = await tx.org.get()
    zone = ZoneInfo(viewer.timezone or (org.timezone if org else None) or "UTC")

    def when(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%-d %b %Y, %H:%M")

    shown = list(await facts(tx, referral, viewer))
    buttons: list[Button] = []
    value = str(referral.id)
    for step, label in CHECKLIST.items():
        at, by = step_done(referral, step)
        if at:
            how = f" ({TOLD_HOW[referral.client_told_how].lower()})" if step == "client_told" and referral.client_told_how else ""
            shown.append((label, f"Done {when(at)} by {await name(tx, by)}{how}"))
        else:
            shown.append((label, "Not yet"))
            if referral.status == "accepted":
                buttons.append(Button(f"{label}…" if step == "client_told" else f"Tick: {label}",
                                      "referral.told" if step == "client_told" else "referral.tick",
                                      value if step == "client_told" else f"{value}:{step}"))
    if referral.closed_at:
        shown.append(("Referral closed", f"{when(referral.closed_at)} by {await name(tx, referral.closed_by)}"))
    elif referral.status == "accepted":
        buttons.append(Button("Close the referral", "referral.tick", f"{value}:closed", ButtonStyle.PRIMARY))
    buttons.append(note_button(referral))
    if referral.status == "accepted" and viewer.id == referral.referrer_id:
        buttons.append(withdraw_button(referral))
    paragraphs = ("Either of you can tick these. Each step is dated; close the referral when the client "
                  "is settled with their new clinician.",) if referral.status == "accepted" else ()
    return Card(title=title or "Referral checklist", paragraphs=paragraphs,
                facts=tuple(shown), buttons=tuple(buttons))


# --- where things stand ---------------------------------------------------------------------


async def where_it_stands(tx: Tx, referral: Referral) -> str:
    ref = reference(referral)
    match referral.status:
        case "accepted":
            return f"{ref} was already accepted by {await name(tx, referral.accepted_by)}."
        case "closed":
            return f"{ref} is closed."
        case "returned":
            return f"{ref} was returned by {await name(tx, referral.returned_by)}."
        case "awaiting_approval":
            return f"{ref} is waiting for a manager's approval."
        case "declined":
            return f"{ref} was declined; the referrer is choosing someone else."
        case _:
            return f"{ref} is no longer waiting for you."
