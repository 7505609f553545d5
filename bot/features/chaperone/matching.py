"""Who matches a chaperone request, asking them in waves, and keeping each volunteer's card current
(the waves, the exactly-one accept and the in-place updates are the shared offer machinery's:
:mod:`bot.machinery.offers`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.features.chaperone.storage import (
    WAVE,
    ChaperoneOffer,
    ChaperoneRequest,
    schedule,
)
from bot.features.chaperone.wording import offer_card
from bot.features.volunteer import VolunteerProfile, Window, covers
from bot.machinery import offers
from bot.machinery.offers import OfferBook
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.org.policy import ChaperonePolicy


async def policy_for(tx: Tx, person_id: int) -> ChaperonePolicy:
    team = await tx.people.home_team(person_id)
    return ChaperonePolicy.from_json(team.chaperone_policy if team else None)


def deadline_for(request: ChaperoneRequest, policy: ChaperonePolicy, now: datetime) -> datetime:
    """When an unfilled request is widened to everyone who matches."""
    if request.urgent:
        return min(now + policy.urgent_deadline_after, request.starts_at)
    return max(now, request.starts_at - policy.deadline_before)


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
        # No site: someone asked for a colleague with them now, wherever that is (everyone).
        if request.setting == "in_person" and profile.sites and request.site and request.site not in profile.sites:
            continue
        if profile.professions and (requester.profession or "") not in profile.professions:
            continue
        windows = [Window.from_json(w) for w in profile.windows]
        if not covers(windows, profile.unavailable, profile.timezone, request.starts_at, request.minutes):
            continue
        fits.append(person)
    return sorted(fits, key=lambda p: (recent.get(p.id, 0), p.display_name, p.id))


async def _cards(tx: Tx, request: ChaperoneRequest):
    """Every volunteer's card about one request needs the requester and the organisation."""
    requester = await tx.people.get(request.requester_id)
    org = await tx.org.get()
    return lambda volunteer, state: offer_card(request, requester, volunteer, state, org)


BOOK = OfferBook(ChaperoneRequest, ChaperoneOffer, "volunteer_id", "chap", _cards)
"""Chaperone requests and offers, as the shared offer machinery sees them."""


async def fan_out(tx: Tx, request: ChaperoneRequest, requester: Person, policy: ChaperonePolicy, now: datetime,
                  *, everyone: bool = False) -> tuple[int, int]:
    """Ask the next wave (or everyone left). Returns (asked now, matching in all)."""
    matching = await eligible(tx, request, requester)
    all_at_once = everyone or request.urgent or policy.all_at_once
    asked, left = await offers.next_wave(tx, BOOK, request, matching, None if all_at_once else policy.wave_size, now)
    if left:
        await schedule(tx, request, WAVE, now + policy.wave_every, now, tag=f":{request.wave}")
    await tx.session.flush()
    return asked, len(matching)


async def set_offer(tx: Tx, offer: ChaperoneOffer, state: str, request: ChaperoneRequest, now: datetime) -> None:
    """Change an offer and update the volunteer's card in place."""
    await offers.set_offers(tx, BOOK, [offer], state, request, now)


async def set_offers(tx: Tx, many: list[ChaperoneOffer], state: str, request: ChaperoneRequest,
                     now: datetime) -> None:
    """Change many offers at once, each volunteer's card updated in place."""
    await offers.set_offers(tx, BOOK, many, state, request, now)
