"""Who may be asked to support a clinician, asking them in waves, and their cards.

A supporter matches when they are named in the organisation file, active, not away, not the
clinician, never one of the clinician's managers (peer support stays outside the management
line), support the clinician's team (or anyone), can meet at the chosen site (for in-person
talks), and are available now in their own time zone. The waves, the exactly-one accept and
the cards changed in place are the shared offer machinery's (:mod:`bot.machinery.offers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.features import away
from bot.features.support.storage import WAVE, PeerSupporter, SupportOffer, SupportRequest, schedule
from bot.features.support.wording import offer_card
from bot.features.volunteer import Window, covers
from bot.machinery import offers
from bot.machinery.offers import OfferBook
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx


@dataclass(frozen=True)
class SupportPolicy:
    """The organisation's ``peer_support`` settings (see bot.org.schema_support)."""

    wave_size: int = 3
    wave_every: timedelta = timedelta(minutes=30)
    widen_after: timedelta = timedelta(hours=2)
    give_up_after: timedelta = timedelta(days=1)

    @classmethod
    def from_json(cls, data: dict | None) -> SupportPolicy:
        if not data:
            return cls()
        return cls(data["wave_size"], timedelta(seconds=data["wave_every_s"]),
                   timedelta(seconds=data["widen_after_s"]), timedelta(seconds=data["give_up_after_s"]))


async def policy_of(tx: Tx) -> SupportPolicy:
    org = await tx.org.get()
    return SupportPolicy.from_json(org.peer_support if org else None)


async def _candidates(tx: Tx, request: SupportRequest, requester: Person, now: datetime,
                      ) -> list[tuple[Person, PeerSupporter]]:
    """Supporters who match everything but the time."""
    rows = (await tx.session.execute(
        select(Person, PeerSupporter).join(PeerSupporter, PeerSupporter.person_id == Person.id)
        .where(Person.active.is_(True), Person.id != requester.id))).all()
    managers = {p.id for p in await tx.people.managers_of(requester.id)}
    teams = {team.key for team, role in await tx.people.teams_of(requester.id) if role == "member"}
    absent = await away.away_among(tx, {person.id for person, _ in rows}, now)
    fits = []
    for person, supporter in rows:
        if person.id in managers or person.id in absent:
            continue
        if supporter.team_keys and not teams & set(supporter.team_keys):
            continue
        if request.how == "in_person" and request.site and supporter.sites and request.site not in supporter.sites:
            continue
        fits.append((person, supporter))
    return fits


async def eligible(tx: Tx, request: SupportRequest, requester: Person, now: datetime) -> list[Person]:
    """Supporters who match and are available now; those who have taken fewest lately first."""
    recent = dict((await tx.session.execute(
        select(SupportRequest.supporter_id, func.count())
        .where(SupportRequest.supporter_id.is_not(None), SupportRequest.accepted_at > now - timedelta(days=30))
        .group_by(SupportRequest.supporter_id))).all())
    fits = [person for person, supporter in await _candidates(tx, request, requester, now)
            if covers([Window.from_json(w) for w in supporter.windows], [], supporter.timezone, now, 1)]
    return sorted(fits, key=lambda p: (recent.get(p.id, 0), p.display_name, p.id))


async def next_available(tx: Tx, request: SupportRequest, requester: Person, now: datetime) -> datetime | None:
    """When the first matching supporter is next available (None: nobody matches at all)."""
    soonest = None
    for _, supporter in await _candidates(tx, request, requester, now):
        local = now.astimezone(ZoneInfo(supporter.timezone))
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            for window in (Window.from_json(w) for w in supporter.windows):
                start = datetime.combine(day, window.start, ZoneInfo(supporter.timezone))
                if window.day == day.weekday() and start > local and (soonest is None or start < soonest):
                    soonest = start
    return soonest.astimezone(now.tzinfo) if soonest else None


async def _cards(tx: Tx, request: SupportRequest):
    org = await tx.org.get()
    return lambda supporter, state: offer_card(request, supporter, state, org)


BOOK = OfferBook(SupportRequest, SupportOffer, "supporter_id", "sup", _cards)
"""Support requests and offers, as the shared offer machinery sees them."""


async def fan_out(tx: Tx, request: SupportRequest, requester: Person, policy: SupportPolicy, now: datetime,
                  *, everyone: bool = False) -> tuple[int, int]:
    """Ask the next wave (or everyone available). Returns (asked now, available in all)."""
    matching = await eligible(tx, request, requester, now)
    asked, left = await offers.next_wave(tx, BOOK, request, matching, None if everyone else policy.wave_size, now)
    if left:
        await schedule(tx, request, WAVE, now + policy.wave_every, now, tag=f":{request.wave}")
    return asked, len(matching)


async def set_offers(tx: Tx, many: list[SupportOffer], state: str, request: SupportRequest, now: datetime) -> None:
    await offers.set_offers(tx, BOOK, many, state, request, now)
