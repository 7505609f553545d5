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

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.identifiers import find_identifier_kinds
from bot.features import escalation
from bot.features.chaperone import calendar, closure, wording
from bot.features.chaperone.access import (
    audited,
    can_read_details,
    find_for_chaperone,
    find_for_party,
    find_for_requester,
    find_offer,
    mine,
    team_records,
)
from bot.features.chaperone.matching import (
    BOOK,
    deadline_for,
    fan_out,
    policy_for,
    set_offer,
    set_offers,
)
from bot.features.chaperone.storage import (
    DEADLINE,
    EXPIRE,
    FOLLOW_UP,
    REMIND,
    ChaperoneRequest,
    offers_for,
    schedule,
)
from bot.features.chaperone.wording import (
    NOT_ASKED,
    NOT_FOUND,
    NOT_THE_CHAPERONE,
    my_reports,
    request_form,
    zone_of,
)
from bot.machinery import offers
from bot.machinery.links import message_link
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.pickers import with_choices
from bot.port.forms import clean
from bot.port.views import View
from bot.turn import Turn

MAX_AHEAD = timedelta(days=60)  # wording.TOO_FAR_AHEAD says so


# --- the request form -----------------------------------------------------------------------


async def start(turn: Turn, args: str = "") -> list[View]:
    return [await request_form(turn)]


async def start_for_report(turn: Turn, value: str) -> list[View]:
    """The button on a report's answer: the form, with the report chosen."""
    options = {o.value for o in await my_reports(turn)}
    values = {"minutes": "30", "urgent": "no"}
    if value in options:
        values["report"] = value
    return [await request_form(turn, values=values)]


async def submit(turn: Turn, values: dict, state: str = "") -> list[View]:
    form = await with_choices(turn, await request_form(turn, values={}), values)
    cleaned, errors = clean(form, values)
    now = turn.clock.now()
    zone = zone_of(turn.person, turn.org)
    starts_at = None
    if "date" not in errors and "start" not in errors:
        starts_at = datetime.combine(cleaned["date"], cleaned["start"], ZoneInfo(zone)).astimezone(now.tzinfo)
        if starts_at < now - timedelta(minutes=5):
            errors["start"] = wording.PASSED
        elif starts_at > now + MAX_AHEAD:
            errors["date"] = wording.TOO_FAR_AHEAD
    setting = cleaned.get("setting")
    if setting == "in_person" and not cleaned.get("site") and "site" not in errors:
        errors["site"] = wording.NO_SITE
    link = cleaned.get("join_link")
    if link and not link.lower().startswith("https://"):
        errors["join_link"] = wording.NOT_A_LINK
    if kinds := find_identifier_kinds(cleaned.get("note")):
        errors["note"] = wording.note_identifies(kinds)
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
    policy = await policy_for(turn.tx, turn.person.id)
    asked, matching = await fan_out(turn.tx, request, turn.person, policy, now)
    deadline = deadline_for(request, policy, now)
    await schedule(turn.tx, request, DEADLINE, deadline, now)
    await schedule(turn.tx, request, EXPIRE, request.starts_at, now)
    return [wording.sent_card(request, asked, matching, deadline, zone)]


# --- volunteers answering -------------------------------------------------------------------


async def accept(turn: Turn, value: str) -> list[View]:
    found = await find_offer(turn, value)
    if found is None:
        return [NOT_ASKED]
    request, offer = found
    now = turn.clock.now()
    # Exactly one accept wins (the shared offer machinery's conditional update).
    won = await offers.claim(turn.tx, BOOK, request, status="covered", chaperone_id=turn.person.id,
                             accepted_at=now, updated_at=now)
    if not won:
        return [wording.lost_race(request, mine=request.chaperone_id == turn.person.id)]
    await turn.tx.timers.cancel_for("chaperone", request.id)
    await offers.settle_won(turn.tx, BOOK, request, offer, now)
    requester = await turn.tx.people.get(request.requester_id)
    org = await turn.tx.org.get()
    to_chaperone = await message_link(turn.tx, requester.id, turn.person)
    their_calendar = calendar.link(turn.public_url, turn.sealer, request, requester.id)
    await notify(turn.tx, f"chap:{request.id}:covered:{request.generation}", requester.id,
                 wording.covered_card(request, turn.person, zone_of(requester, org), to_chaperone, their_calendar),
                 now)
    await _after_cover(turn.tx, request, now)
    await escalation.settle_about(turn.tx, "chaperone", request.id, now,
                                  f"{turn.person.display_name} accepted")
    await turn.tx.audit.record(now, turn.person.id, "chaperone.accepted", "chaperone", request.id)
    turn.observer.duration("chaperone_fill", (now - request.created_at).total_seconds())
    link = turn.sealer.open(request.join_link_sealed) if request.setting == "telehealth" else None
    note = turn.sealer.open(request.note_sealed)  # logistics, written for whoever accepts
    to_requester = await message_link(turn.tx, turn.person.id, requester)
    my_calendar = calendar.link(turn.public_url, turn.sealer, request, turn.person.id)
    return [wording.accepted_card(request, requester, zone_of(turn.person, turn.org), link, note, to_requester,
                                  my_calendar)]


async def _after_cover(tx: Tx, request: ChaperoneRequest, now: datetime) -> None:
    policy = await policy_for(tx, request.requester_id)
    remind_at = request.starts_at - policy.remind_before
    if remind_at > now:
        await schedule(tx, request, REMIND, remind_at, now)
    await schedule(tx, request, FOLLOW_UP, request.starts_at + timedelta(minutes=request.minutes), now)


async def decline(turn: Turn, value: str) -> list[View]:
    found = await find_offer(turn, value)
    if found is None:
        return [NOT_ASKED]
    request, offer = found
    if offer.status != "offered":
        return [wording.nothing_to_decline(offer.status)]
    now = turn.clock.now()
    await set_offer(turn.tx, offer, "declined", request, now)
    offer.responded_at = now
    if request.status == "open" and not any(o.status == "offered" for o in await offers_for(turn.tx, request.id)):
        # Everyone asked so far said no: ask the next wave now rather than waiting.
        requester = await turn.tx.people.get(request.requester_id)
        await fan_out(turn.tx, request, requester, await policy_for(turn.tx, requester.id), now)
    return [wording.DECLINED]


async def details(turn: Turn, value: str) -> list[View]:
    """The session's details for the requester and the accepted chaperone, in a dialog."""
    request = await find_for_party(turn, value)
    if request is None:
        return [NOT_FOUND]
    if not can_read_details(request, turn.person.id):
        return [wording.details_closed(request)]
    requester = await turn.tx.people.get(request.requester_id)
    chaperone = await turn.tx.people.get(request.chaperone_id) if request.chaperone_id else None
    note = turn.sealer.open(request.note_sealed)
    link = turn.sealer.open(request.join_link_sealed) if request.setting == "telehealth" else None
    if audited(request, turn.person.id):
        await turn.tx.audit.record(turn.clock.now(), turn.person.id, "chaperone.details_viewed", "chaperone", request.id)
    return [wording.details_dialog(request, requester, chaperone, note, link, zone_of(turn.person, turn.org))]


# --- the requester and the chaperone changing their minds ------------------------------------


async def cancel(turn: Turn, value: str) -> list[View]:
    request = await find_for_requester(turn, value)
    if request is None:
        return [NOT_FOUND]
    if request.status not in ("open", "covered"):
        return [wording.already(request)]
    now = turn.clock.now()
    chaperone_id = request.chaperone_id
    request.status, request.updated_at = "cancelled", now
    request.generation += 1
    await turn.tx.timers.cancel_for("chaperone", request.id)
    asked = [o for o in await offers_for(turn.tx, request.id) if o.status in ("offered", "accepted", "covered")]
    await set_offers(turn.tx, asked, "cancelled", request, now)
    told = len(asked)
    if chaperone_id:
        await notify(turn.tx, f"chap:{request.id}:cancelled:{chaperone_id}", chaperone_id,
                     wording.cancelled_for_chaperone(request, turn.person), now)
    await escalation.settle_about(turn.tx, "chaperone", request.id, now, "the requester cancelled it")
    await turn.tx.audit.record(now, turn.person.id, "chaperone.cancelled", "chaperone", request.id)
    return [wording.cancelled(request, told)]


async def withdraw(turn: Turn, value: str) -> list[View]:
    request = await find_for_chaperone(turn, value)
    if request is None or request.status != "covered":
        return [NOT_THE_CHAPERONE]
    now = turn.clock.now()
    requester = await reopen(turn.tx, request, turn.person, now)
    await turn.tx.audit.record(now, turn.person.id, "chaperone.withdrawn", "chaperone", request.id)
    return [wording.withdrawn(request, requester)]


async def reopen(tx: Tx, request: ChaperoneRequest, chaperone: Person, now: datetime) -> Person:
    """The chaperone can't come after all (they withdrew, or left): ask the others again and
    tell the requester. Returns the requester."""
    request.status, request.chaperone_id, request.accepted_at, request.updated_at = "open", None, None, now
    request.generation += 1
    await tx.timers.cancel_for("chaperone", request.id)
    for offer in await offers_for(tx, request.id):
        if offer.volunteer_id == chaperone.id:
            await set_offer(tx, offer, "withdrawn", request, now)
        elif offer.status == "covered":
            await set_offer(tx, offer, "offered", request, now)  # they may be free after all
    requester = await tx.people.get(request.requester_id)
    policy = await policy_for(tx, requester.id)
    await fan_out(tx, request, requester, policy, now)
    await schedule(tx, request, DEADLINE, deadline_for(request, policy, now), now)
    await schedule(tx, request, EXPIRE, request.starts_at, now)
    await notify(tx, f"chap:{request.id}:withdrawn:{request.generation}", requester.id,
                 wording.withdrawn_for_requester(request, chaperone), now)
    return requester


async def record(turn: Turn, value: str) -> list[View]:
    """After the session: who observed, or that it did not happen."""
    request_id, _, outcome = value.partition(":")
    request = await find_for_requester(turn, request_id)
    if request is None or outcome not in ("observed", "did_not_happen"):
        return [NOT_FOUND]
    if request.status not in ("covered", "done"):
        return [wording.nothing_to_record(request)]
    now = turn.clock.now()
    request.status, request.outcome, request.outcome_at = "done", outcome, now
    await turn.tx.audit.record(now, turn.person.id, f"chaperone.{outcome}", "chaperone", request.id)
    chaperone = await turn.tx.people.get(request.chaperone_id)
    return [closure.recorded_card(request, chaperone)]


# --- status -------------------------------------------------------------------------------


async def status_cards(turn: Turn) -> list[View]:
    """My requests, the sessions I'm chaperoning, and (for managers) their teams' records."""
    now = turn.clock.now()
    zone = zone_of(turn.person, turn.org)
    cards: list[View] = []
    for request in await mine(turn.tx, turn.person.id, now):
        requester = await turn.tx.people.get(request.requester_id)
        chaperone = await turn.tx.people.get(request.chaperone_id) if request.chaperone_id else None
        cards.append(wording.status_card(request, requester, chaperone, request.requester_id == turn.person.id, zone))
    done = await team_records(turn.tx, turn.person.id, now)
    if done:
        rows = []
        for request in done:
            requester = await turn.tx.people.get(request.requester_id)
            chaperone = await turn.tx.people.get(request.chaperone_id)
            rows.append((request, requester, chaperone))
        cards.append(wording.team_records_card(rows, zone))
    return cards
