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
from bot.features.volunteer import VolunteerProfile, covers, parsed_windows
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


async def volunteers(tx: Tx) -> list[tuple]:
    """Every opted-in volunteer as plain values, windows parsed: (person id, name, sites,
    settings, professions, zone, windows, unavailable dates). Kept per organisation version
    (volunteer profiles are a watched table), so a request does not read 2,000 profiles."""
    async def load() -> list[tuple]:
        profiles = VolunteerProfile.__table__
        rows = (await tx.session.execute(
            select(profiles.c.person_id, Person.display_name, profiles.c.sites, profiles.c.settings,
                   profiles.c.professions, profiles.c.timezone, profiles.c.windows, profiles.c.unavailable)
            .join(Person, Person.id == profiles.c.person_id)
            .where(profiles.c.active.is_(True), Person.active.is_(True))
        )).all()
        return [(pid, name, frozenset(sites), frozenset(settings), frozenset(professions), zone,
                 tuple(parsed_windows(windows)), tuple(unavailable))
                for pid, name, sites, settings, professions, zone, windows, unavailable in rows]
    return await tx.org.memo("chaperone.volunteers", load)


async def eligible(tx: Tx, request: ChaperoneRequest, requester: Person) -> list[Person]:
    """Volunteers who could cover the request, in the order they are asked: those who have
    covered fewest sessions lately first, then by name.

    Profiles come from :func:`volunteers` (plain values, cached per organisation version):
    at 2,000 volunteers loading every one as a ``Person`` with its profile took about a second
    (bench/hospital.py). Only those who fit become ``Person`` objects."""
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
    for person_id, name, sites, settings, professions, zone, windows, unavailable in await volunteers(tx):
        if person_id in busy or person_id == requester.id or request.setting not in settings:
            continue
        # No site: someone asked for a colleague with them now, wherever that is (everyone).
        if request.setting == "in_person" and sites and request.site and request.site not in sites:
            continue
        if professions and (requester.profession or "") not in professions:
            continue
        if not covers(windows, unavailable, zone, request.starts_at, request.minutes):
            continue
        fits.append((recent.get(person_id, 0), name, person_id))
    fits.sort()
    people = await tx.people.many([person_id for *_, person_id in fits])
    return [people[person_id] for *_, person_id in fits if person_id in people]


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
