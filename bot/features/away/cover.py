"""Who stands in for whom: the core functions escalations, approvals and referrals route
through, and that the chat form and (later) the web console call to set someone away.

Routing is a chain: someone away passes to their deputy for that period (or, if none was
named, their standing deputy from the organisation file); if the deputy is away too, to
theirs, at most :data:`MAX_HOPS` times. When the chain ends nowhere useful — no deputy, a loop,
or someone who must not receive it (the reporter of their own escalation) — the original
person keeps it: better a manager on leave than nobody. Every time something goes to a
deputy instead, it is audited (``away.routed``, the absent person as actor, the subject).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select

from bot.features.away.storage import AwayPeriod, StandingDeputy, away_at, standing_deputy
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.org.hours import day_start

MAX_HOPS = 3
LONGEST = timedelta(days=366)


class AwayError(ValueError):
    """A period that cannot be set; the message says why, in words people read."""


@dataclass(frozen=True)
class Cover:
    """``person`` receives it; ``for_whom`` is the absent person they stand in for (None when
    it reaches the person it was meant for)."""

    person: Person
    for_whom: Person | None = None


async def deputy_for(tx: Tx, person_id: int, now: datetime) -> int | None:
    """Who stands in for this person right now (None: they are not away, or nobody does)."""
    period = await away_at(tx, person_id, now)
    if period is None:
        return None
    return period.deputy_id or await standing_deputy(tx, person_id)


async def cover(tx: Tx, person: Person, now: datetime, exclude: frozenset[int] = frozenset()) -> Cover:
    """Where something meant for ``person`` should go now."""
    seen, current = {person.id}, person
    for _ in range(MAX_HOPS):
        deputy_id = await deputy_for(tx, current.id, now)
        if deputy_id is None:
            break
        deputy = await tx.people.get(deputy_id)
        if deputy is None or not deputy.active or deputy.id in seen or deputy.id in exclude:
            break
        seen.add(deputy.id)
        current = deputy
    return Cover(current, person if current.id != person.id else None)


async def route(tx: Tx, people: list[Person], now: datetime, subject_type: str, subject_id: int | None,
                exclude: frozenset[int] = frozenset(), *, audit: bool = True) -> list[Cover]:
    """Each person, or whoever stands in for them now; one entry per receiver (a deputy for
    two absent managers gets it once), each redirection audited (``audit=False`` only to
    say in advance who will be told)."""
    found: dict[int, Cover] = {}
    for person in people:
        where = await cover(tx, person, now, exclude)
        if where.for_whom is not None and audit:
            await tx.audit.record(now, person.id, "away.routed", subject_type, subject_id)
        found.setdefault(where.person.id, where)
    return list(found.values())


async def set_away(tx: Tx, person: Person, first_day: date, last_day: date, deputy: Person | None,
                   now: datetime, *, by: Person | None = None, source: str = "chat",
                   zone: str = "UTC") -> AwayPeriod:
    """``person`` is away from the start of ``first_day`` to the end of ``last_day`` in
    ``zone``, with ``deputy`` standing in (None: their standing deputy). Any period of
    theirs that overlaps is replaced. For the chat form and the web console alike."""
    if last_day < first_day:
        raise AwayError("The last day can't be before the first.")
    starts_at, ends_at = day_start(first_day, zone), day_start(last_day + timedelta(days=1), zone)
    if ends_at <= now:
        raise AwayError("Those days are already over.")
    if ends_at - starts_at > LONGEST:
        raise AwayError("Please set at most a year at a time.")
    if deputy is not None and deputy.id == person.id:
        raise AwayError("Choose someone else to stand in for you.")
    if deputy is not None and not deputy.active:
        raise AwayError("That person is no longer in the organisation.")
    if deputy is None and await standing_deputy(tx, person.id) is None:
        raise AwayError("Choose who stands in for you: the organisation file names no standing deputy for you.")
    await tx.session.execute(delete(AwayPeriod).where(
        AwayPeriod.person_id == person.id, AwayPeriod.starts_at < ends_at, AwayPeriod.ends_at > starts_at))
    period = AwayPeriod(person_id=person.id, deputy_id=deputy.id if deputy else None, starts_at=starts_at,
                        ends_at=ends_at, set_by=(by or person).id, source=source, created_at=now)
    tx.session.add(period)
    await tx.session.flush()
    await tx.audit.record(now, (by or person).id, "away.set", "person", person.id)
    return period


async def end_away(tx: Tx, person: Person, now: datetime, *, by: Person | None = None) -> bool:
    """Back early (or a planned period cancelled): False if nothing was set."""
    periods = (await tx.session.scalars(
        select(AwayPeriod).where(AwayPeriod.person_id == person.id, AwayPeriod.ends_at > now))).all()
    if not periods:
        return False
    await tx.session.execute(delete(AwayPeriod).where(AwayPeriod.person_id == person.id,
                                                      AwayPeriod.starts_at > now))
    current = await away_at(tx, person.id, now)
    if current is not None:
        current.ends_at = now
    await tx.audit.record(now, (by or person).id, "away.ended", "person", person.id)
    return True


async def apply_standing(tx: Tx, deputies: dict[int, int]) -> None:
    """Make the standing deputies match the organisation file (person id → deputy id)."""
    await tx.session.execute(delete(StandingDeputy))
    tx.session.add_all(StandingDeputy(person_id=p, deputy_id=d) for p, d in sorted(deputies.items()))
    await tx.session.flush()


async def is_away(tx: Tx, person_id: int, now: datetime) -> bool:
    """Whether this person is away from chat right now (e.g. not to be asked for anything new)."""
    return await away_at(tx, person_id, now) is not None


async def away_among(tx: Tx, person_ids: set[int], now: datetime) -> set[int]:
    """Which of these people are away right now (one query, for matching many at once)."""
    if not person_ids:
        return set()
    return set((await tx.session.scalars(select(AwayPeriod.person_id).where(
        AwayPeriod.person_id.in_(person_ids), AwayPeriod.starts_at <= now, AwayPeriod.ends_at > now))).all())
