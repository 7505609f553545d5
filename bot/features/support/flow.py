"""Peer support: a clinician asks for a confidential conversation with a trained peer
supporter; the request fans out privately to supporters who match, in waves; the first to
accept takes it, exactly once (the shared offer machinery); everyone else's card turns to
"taken". The supporter learns who asked, a way to reach them, and only what they chose to
share. Unanswered for a while, everyone who matches is asked; still unanswered, the clinician
is told honestly, with the contacts. Nothing here ever reaches a manager: no escalation, no
audit entry, no status line for anyone but the two parties; only suppressed counts leave it.
"""

from __future__ import annotations

import re

from bot.content.identifiers import describe, find_identifier_kinds
from bot.features.support import wording
from bot.features.support.access import find_offer, for_party, for_requester, for_supporter
from bot.features.support.matching import BOOK, fan_out, next_available, policy_of, set_offers
from bot.features.support.storage import (
    GIVE_UP,
    WAVE,
    WIDEN,
    SupportRequest,
    open_requests_of,
    schedule,
)
from bot.features.support.wording import zone_of
from bot.machinery import offers
from bot.machinery.outbox import notify
from bot.machinery.storage.repos import Tx
from bot.pickers import with_choices
from bot.port.forms import clean
from bot.port.views import View
from bot.turn import Turn

PHONE = re.compile(r"^\+?[\d\s()\-.]{6,30}$")


async def start(turn: Turn, args: str = "") -> list[View]:
    return [wording.request_form(turn.org)]


async def start_for_report(turn: Turn, value: str) -> list[View]:
    """From a report's confirmation (or "ask again"): the form, with the kind of situation
    suggested if the report is theirs — they can still clear it."""
    values = {"how": "chat", "soon": "few_days"}
    report = await turn.tx.reports.get(int(value)) if value.isdigit() else None
    if report is not None and report.author_id == turn.person.id:
        values["about"] = report.category
    return [wording.request_form(turn.org, values=values)]


async def submit(turn: Turn, values: dict, state: str = "") -> list[View]:
    form = await with_choices(turn, wording.request_form(turn.org, values={}), values)
    cleaned, errors = clean(form, values)
    if cleaned.get("phone") and not PHONE.match(cleaned["phone"]):
        errors["phone"] = wording.NOT_A_PHONE
    if kinds := find_identifier_kinds(cleaned.get("shared")):
        errors["shared"] = wording.identifies(describe(kinds))
    if errors:
        return [wording.request_form(turn.org, values=values, errors=errors)]
    now = turn.clock.now()
    request = SupportRequest(
        requester_id=turn.person.id, status="open", how=cleaned["how"], soon=cleaned["soon"],
        site=cleaned.get("site"), phone_sealed=turn.sealer.seal(cleaned.get("phone")),
        shared_sealed=turn.sealer.seal(cleaned.get("shared")), kind_shared=cleaned.get("about"),
        wave=0, widened=False, generation=1, created_at=now, updated_at=now,
    )
    turn.tx.session.add(request)
    await turn.tx.session.flush()
    next_at = await _ask(turn.tx, request, now)
    asked = len(await offers.offers_for(turn.tx, BOOK, request.id))
    return [wording.sent_card(request, asked, next_at, zone_of(turn.person, turn.org), turn.org)]


async def _ask(tx: Tx, request: SupportRequest, now) -> object:
    """Ask the first wave and set the clocks; returns when supporters will next be asked if
    nobody is on now (None otherwise, or when nobody matches at all)."""
    requester = await tx.people.get(request.requester_id)
    policy = await policy_of(tx)
    asked, _ = await fan_out(tx, request, requester, policy, now)
    next_at = None
    if not asked:
        next_at = await next_available(tx, request, requester, now)
        if next_at is not None:
            await schedule(tx, request, WAVE, next_at, now, tag=":waiting")
    start = next_at or now
    await schedule(tx, request, WIDEN, start + policy.widen_after, now)
    await schedule(tx, request, GIVE_UP, start + policy.give_up_after, now)
    if not asked and next_at is None:
        await give_up(tx, request, now)
    return next_at


async def give_up(tx: Tx, request: SupportRequest, now) -> None:
    """Nobody could take it: close it kindly, tell the clinician, stop every clock."""
    request.status, request.updated_at, request.closed_at = "unfilled", now, now
    request.generation += 1
    await tx.timers.cancel_for("support", request.id)
    waiting = [o for o in await offers.offers_for(tx, BOOK, request.id) if o.status == "offered"]
    await set_offers(tx, waiting, "expired", request, now)
    await notify(tx, f"sup:{request.id}:unfilled", request.requester_id, wording.unfilled_card(request, await tx.org.get()),
                 now)


# --- supporters answering --------------------------------------------------------------------


async def accept(turn: Turn, value: str) -> list[View]:
    found = await find_offer(turn, value, BOOK)
    if found is None:
        return [wording.NOT_ASKED]
    request, offer = found
    now = turn.clock.now()
    if not await offers.claim(turn.tx, BOOK, request, status="accepted", supporter_id=turn.person.id,
                              accepted_at=now, updated_at=now):
        return [wording.lost_race(request, mine=request.supporter_id == turn.person.id)]
    await turn.tx.timers.cancel_for("support", request.id)
    await offers.settle_won(turn.tx, BOOK, request, offer, now)
    requester = await turn.tx.people.get(request.requester_id)
    await notify(turn.tx, f"sup:{request.id}:found:{request.generation}", requester.id,
                 wording.found_card(request, turn.person, zone_of(requester, turn.org), turn.org), now)
    return [wording.accepted_card(request, requester)]


async def decline(turn: Turn, value: str) -> list[View]:
    found = await find_offer(turn, value, BOOK)
    if found is None:
        return [wording.NOT_ASKED]
    request, offer = found
    if offer.status == "accepted":  # an old [Decline] pressed after taking it: nobody else is asked
        return [wording.already_taken(request)]
    if offer.status != "offered":
        return [wording.DECLINED]
    now = turn.clock.now()
    offer.responded_at = now
    await set_offers(turn.tx, [offer], "declined", request, now)
    if request.status == "open" and not any(o.status == "offered"
                                            for o in await offers.offers_for(turn.tx, BOOK, request.id)):
        requester = await turn.tx.people.get(request.requester_id)
        await fan_out(turn.tx, request, requester, await policy_of(turn.tx), now)
    return [wording.DECLINED]


async def shared(turn: Turn, value: str) -> list[View]:
    """What the clinician chose to share, for the supporter who accepted (or the clinician)."""
    request = await for_party(turn, value)
    if request is None or request.supporter_id is None:
        return [wording.NOT_FOUND]
    if request.status == "cancelled" and turn.person.id != request.requester_id:
        return [wording.already(request)]  # cancelled: what was shared is the clinician's again (access.py)
    requester = await turn.tx.people.get(request.requester_id)
    return [wording.shared_dialog(request, requester, turn.sealer.open(request.shared_sealed),
                                  turn.sealer.open(request.phone_sealed))]


async def hand_back(turn: Turn, value: str) -> list[View]:
    request = await for_supporter(turn, value)
    if request is None or request.status != "accepted":
        return [wording.NOT_FOUND]
    await reopen(turn.tx, request, turn.person, turn.clock.now())
    return [wording.handed_back_for_supporter(request)]


async def reopen(tx: Tx, request: SupportRequest, supporter, now) -> None:
    """The supporter can't after all (handed it back, or left): ask the others again and tell
    the clinician."""
    request.status, request.supporter_id, request.accepted_at, request.updated_at = "open", None, None, now
    request.generation += 1
    await tx.timers.cancel_for("support", request.id)
    mine = [o for o in await offers.offers_for(tx, BOOK, request.id) if o.supporter_id == supporter.id]
    await set_offers(tx, mine, "withdrawn", request, now)
    await _ask(tx, request, now)
    await notify(tx, f"sup:{request.id}:handed_back:{request.generation}", request.requester_id,
                 wording.handed_back(request, supporter), now)


# --- the clinician changing their mind, or closing it -----------------------------------------


async def cancel(turn: Turn, value: str) -> list[View]:
    request = await for_requester(turn, value)
    if request is None:
        return [wording.NOT_FOUND]
    if request.status not in ("open", "accepted"):
        return [wording.already(request)]
    now = turn.clock.now()
    supporter_id = request.supporter_id
    request.status, request.updated_at, request.closed_at = "cancelled", now, now
    request.generation += 1
    await turn.tx.timers.cancel_for("support", request.id)
    asked = [o for o in await offers.offers_for(turn.tx, BOOK, request.id) if o.status == "offered"]
    await set_offers(turn.tx, asked, "cancelled", request, now)
    if supporter_id:
        await notify(turn.tx, f"sup:{request.id}:cancelled", supporter_id,
                     wording.cancelled_for_supporter(request, turn.person), now)
    return [wording.cancelled(request)]


async def done(turn: Turn, value: str) -> list[View]:
    """Either side says the conversation happened: the request closes."""
    request = await for_party(turn, value)
    if request is None:
        return [wording.NOT_FOUND]
    if request.status != "accepted":
        return [wording.already(request)]
    now = turn.clock.now()
    request.status, request.updated_at, request.closed_at = "done", now, now
    request.generation += 1
    if turn.person.id == request.requester_id:
        await notify(turn.tx, f"sup:{request.id}:done", request.supporter_id, wording.done_for_supporter(request), now)
        return [wording.closed_for_requester(request, turn.org)]
    await notify(turn.tx, f"sup:{request.id}:done", request.requester_id,
                 wording.closed_for_requester(request, turn.org), now)
    return [wording.done_for_supporter(request)]


# --- status: only ever the two parties' own ---------------------------------------------------


async def status_cards(turn: Turn) -> list[View]:
    me, zone = turn.person.id, zone_of(turn.person, turn.org)
    views: list[View] = []
    for request in await open_requests_of(turn.tx, me):
        if request.requester_id == me and request.status == "open":
            views.append(wording.sent_card(request, len(await offers.offers_for(turn.tx, BOOK, request.id)),
                                           None, zone, turn.org))
        elif request.requester_id == me:
            views.append(wording.found_card(request, await turn.tx.people.get(request.supporter_id), zone, turn.org))
        else:
            views.append(wording.accepted_card(request, await turn.tx.people.get(request.requester_id)))
    return views
