"""Everything people are told about chaperone requests (form, cards, notices, labels), for a reviewer to read in one place."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.identifiers import describe
from bot.content.taxonomy import Category
from bot.features import escalation
from bot.features.chaperone.storage import ChaperoneRequest
from bot.machinery.storage.models import Person
from bot.org import directory_search as directory
from bot.org.hours import when
from bot.port.views import (
    Button,
    ButtonStyle,
    Card,
    Dialog,
    Field,
    FieldKind,
    Form,
    Notice,
    Option,
)
from bot.turn import Turn

FORM_ID = "chaperone"
DURATIONS = (15, 30, 45, 60, 90, 120)
SETTING_OPTIONS = (
    Option("in_person", "In person"),
    Option("telehealth", "Telehealth (video or phone)"),
    Option("home_visit", "Home visit (a buddy or check-in call)"),
)
SETTING_LABELS = {o.value: o.label for o in SETTING_OPTIONS}
NOT_FOUND = Notice("I can't find that chaperone request among yours.")
NOT_ASKED = Notice("I can't find a chaperone request that you were asked about.")
# Worded like NOT_FOUND: a refusal must not tell a stranger the request exists.
NOT_THE_CHAPERONE = Notice("I can't find that request among those you are chaperoning. Type status to see yours.")


def reference(request: ChaperoneRequest) -> str:
    return f"C-{request.id}"


def zone_of(person: Person, org) -> str:
    return person.timezone or (org.timezone if org else None) or "UTC"


def when_of(request: ChaperoneRequest, zone: str) -> str:
    start = request.starts_at.astimezone(ZoneInfo(zone))
    end = start + timedelta(minutes=request.minutes)
    return f"{start:%a %-d %b}, {start:%H:%M}–{end:%H:%M}"


def facts_of(request: ChaperoneRequest, zone: str) -> tuple[tuple[str, str], ...]:
    facts = [("When", when_of(request, zone)), ("Length", f"{request.minutes} minutes"),
             ("Setting", SETTING_LABELS[request.setting])]
    if request.setting == "in_person":
        facts.append(("Where", ", ".join(filter(None, (request.site, request.room)))
                      or "Where they are now (you can message them once you accept)"))
    if request.urgent:
        facts.append(("Urgent", "Yes"))
    return tuple(facts)


def _cancel_button(request: ChaperoneRequest) -> Button:
    return Button("Cancel request", "chaperone.cancel", str(request.id), ButtonStyle.DANGER)


def _details_button(request: ChaperoneRequest) -> Button:
    return Button("Session details", "chaperone.details", str(request.id), dialog=True)


def _withdraw_button(request: ChaperoneRequest) -> Button:
    return Button("Withdraw", "chaperone.withdraw", str(request.id), ButtonStyle.DANGER)


# --- the request form -----------------------------------------------------------------------


async def my_reports(turn: Turn) -> tuple[Option, ...]:
    reports = await turn.tx.reports.by_author(turn.person.id)
    return tuple(Option(str(r.id), f"R-{r.id} · {Category(r.category).short}") for r in reports[:10])


SITE_PICKER = "chaperone.site"


async def request_form(turn: Turn, values=None, errors=None) -> Form:
    sites = turn.org.sites if turn.org else None
    site = (directory.site_field("site", "Site (in person)", FieldKind.SINGLE_CHOICE, sites, SITE_PICKER,
                                 (values or {}).get("site")) if sites
            else Field("site", "Site (in person)", FieldKind.SHORT_TEXT, max_length=120))
    reports = await my_reports(turn)
    fields = [
        Field("date", "Date", FieldKind.DATE, required=True),
        Field("start", "Start time", FieldKind.TIME, required=True, help=f"In {zone_of(turn.person, turn.org)}."),
        Field("minutes", "How long", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(str(m), f"{m} minutes") for m in DURATIONS)),
        Field("setting", "Setting", FieldKind.SINGLE_CHOICE, required=True, options=SETTING_OPTIONS),
        site,
        Field("room", "Room (in person, optional)", FieldKind.SHORT_TEXT, max_length=60),
        Field("join_link", "Video link (telehealth, optional)", FieldKind.SHORT_TEXT, max_length=500,
              help="Given only to the colleague who accepts, never to everyone asked."),
        Field("urgent", "Is it urgent?", FieldKind.YES_NO, required=True,
              help="Urgent requests go to every matching volunteer at once."),
    ]
    if reports:
        fields.append(Field("report", "About one of your reports (optional)", FieldKind.SINGLE_CHOICE, options=reports))
    fields.append(Field("note", "A short note for the chaperone (optional)", FieldKind.SHORT_TEXT, max_length=200,
                        help="Logistics only, e.g. where to meet. Nothing that identifies the client."))
    # Who else hears of it, before anyone is asked: the team's managers, if nobody accepts.
    levels = await escalation.ladder(turn.tx, turn.person, turn.clock.now())
    managers = " and ".join(p.display_name for p in levels[0][0]) if levels else ""
    fallback = f" If nobody accepts in time, {managers} will be told so they can help." if managers else ""
    return Form(
        form_id=FORM_ID,
        title="Ask for a chaperone",
        intro=("A colleague who volunteers will be in the room, join the call as an announced observer, "
               "or be your buddy on the phone during a home visit. Only volunteers who are free then "
               "are asked, privately." + fallback),
        fields=tuple(fields),
        submit_label="Find a chaperone",
        values=values or {"minutes": "30", "urgent": "no"},
        errors=errors or {},
    )


PASSED = "That time has already passed. Please give a time in the future."
TOO_FAR_AHEAD = "Please ask at most 60 days ahead."  # flow.MAX_AHEAD
NO_SITE = "Please say which site, so only volunteers who can get there are asked."
NOT_A_LINK = "Please give the meeting's https:// link (or leave it empty)."


def note_identifies(kinds) -> str:
    return f"This seems to contain {describe(kinds)}. Please keep the note to logistics."


def sent_card(request: ChaperoneRequest, asked: int, matching: int, deadline: datetime, zone: str) -> Card:
    """The requester's answer to the form: who was asked, and what happens if nobody accepts."""
    if asked:
        more = matching - asked
        progress = (f"I've asked {asked} matching volunteer{'s' if asked != 1 else ''} privately"
                    + (f"; {more} more will be asked in turn until someone accepts." if more else "."))
    else:
        progress = "No volunteer matches that time and place yet. I'll keep looking."
    return Card(
        title="Chaperone request sent",
        paragraphs=(progress,
                    f"If nobody has accepted by {when(deadline, zone)}, I'll ask everyone who matches and "
                    "then tell your manager."),
        facts=facts_of(request, zone) + (("Reference", reference(request)),),
        buttons=(_cancel_button(request),),
    )


# --- what volunteers are asked, and their answers ------------------------------------------


OFFER_TEXT = {
    "offered": "Can you be the second person? The first colleague to accept covers it.",
    "accepted": "You're the chaperone for this session. Thank you.",
    "covered": "Covered by a colleague — thank you.",
    "declined": "You declined — thank you for letting us know.",
    "cancelled": "Cancelled — no longer needed. Thank you.",
    "withdrawn": "You withdrew. Thank you for letting us know in time.",
    "expired": "No longer needed: the session has started.",
}


def offer_card(request: ChaperoneRequest, requester: Person, volunteer: Person, state: str, org) -> Card:
    zone = zone_of(volunteer, org)
    facts = list(facts_of(request, zone))
    if request.setting == "telehealth":
        facts.append(("How", "Join the call as an announced observer (the link comes when you accept)"))
    if request.setting == "home_visit":
        facts.append(("How", "Be the buddy or check-in call during the visit"))
    facts.append(("For", requester.display_name))
    buttons: tuple[Button, ...] = ()
    value = str(request.id)
    if state == "offered":
        buttons = (Button("Accept", "chaperone.accept", value, ButtonStyle.PRIMARY),
                   Button("Decline", "chaperone.decline", value))
    elif state == "accepted":
        buttons = (_details_button(request), _withdraw_button(request))
    return Card(title=f"Chaperone needed: {when_of(request, zone)}", paragraphs=(OFFER_TEXT[state],),
                facts=tuple(facts), buttons=buttons)


def lost_race(request: ChaperoneRequest, mine: bool) -> Notice:
    """Accept pressed on a request that is no longer open."""
    if mine:
        return Notice("You're already the chaperone for this session. Thank you.")
    if request.status == "cancelled":
        return Notice("That request was cancelled: no longer needed. Thank you for offering.")
    return Notice("That session is already covered by a colleague. Thank you for offering.")


def _message_button(person: Person, link: str | None) -> tuple[Button, ...]:
    first = person.display_name.removeprefix("Dr ").split(" ")[0]
    return (Button(f"Message {first}", "chaperone.message", url=link, style=ButtonStyle.PRIMARY),) if link else ()


def _calendar_button(link: str | None) -> tuple[Button, ...]:
    return (Button("Add to calendar", "chaperone.message", url=link),) if link else ()


def covered_card(request: ChaperoneRequest, chaperone: Person, zone: str, link: str | None = None,
                 calendar: str | None = None) -> Card:
    """The requester's news that someone accepted, with a way to reach them."""
    reach = "Message them to agree the details." if link else "Agree the details with them directly."
    return Card(
        title=f"{chaperone.display_name} is coming" if request.urgent else "Chaperone found",
        paragraphs=(f"{chaperone.display_name} will be your chaperone. {reach}",),
        facts=facts_of(request, zone),
        buttons=(*_message_button(chaperone, link), *_calendar_button(calendar), _cancel_button(request)),
    )


def accepted_card(request: ChaperoneRequest, requester: Person, zone: str, link: str | None,
                  note: str | None = None, message: str | None = None, calendar: str | None = None) -> Card:
    """The chaperone's answer on accepting: the requester's note and the join link (telehealth)
    are given here, to them only."""
    paragraphs = [f"Thank you. {requester.display_name} has been told it's you."]
    if note:
        paragraphs.append(f"{requester.display_name}'s note for you: {note}")
    if request.setting == "telehealth":
        paragraphs.append(f"Join link: {link}" if link else f"Ask {requester.display_name} for the join link.")
        paragraphs.append("Join as an announced observer: the clinician introduces you at the start.")
    if request.setting == "home_visit":
        paragraphs.append(f"Agree with {requester.display_name} when they will call in, and what to do if they don't.")
    return Card(title=f"You're chaperoning for {requester.display_name}", paragraphs=tuple(paragraphs),
                facts=facts_of(request, zone) + (("For", requester.display_name),),
                buttons=(*_message_button(requester, message), *_calendar_button(calendar), _details_button(request),
                         _withdraw_button(request)))


def nothing_to_decline(offer_status: str) -> Notice:
    return Notice(f"Nothing to decline: {OFFER_TEXT.get(offer_status, '').lower() or 'already answered'}")


DECLINED = Notice("Thank you for letting us know. Someone else will be asked.")


def details_dialog(request: ChaperoneRequest, requester: Person, chaperone: Person | None, note: str | None,
                   link: str | None, zone: str) -> Dialog:
    """The session's note and join link: shown only in a dialog, never posted in chat."""
    paragraphs = ["Shown only here, never posted in chat."]
    if note:
        paragraphs.append(f"Note from {requester.display_name}: {note}")
    if link:
        paragraphs.append(f"Join link: {link}")
    facts = facts_of(request, zone) + (
        ("Requested by", requester.display_name), ("Chaperone", chaperone.display_name if chaperone else "not yet"))
    return Dialog(title="Session details", paragraphs=tuple(paragraphs), facts=facts)


# --- the requester and the chaperone changing their minds ------------------------------------


def already(request: ChaperoneRequest) -> Notice:
    return Notice(f"{reference(request)} is already {request.status}.")


def details_closed(request: ChaperoneRequest) -> Notice:
    return Notice(f"{reference(request)} was cancelled by the person who asked, so its note and link are no "
                  "longer shown. Type status to see what you have coming up.")


def cancelled_for_chaperone(request: ChaperoneRequest, requester: Person) -> Notice:
    return Notice(f"{requester.display_name} cancelled {reference(request)} ({when_of(request, 'UTC')} UTC): "
                  "you are no longer needed. Thank you.")


def cancelled(request: ChaperoneRequest, told: int) -> Notice:
    return Notice(f"Your chaperone request is cancelled. {told} volunteer{'s' if told != 1 else ''} "
                  f"{'have' if told != 1 else 'has'} been told. Type chaperone whenever you need someone with you.")


def withdrawn_for_requester(request: ChaperoneRequest, chaperone: Person) -> Notice:
    return Notice(f"{chaperone.display_name} can no longer chaperone {reference(request)}. I'm asking other "
                  "volunteers now and will tell you when someone accepts.")


def withdrawn(request: ChaperoneRequest, requester: Person) -> Notice:
    return Notice(f"You've withdrawn from {reference(request)}. {requester.display_name} has been told "
                  "and other volunteers are being asked. Thank you for saying so in time.")


def nothing_to_record(request: ChaperoneRequest) -> Notice:
    return Notice(f"{reference(request)} had no chaperone to record.")


# --- what the timers say --------------------------------------------------------------------


def unfilled_summary(request: ChaperoneRequest, zone: str, asked: int) -> str:
    """The one line of metadata the managers' escalation notice shows — never the note."""
    return (f"Chaperone request {reference(request)} for {when_of(request, zone)} "
            f"({SETTING_LABELS[request.setting].lower()}) is unfilled; {asked} volunteer"
            f"{'s' if asked != 1 else ''} asked")


def escalated(request: ChaperoneRequest, found: bool, told: list[Person]) -> Notice:
    """The requester's news that an unfilled request went to their managers (or could not)."""
    names = ", ".join(p.display_name for p in told) or "your manager"
    text = (f"No volunteer has accepted {reference(request)} yet. I've told {names}; you'll hear as soon as "
            "someone accepts." if found else
            f"No volunteer has accepted {reference(request)} yet, and I have no manager to tell for you. "
            "Please ask a colleague directly.")
    return Notice(text)


def reminder_card(request: ChaperoneRequest, other: Person, other_is_chaperone: bool, zone: str) -> Card:
    """Before the session, to each side; ``other`` is who they will be with."""
    role = "your chaperone" if other_is_chaperone else "the clinician"
    return Card(
        title="Soon: your chaperoned session",
        paragraphs=(f"Starting {when_of(request, zone)}, with {other.display_name} as {role}.",),
        facts=facts_of(request, zone),
        buttons=(_details_button(request),),
    )


def follow_up_card(request: ChaperoneRequest, chaperone: Person) -> Card:
    """After the session, to the requester: who observed, for the record."""
    value = str(request.id)
    return Card(
        title="Who observed your session?",
        paragraphs=("For the record the chaperone guidance asks for: did the session happen with your chaperone present?",),
        buttons=(Button(f"Yes, {chaperone.display_name} was there", "chaperone.record", f"{value}:observed", ButtonStyle.PRIMARY),
                 Button("It didn't happen", "chaperone.record", f"{value}:did_not_happen")),
    )


# --- status ---------------------------------------------------------------------------------


STATUS_TEXT = {"open": "Looking for a volunteer", "covered": "Covered", "cancelled": "Cancelled",
               "unfilled": "Unfilled", "done": "Recorded"}


def status_card(request: ChaperoneRequest, requester: Person, chaperone: Person | None, mine_to_run: bool,
                zone: str) -> Card:
    """One of my requests (``mine_to_run``), or a session I'm chaperoning."""
    buttons = []
    if mine_to_run and request.status in ("open", "covered"):
        buttons.append(_cancel_button(request))
    if not mine_to_run and request.status == "covered":
        buttons.append(_withdraw_button(request))
    if request.status in ("covered", "done"):
        buttons.insert(0, _details_button(request))
    return Card(
        title="Chaperone requested" if mine_to_run else f"Chaperoning for {requester.display_name}",
        facts=facts_of(request, zone) + (("Reference", reference(request)),
            ("Status", STATUS_TEXT[request.status] + (f" — observed by {chaperone.display_name}"
                                                      if request.outcome == "observed" else "")),
            ("Chaperone", chaperone.display_name if chaperone else "not yet")),
        buttons=tuple(buttons),
    )


def team_records_card(rows: list[tuple[ChaperoneRequest, Person, Person | None]], zone: str) -> Card:
    """For a manager: their teams' recorded sessions, one line each."""
    facts = []
    for request, requester, chaperone in rows:
        outcome = f"observed by {chaperone.display_name}" if request.outcome == "observed" else "did not happen"
        facts.append((reference(request), f"{when_of(request, zone)}, {SETTING_LABELS[request.setting].lower()}: "
                                          f"{requester.display_name}, {outcome}"))
    return Card(title="Chaperoned sessions in your teams (last 30 days)", facts=tuple(facts))
