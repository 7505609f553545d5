"""Chaperone requests: a second person for a session, found among volunteers.

A request fans out privately to matching volunteers — opted in, available for the whole
slot in their own time zone, at the right site and setting, not the requester, not booked
then — in waves or all at once as the team's policy says. The first to accept covers it,
exactly once however many click together; everyone else's card turns to "covered". Both
sides get a reminder before the session. Unfilled at the deadline, the request is widened
to every eligible volunteer and then goes to the requester's managers. Afterwards the
requester records who observed, which is the documentation chaperone guidance asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update

from bot.content.identifiers import describe, find_identifier_kinds
from bot.content.taxonomy import Category
from bot.features import escalation
from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.features.volunteer import VolunteerProfile, Window, covers
from bot.machinery.outbox import notify, notify_many
from bot.machinery.storage.models import Person, TeamMember, Timer
from bot.machinery.storage.repos import Tx
from bot.org.policy import ChaperonePolicy
from bot.port.forms import clean
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
    View,
)
from bot.turn import Turn

FORM_ID = "chaperone"
WAVE, DEADLINE, ESCALATE, EXPIRE, REMIND, FOLLOW_UP = (
    "chaperone.wave", "chaperone.deadline", "chaperone.escalate", "chaperone.expire", "chaperone.remind",
    "chaperone.follow_up",
)
DURATIONS = (15, 30, 45, 60, 90, 120)
MAX_AHEAD = timedelta(days=60)
SETTING_OPTIONS = (
    Option("in_person", "In person"),
    Option("telehealth", "Telehealth (video or phone)"),
    Option("home_visit", "Home visit (a buddy or check-in call)"),
)
SETTING_LABELS = {o.value: o.label for o in SETTING_OPTIONS}
NOT_FOUND = Notice("I can't find that chaperone request among yours.")


def reference(request: ChaperoneRequest) -> str:
    return f"C-{request.id}"


def _zone(person: Person, org) -> str:
    return person.timezone or (org.timezone if org else None) or "UTC"


def _when(request: ChaperoneRequest, zone: str) -> str:
    start = request.starts_at.astimezone(ZoneInfo(zone))
    end = start + timedelta(minutes=request.minutes)
    return f"{start:%a %-d %b}, {start:%H:%M}–{end:%H:%M}"


@dataclass(frozen=True)
class _At:
    """A clock stopped at one moment, for collaborators that take a clock inside a timer."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


# --- the request form -----------------------------------------------------------------------


async def _my_reports(turn: Turn) -> tuple[Option, ...]:
    reports = await turn.tx.reports.by_author(turn.person.id)
    return tuple(Option(str(r.id), f"R-{r.id} · {Category(r.category).short}") for r in reports[:10])


async def request_form(turn: Turn, values=None, errors=None) -> Form:
    sites = tuple(Option(s, s) for s in (turn.org.sites or [])) if turn.org else ()
    reports = await _my_reports(turn)
    fields = [
        Field("date", "Date", FieldKind.DATE, required=True),
        Field("start", "Start time", FieldKind.TIME, required=True, help=f"In {_zone(turn.person, turn.org)}."),
        Field("minutes", "How long", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(str(m), f"{m} minutes") for m in DURATIONS)),
        Field("setting", "Setting", FieldKind.SINGLE_CHOICE, required=True, options=SETTING_OPTIONS),
        Field("site", "Site (in person)", FieldKind.SINGLE_CHOICE if sites else FieldKind.SHORT_TEXT,
              options=sites, max_length=None if sites else 120),
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
    return Form(
        form_id=FORM_ID,
        title="Ask for a chaperone",
        intro=("A colleague who volunteers will be in the room, join the call as an announced observer, "
               "or be your buddy on the phone during a home visit. Only volunteers who are free then "
               "are asked, privately."),
        fields=tuple(fields),
        submit_label="Find a chaperone",
        values=values or {"minutes": "30", "urgent": "no"},
        errors=errors or {},
    )


async def start(turn: Turn, args: str = "") -> list[View]:
    return [await request_form(turn)]


async def start_for_report(turn: Turn, value: str) -> list[View]:
    """The button on a report's answer: the form, with the report chosen."""
    options = {o.value for o in await _my_reports(turn)}
    values = {"minutes": "30", "urgent": "no"}
    if value in options:
        values["report"] = value
    return [await request_form(turn, values=values)]


async def submit(turn: Turn, values: dict, state: str = "") -> list[View]:
    form = await request_form(turn, values={})
    cleaned, errors = clean(form, values)
    now = turn.clock.now()
    zone = _zone(turn.person, turn.org)
    starts_at = None
    if "date" not in errors and "start" not in errors:
        starts_at = datetime.combine(cleaned["date"], cleaned["start"], ZoneInfo(zone)).astimezone(now.tzinfo)
        if starts_at < now - timedelta(minutes=5):
            errors["start"] = "That time has already passed. Please give a time in the future."
        elif starts_at > now + MAX_AHEAD:
            errors["date"] = "Please ask at most 60 days ahead."
    setting = cleaned.get("setting")
    if setting == "in_person" and not cleaned.get("site") and "site" not in errors:
        errors["site"] = "Please say which site, so only volunteers who can get there are asked."
    link = cleaned.get("join_link")
    if link and not link.lower().startswith("https://"):
        errors["join_link"] = "Please give the meeting's https:// link (or leave it empty)."
    if kinds := find_identifier_kinds(cleaned.get("note")):
        errors["note"] = f"This seems to contain {describe(kinds)}. Please keep the note to logistics."
    if errors:
        return [await request_form(turn, values=values, errors=errors)]

    request = ChaperoneRequest(
        requester_id=turn.person.id,
        report_id=int(cleaned["report"]) if cleaned.get("report") else None,
        starts_at=starts_at, minutes=int(cleaned["minutes"]), setting=setting,
        site=cleaned.get("site") if setting == "in_person" else None,
        room=cleaned.get("room") if setting == "in_person" else None,
        join_link_sealed=turn.sealer.seal(link) if setting == "telehealth" else None,
        note_sealed=turn.sealer.seal(cleaned.get("note")), urgent=cleaned["urgent"], status="open",
        wave=0, generation=1, created_at=now, updated_at=now,
    )
    turn.tx.session.add(request)
    await turn.tx.session.flush()
    await turn.tx.audit.record(now, turn.person.id, "chaperone.requested", "chaperone", request.id)
    policy = await _policy_for(turn.tx, turn.person.id)
    asked, matching = await _fan_out(turn.tx, request, turn.person, policy, now)
    deadline = _deadline(request, policy, now)
    await _schedule(turn.tx, request, DEADLINE, deadline, now)
    await _schedule(turn.tx, request, EXPIRE, request.starts_at, now)
    if asked:
        more = matching - asked
        progress = (f"I've asked {asked} matching volunteer{'s' if asked != 1 else ''} privately"
                    + (f"; {more} more will be asked in turn until someone accepts." if more else "."))
    else:
        progress = "No volunteer matches that time and place yet. I'll keep looking."
    return [Card(
        title=f"Chaperone request {reference(request)} sent",
        paragraphs=(progress,
                    f"If nobody has accepted by {deadline.astimezone(ZoneInfo(zone)):%H:%M on %a %-d %b}, I'll "
                    "ask everyone who matches and then tell your manager."),
        facts=_facts(request, zone),
        buttons=(Button("Cancel request", "chaperone.cancel", str(request.id), ButtonStyle.DANGER),),
    )]


def _facts(request: ChaperoneRequest, zone: str) -> tuple[tuple[str, str], ...]:
    facts = [("When", _when(request, zone)), ("Length", f"{request.minutes} minutes"),
             ("Setting", SETTING_LABELS[request.setting])]
    if request.setting == "in_person":
        facts.append(("Where", ", ".join(filter(None, (request.site, request.room)))))
    if request.urgent:
        facts.append(("Urgent", "Yes"))
    return tuple(facts)


def _deadline(request: ChaperoneRequest, policy: ChaperonePolicy, now: datetime) -> datetime:
    if request.urgent:
        return min(now + policy.urgent_deadline_after, request.starts_at)
    return max(now, request.starts_at - policy.deadline_before)


async def _policy_for(tx: Tx, person_id: int) -> ChaperonePolicy:
    team = await tx.people.home_team(person_id)
    return ChaperonePolicy.from_json(team.chaperone_policy if team else None)


async def _schedule(tx: Tx, request: ChaperoneRequest, kind: str, due: datetime, now: datetime, tag: str = "") -> None:
    await tx.timers.schedule(
        f"chap:{request.id}:{kind}:{request.generation}{tag}", kind, "chaperone", request.id, due, now,
        payload={"request_id": request.id, "generation": request.generation},
    )


# --- matching and fan-out -----------------------------------------------------------------


async def eligible(tx: Tx, request: ChaperoneRequest, requester: Person) -> list[Person]:
    """Volunteers who could cover the request, in the order they are asked: those who have
    covered fewest sessions lately first, then by name."""
    rows = (await tx.session.execute(
        select(Person, VolunteerProfile)
        .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
        .where(VolunteerProfile.active.is_(True), Person.active.is_(True), Person.id != requester.id)
    )).all()
    end = request.starts_at + timedelta(minutes=request.minutes)
    bookings = (await tx.session.execute(
        select(ChaperoneRequest.chaperone_id, ChaperoneRequest.starts_at, ChaperoneRequest.minutes).where(
            ChaperoneRequest.status == "covered", ChaperoneRequest.id != request.id,
            ChaperoneRequest.starts_at < end,
        )
    )).all()
    # A booking's end is checked here: SQLite cannot add minutes to a time portably.
    busy = {cid for cid, start, minutes in bookings if start + timedelta(minutes=minutes) > request.starts_at}
    recent = dict((await tx.session.execute(
        select(ChaperoneRequest.chaperone_id, func.count())
        .where(ChaperoneRequest.chaperone_id.is_not(None),
               ChaperoneRequest.accepted_at > request.created_at - timedelta(days=30))
        .group_by(ChaperoneRequest.chaperone_id)
    )).all())
    fits = []
    for person, profile in rows:
        if person.id in busy or request.setting not in profile.settings:
            continue
        if request.setting == "in_person" and profile.sites and request.site not in profile.sites:
            continue
        if profile.professions and (requester.profession or "") not in profile.professions:
            continue
        windows = [Window.from_json(w) for w in profile.windows]
        if not covers(windows, profile.unavailable, profile.timezone, request.starts_at, request.minutes):
            continue
        fits.append(person)
    return sorted(fits, key=lambda p: (recent.get(p.id, 0), p.display_name, p.id))


async def _offers(tx: Tx, request_id: int) -> list[ChaperoneOffer]:
    return list((await tx.session.scalars(
        select(ChaperoneOffer).where(ChaperoneOffer.request_id == request_id).order_by(ChaperoneOffer.id)
    )).all())


async def _fan_out(tx: Tx, request: ChaperoneRequest, requester: Person, policy: ChaperonePolicy, now: datetime,
                   *, everyone: bool = False) -> tuple[int, int]:
    """Ask the next wave (or everyone left). Returns (asked now, matching in all)."""
    matching = await eligible(tx, request, requester)
    asked_before = {o.volunteer_id for o in await _offers(tx, request.id)}
    waiting = [p for p in matching if p.id not in asked_before]
    all_at_once = everyone or request.urgent or policy.all_at_once
    batch = waiting if all_at_once else waiting[: policy.wave_size]
    request.wave += 1
    org = await tx.org.get()
    messages = []
    for volunteer in batch:
        key = f"chap:{request.id}:offer:{volunteer.id}"
        tx.session.add(ChaperoneOffer(request_id=request.id, volunteer_id=volunteer.id, wave=request.wave,
                                      notification_key=key, status="offered"))
        messages.append((key, volunteer.id, offer_card(request, requester, volunteer, "offered", org), None))
    await notify_many(tx, messages, now)
    if len(batch) < len(waiting):
        await _schedule(tx, request, WAVE, now + policy.wave_every, now, tag=f":{request.wave}")
    await tx.session.flush()
    return len(batch), len(matching)


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
    zone = _zone(volunteer, org)
    facts = list(_facts(request, zone))
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
        buttons = (Button("Session details", "chaperone.details", value, dialog=True),
                   Button("Withdraw", "chaperone.withdraw", value, ButtonStyle.DANGER))
    return Card(title=f"Chaperone needed: {_when(request, zone)}", paragraphs=(OFFER_TEXT[state],),
                facts=tuple(facts), buttons=buttons)


async def _set_offer(tx: Tx, offer: ChaperoneOffer, state: str, request: ChaperoneRequest, now: datetime) -> None:
    """Change an offer and update the volunteer's card in place."""
    await _set_offers(tx, [offer], state, request, now)


async def _set_offers(tx: Tx, offers: list[ChaperoneOffer], state: str, request: ChaperoneRequest,
                      now: datetime) -> None:
    """Change many offers at once (a request covered or cancelled with hundreds asked), each
    volunteer's card updated in place, in one statement."""
    if not offers:
        return
    requester = await tx.people.get(request.requester_id)
    org = await tx.org.get()
    ids = {o.volunteer_id for o in offers}
    volunteers = {p.id: p for p in (await tx.session.scalars(select(Person).where(Person.id.in_(ids)))).all()}
    messages = []
    for offer in offers:
        card = offer_card(request, requester, volunteers[offer.volunteer_id], state, org)
        key = f"chap:{request.id}:offer:{offer.volunteer_id}:{state}:{request.generation}"
        # Each update replaces the previous one, so a volunteer's card changes in order.
        messages.append((key, offer.volunteer_id, card, offer.notification_key))
        offer.status, offer.notification_key = state, key
    await notify_many(tx, messages, now)


# --- volunteers answering -------------------------------------------------------------------


async def _offer_for(turn: Turn, value: str) -> tuple[ChaperoneRequest, ChaperoneOffer] | None:
    try:
        request = await turn.tx.session.get(ChaperoneRequest, int(value))
    except (TypeError, ValueError):
        return None
    if request is None:
        return None
    offer = await turn.tx.session.scalar(select(ChaperoneOffer).where(
        ChaperoneOffer.request_id == request.id, ChaperoneOffer.volunteer_id == turn.person.id))
    return (request, offer) if offer else None


NOT_ASKED = Notice("I can't find a chaperone request that you were asked about.")


async def accept(turn: Turn, value: str) -> list[View]:
    found = await _offer_for(turn, value)
    if found is None:
        return [NOT_ASKED]
    request, offer = found
    now = turn.clock.now()
    # The one place exactly-one is decided: only an open request changes, atomically.
    won = (await turn.tx.session.execute(
        update(ChaperoneRequest)
        .where(ChaperoneRequest.id == request.id, ChaperoneRequest.status == "open")
        .values(status="covered", chaperone_id=turn.person.id, accepted_at=now, updated_at=now,
                generation=ChaperoneRequest.generation + 1)
        .execution_options(synchronize_session=False)
    )).rowcount == 1
    if not won:
        await turn.tx.session.refresh(request)
        if request.chaperone_id == turn.person.id:
            return [Notice(f"You're already the chaperone for {reference(request)}. Thank you.")]
        if request.status == "cancelled":
            return [Notice(f"{reference(request)} was cancelled: no longer needed. Thank you for offering.")]
        return [Notice(f"{reference(request)} is already covered by a colleague. Thank you for offering.")]
    await turn.tx.session.refresh(request)
    await turn.tx.timers.cancel_for("chaperone", request.id)
    await _set_offer(turn.tx, offer, "accepted", request, now)
    others = [o for o in await _offers(turn.tx, request.id) if o.id != offer.id and o.status == "offered"]
    await _set_offers(turn.tx, others, "covered", request, now)
    requester = await turn.tx.people.get(request.requester_id)
    org = await turn.tx.org.get()
    await notify(turn.tx, f"chap:{request.id}:covered:{request.generation}", requester.id, Card(
        title=f"Chaperone found for {reference(request)}",
        paragraphs=(f"{turn.person.display_name} will be your chaperone. You could message them to agree the details.",),
        facts=_facts(request, _zone(requester, org)),
        buttons=(Button("Cancel request", "chaperone.cancel", str(request.id), ButtonStyle.DANGER),),
    ), now)
    await _after_cover(turn.tx, request, now)
    await escalation.settle_about(turn.tx, "chaperone", request.id, now,
                                  f"{turn.person.display_name} accepted")
    await turn.tx.audit.record(now, turn.person.id, "chaperone.accepted", "chaperone", request.id)
    return [_accepted_card(turn, request, requester)]


def _accepted_card(turn: Turn, request: ChaperoneRequest, requester: Person) -> Card:
    zone = _zone(turn.person, turn.org)
    paragraphs = [f"Thank you. {requester.display_name} has been told it's you."]
    if request.setting == "telehealth":
        link = turn.sealer.open(request.join_link_sealed)
        paragraphs.append(f"Join link: {link}" if link else f"Ask {requester.display_name} for the join link.")
        paragraphs.append("Join as an announced observer: the clinician introduces you at the start.")
    if request.setting == "home_visit":
        paragraphs.append(f"Agree with {requester.display_name} when they will call in, and what to do if they don't.")
    return Card(title=f"You're chaperoning {reference(request)}", paragraphs=tuple(paragraphs),
                facts=_facts(request, zone) + (("For", requester.display_name),),
                buttons=(Button("Session details", "chaperone.details", str(request.id), dialog=True),
                         Button("Withdraw", "chaperone.withdraw", str(request.id), ButtonStyle.DANGER)))


async def _after_cover(tx: Tx, request: ChaperoneRequest, now: datetime) -> None:
    policy = await _policy_for(tx, request.requester_id)
    remind_at = request.starts_at - policy.remind_before
    if remind_at > now:
        await _schedule(tx, request, REMIND, remind_at, now)
    await _schedule(tx, request, FOLLOW_UP, request.starts_at + timedelta(minutes=request.minutes), now)


async def decline(turn: Turn, value: str) -> list[View]:
    found = await _offer_for(turn, value)
    if found is None:
        return [NOT_ASKED]
    request, offer = found
    if offer.status != "offered":
        return [Notice(f"Nothing to decline: {OFFER_TEXT.get(offer.status, '').lower() or 'already answered'}")]
    now = turn.clock.now()
    await _set_offer(turn.tx, offer, "declined", request, now)
    offer.responded_at = now
    if request.status == "open" and not any(o.status == "offered" for o in await _offers(turn.tx, request.id)):
        # Everyone asked so far said no: ask the next wave now rather than waiting.
        requester = await turn.tx.people.get(request.requester_id)
        await _fan_out(turn.tx, request, requester, await _policy_for(turn.tx, requester.id), now)
    return [Notice("Thank you for letting us know. Someone else will be asked.")]


async def details(turn: Turn, value: str) -> list[View]:
    """The session's details for the requester and the accepted chaperone, in a dialog."""
    request = await _request_for_party(turn, value)
    if request is None:
        return [NOT_FOUND]
    requester = await turn.tx.people.get(request.requester_id)
    chaperone = await turn.tx.people.get(request.chaperone_id) if request.chaperone_id else None
    paragraphs = ["Shown only here, never posted in chat."]
    if note := turn.sealer.open(request.note_sealed):
        paragraphs.append(f"Note from {requester.display_name}: {note}")
    if request.setting == "telehealth" and (link := turn.sealer.open(request.join_link_sealed)):
        paragraphs.append(f"Join link: {link}")
    if turn.person.id != request.requester_id:
        await turn.tx.audit.record(turn.clock.now(), turn.person.id, "chaperone.details_viewed", "chaperone", request.id)
    facts = _facts(request, _zone(turn.person, turn.org)) + (
        ("Requested by", requester.display_name), ("Chaperone", chaperone.display_name if chaperone else "not yet"))
    return [Dialog(title=f"{reference(request)} details", paragraphs=tuple(paragraphs), facts=facts)]


async def _request_for_party(turn: Turn, value: str) -> ChaperoneRequest | None:
    try:
        request = await turn.tx.session.get(ChaperoneRequest, int(value))
    except (TypeError, ValueError):
        return None
    if request is None or turn.person.id not in (request.requester_id, request.chaperone_id):
        return None
    return request


# --- the requester and the chaperone changing their minds ------------------------------------


async def cancel(turn: Turn, value: str) -> list[View]:
    request = await _request_for_party(turn, value)
    if request is None or request.requester_id != turn.person.id:
        return [NOT_FOUND]
    if request.status not in ("open", "covered"):
        return [Notice(f"{reference(request)} is already {request.status}.")]
    now = turn.clock.now()
    chaperone_id = request.chaperone_id
    request.status, request.updated_at = "cancelled", now
    request.generation += 1
    await turn.tx.timers.cancel_for("chaperone", request.id)
    asked = [o for o in await _offers(turn.tx, request.id) if o.status in ("offered", "accepted", "covered")]
    await _set_offers(turn.tx, asked, "cancelled", request, now)
    told = len(asked)
    if chaperone_id:
        await notify(turn.tx, f"chap:{request.id}:cancelled:{chaperone_id}", chaperone_id, Notice(
            f"{turn.person.display_name} cancelled {reference(request)} ({_when(request, 'UTC')} UTC): "
            "you are no longer needed. Thank you."), now)
    await escalation.settle_about(turn.tx, "chaperone", request.id, now, "the requester cancelled it")
    await turn.tx.audit.record(now, turn.person.id, "chaperone.cancelled", "chaperone", request.id)
    return [Notice(f"{reference(request)} is cancelled. {told} volunteer{'s' if told != 1 else ''} "
                   f"{'have' if told != 1 else 'has'} been told.")]


async def withdraw(turn: Turn, value: str) -> list[View]:
    request = await _request_for_party(turn, value)
    if request is None or request.chaperone_id != turn.person.id or request.status != "covered":
        return [Notice("You are not the chaperone for that request.")]
    now = turn.clock.now()
    request.status, request.chaperone_id, request.accepted_at, request.updated_at = "open", None, None, now
    request.generation += 1
    await turn.tx.timers.cancel_for("chaperone", request.id)
    offers = await _offers(turn.tx, request.id)
    for offer in offers:
        if offer.volunteer_id == turn.person.id:
            await _set_offer(turn.tx, offer, "withdrawn", request, now)
        elif offer.status == "covered":
            await _set_offer(turn.tx, offer, "offered", request, now)  # they may be free after all
    requester = await turn.tx.people.get(request.requester_id)
    policy = await _policy_for(turn.tx, requester.id)
    await _fan_out(turn.tx, request, requester, policy, now)
    await _schedule(turn.tx, request, DEADLINE, _deadline(request, policy, now), now)
    await _schedule(turn.tx, request, EXPIRE, request.starts_at, now)
    await notify(turn.tx, f"chap:{request.id}:withdrawn:{request.generation}", requester.id, Notice(
        f"{turn.person.display_name} can no longer chaperone {reference(request)}. I'm asking other "
        "volunteers now and will tell you when someone accepts."), now)
    await turn.tx.audit.record(now, turn.person.id, "chaperone.withdrawn", "chaperone", request.id)
    return [Notice(f"You've withdrawn from {reference(request)}. {requester.display_name} has been told "
                   "and other volunteers are being asked. Thank you for saying so in time.")]


async def record(turn: Turn, value: str) -> list[View]:
    """After the session: who observed, or that it did not happen."""
    request_id, _, outcome = value.partition(":")
    request = await _request_for_party(turn, request_id)
    if request is None or request.requester_id != turn.person.id or outcome not in ("observed", "did_not_happen"):
        return [NOT_FOUND]
    if request.status not in ("covered", "done"):
        return [Notice(f"{reference(request)} had no chaperone to record.")]
    now = turn.clock.now()
    request.status, request.outcome, request.outcome_at = "done", outcome, now
    await turn.tx.audit.record(now, turn.person.id, f"chaperone.{outcome}", "chaperone", request.id)
    chaperone = await turn.tx.people.get(request.chaperone_id)
    if outcome == "observed":
        return [Notice(f"Recorded: {chaperone.display_name} observed your session ({reference(request)}). "
                       "It's kept with the date, time and setting for you, them and your team's managers.")]
    return [Notice(f"Recorded: the session for {reference(request)} did not happen.")]


# --- timers ---------------------------------------------------------------------------------


async def _live(tx: Tx, timer: Timer, *statuses: str, same_generation: bool = True) -> ChaperoneRequest | None:
    request = await tx.session.get(ChaperoneRequest, timer.payload["request_id"], with_for_update=True)
    if request is None or request.status not in statuses:
        return None
    if same_generation and request.generation != timer.payload["generation"]:
        return None
    return request


async def next_wave(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "open")
    if request is not None:
        requester = await tx.people.get(request.requester_id)
        await _fan_out(tx, request, requester, await _policy_for(tx, requester.id), now)


async def deadline(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still unfilled: ask everyone who matches, then the managers a little later."""
    request = await _live(tx, timer, "open")
    if request is None:
        return
    requester = await tx.people.get(request.requester_id)
    policy = await _policy_for(tx, requester.id)
    request.widened = True
    asked, _ = await _fan_out(tx, request, requester, policy, now, everyone=True)
    when = now + policy.escalate_after if asked else now
    await _schedule(tx, request, ESCALATE, min(when, request.starts_at), now)


async def escalate(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "open")
    if request is None:
        return
    requester = await tx.people.get(request.requester_id)
    asked = len(await _offers(tx, request.id))
    org = await tx.org.get()
    summary = (f"Chaperone request {reference(request)} for {_when(request, _zone(requester, org))} "
               f"({SETTING_LABELS[request.setting].lower()}) is unfilled; {asked} volunteer"
               f"{'s' if asked != 1 else ''} asked")
    found, told = await escalation.start_about(tx, _At(now), requester, "chaperone", "chaperone", request.id, summary)
    if found is not None:
        request.escalation_id = found.id
    names = ", ".join(p.display_name for p in told) or "your manager"
    text = (f"No volunteer has accepted {reference(request)} yet. I've told {names}; you'll hear as soon as "
            "someone accepts." if found else
            f"No volunteer has accepted {reference(request)} yet, and I have no manager to tell for you. "
            "Please ask a colleague directly.")
    await notify(tx, f"chap:{request.id}:escalated", requester.id, Notice(text), now)


async def expire(tx: Tx, timer: Timer, now: datetime) -> None:
    """The session has started and nobody accepted."""
    request = await _live(tx, timer, "open")
    if request is None:
        return
    request.status, request.updated_at = "unfilled", now
    request.generation += 1
    waiting = [o for o in await _offers(tx, request.id) if o.status == "offered"]
    await _set_offers(tx, waiting, "expired", request, now)
    await notify(tx, f"chap:{request.id}:unfilled", request.requester_id, Notice(
        f"Nobody could chaperone {reference(request)}. If the session goes ahead, think about leaving the door "
        "ajar, a colleague nearby, or rescheduling."), now)


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "covered")
    if request is None:
        return
    org = await tx.org.get()
    requester = await tx.people.get(request.requester_id)
    chaperone = await tx.people.get(request.chaperone_id)
    for person, other, role in ((requester, chaperone, "your chaperone"), (chaperone, requester, "the clinician")):
        await notify(tx, f"chap:{request.id}:remind:{person.id}:{request.generation}", person.id, Card(
            title=f"Soon: chaperoned session {reference(request)}",
            paragraphs=(f"Starting {_when(request, _zone(person, org))}, with {other.display_name} as {role}.",),
            facts=_facts(request, _zone(person, org)),
            buttons=(Button("Session details", "chaperone.details", str(request.id), dialog=True),),
        ), now)


async def follow_up(tx: Tx, timer: Timer, now: datetime) -> None:
    request = await _live(tx, timer, "covered")
    if request is None:
        return
    chaperone = await tx.people.get(request.chaperone_id)
    value = str(request.id)
    await notify(tx, f"chap:{request.id}:follow_up", request.requester_id, Card(
        title=f"Who observed {reference(request)}?",
        paragraphs=("For the record the chaperone guidance asks for: did the session happen with your chaperone present?",),
        buttons=(Button(f"Yes, {chaperone.display_name} was there", "chaperone.record", f"{value}:observed", ButtonStyle.PRIMARY),
                 Button("It didn't happen", "chaperone.record", f"{value}:did_not_happen")),
    ), now)


TIMER_HANDLERS = {WAVE: next_wave, DEADLINE: deadline, ESCALATE: escalate, EXPIRE: expire, REMIND: remind,
                  FOLLOW_UP: follow_up}


# --- status -------------------------------------------------------------------------------


STATUS_TEXT = {"open": "Looking for a volunteer", "covered": "Covered", "cancelled": "Cancelled",
               "unfilled": "Unfilled", "done": "Recorded"}


async def status_cards(turn: Turn) -> list[View]:
    """My requests, the sessions I'm chaperoning, and (for managers) their teams' records."""
    now = turn.clock.now()
    zone = _zone(turn.person, turn.org)
    cards: list[View] = []
    mine = (await turn.tx.session.scalars(
        select(ChaperoneRequest).where(
            or_(ChaperoneRequest.requester_id == turn.person.id, ChaperoneRequest.chaperone_id == turn.person.id),
            or_(ChaperoneRequest.status.in_(("open", "covered")),
                ChaperoneRequest.starts_at > now - timedelta(days=7)),
        ).order_by(ChaperoneRequest.starts_at)
    )).all()
    for request in mine:
        requester = await turn.tx.people.get(request.requester_id)
        chaperone = await turn.tx.people.get(request.chaperone_id) if request.chaperone_id else None
        mine_to_run = request.requester_id == turn.person.id
        buttons = []
        if mine_to_run and request.status in ("open", "covered"):
            buttons.append(Button("Cancel request", "chaperone.cancel", str(request.id), ButtonStyle.DANGER))
        if not mine_to_run and request.status == "covered":
            buttons.append(Button("Withdraw", "chaperone.withdraw", str(request.id), ButtonStyle.DANGER))
        if request.status in ("covered", "done"):
            buttons.insert(0, Button("Session details", "chaperone.details", str(request.id), dialog=True))
        cards.append(Card(
            title=f"{reference(request)} · chaperone {'requested' if mine_to_run else 'for ' + requester.display_name}",
            facts=_facts(request, zone) + (
                ("Status", STATUS_TEXT[request.status] + (f" — observed by {chaperone.display_name}"
                                                          if request.outcome == "observed" else "")),
                ("Chaperone", chaperone.display_name if chaperone else "not yet")),
            buttons=tuple(buttons),
        ))
    cards.extend(await _team_records(turn, zone, now))
    return cards


async def _team_records(turn: Turn, zone: str, now: datetime) -> list[View]:
    managed = select(TeamMember.team_id).where(TeamMember.person_id == turn.person.id, TeamMember.role == "manager")
    members = select(TeamMember.person_id).where(TeamMember.team_id.in_(managed), TeamMember.role == "member")
    done = (await turn.tx.session.scalars(
        select(ChaperoneRequest).where(
            ChaperoneRequest.requester_id.in_(members), ChaperoneRequest.status == "done",
            ChaperoneRequest.starts_at > now - timedelta(days=30),
        ).order_by(ChaperoneRequest.starts_at.desc()).limit(20)
    )).all()
    if not done:
        return []
    facts = []
    for request in done:
        requester = await turn.tx.people.get(request.requester_id)
        chaperone = await turn.tx.people.get(request.chaperone_id)
        outcome = f"observed by {chaperone.display_name}" if request.outcome == "observed" else "did not happen"
        facts.append((reference(request), f"{_when(request, zone)}, {SETTING_LABELS[request.setting].lower()}: "
                                          f"{requester.display_name}, {outcome}"))
    return [Card(title="Chaperoned sessions in your teams (last 30 days)", facts=tuple(facts))]

