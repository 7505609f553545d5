"""Offers: ask several people privately, in waves; the first to accept wins, exactly once; every
other card turns to "covered" in place.

Chaperone requests and peer-support requests both work this way, so the rules live here once:

- :func:`next_wave` asks the next few people who match (or all of them) and records an offer
  for each, with the message it sent, so the card can later be changed in place;
- :func:`claim` is the one place exactly-one is decided: a conditional ``UPDATE`` that only
  an ``open`` request matches, so of any number of concurrent accepts one changes a row and
  the rest change nothing (on PostgreSQL a concurrent one waits for the row, then matches
  nothing);
- :func:`set_offers` changes many offers at once and updates each person's card in place,
  each update chained to the previous one so a card changes in order.

A feature describes its two tables and how its cards look with an :class:`OfferBook`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bot.machinery.outbox import notify_many
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.port.views import Card

Render = Callable[[Person, str], Card]
"""``(the person asked, the offer's state)`` → their card."""


@dataclass(frozen=True)
class OfferBook:
    """What a feature's requests and offers look like to the shared machinery.

    ``request`` is a mapped class with ``id``, ``status`` (``open`` while anyone may accept),
    ``generation`` and ``wave``; ``offer`` one with ``request_id``, ``wave``,
    ``notification_key``, ``status`` and the column named by ``person`` (who was asked).
    ``prepare`` loads once what every card about a request needs and returns a renderer.
    """

    request: type
    offer: type
    person: str
    prefix: str
    prepare: Callable[[Tx, Any], Awaitable[Render]]

    def person_of(self, offer: Any) -> int:
        return getattr(offer, self.person)

    def first_key(self, request: Any, person_id: int) -> str:
        return f"{self.prefix}:{request.id}:offer:{person_id}"


async def offers_for(tx: Tx, book: OfferBook, request_id: int) -> list[Any]:
    """Every offer made for a request, in the order they were made."""
    return list((await tx.session.scalars(
        select(book.offer).where(book.offer.request_id == request_id).order_by(book.offer.id)
    )).all())


async def next_wave(tx: Tx, book: OfferBook, request: Any, matching: Sequence[Person], size: int | None,
                    now: datetime) -> tuple[int, int]:
    """Ask the next ``size`` people of ``matching`` not asked before (``None``: all of them).
    Returns (asked now, still waiting to be asked)."""
    asked_before = {book.person_of(o) for o in await offers_for(tx, book, request.id)}
    waiting = [p for p in matching if p.id not in asked_before]
    batch = waiting if size is None else waiting[:size]
    request.wave += 1
    render = await book.prepare(tx, request)
    messages = []
    for person in batch:
        key = book.first_key(request, person.id)
        tx.session.add(book.offer(request_id=request.id, wave=request.wave, notification_key=key,
                                  status="offered", **{book.person: person.id}))
        messages.append((key, person.id, render(person, "offered"), None))
    await notify_many(tx, messages, now)
    await tx.session.flush()
    return len(batch), len(waiting) - len(batch)


async def claim(tx: Tx, book: OfferBook, request: Any, **values: Any) -> bool:
    """Take an open request for one person, exactly once: True if this call won. ``values``
    are what winning sets (the new status, who, when); the generation moves on either way
    only for the winner. The request is refreshed so the caller sees who holds it."""
    won = (await tx.session.execute(
        update(book.request)
        .where(book.request.id == request.id, book.request.status == "open")
        .values(generation=book.request.generation + 1, **values)
        .execution_options(synchronize_session=False)
    )).rowcount == 1
    await tx.session.refresh(request)
    return won


async def set_offers(tx: Tx, book: OfferBook, offers: list[Any], state: str, request: Any, now: datetime) -> None:
    """Change many offers at once (a request covered or cancelled with hundreds asked), each
    person's card updated in place, in one statement."""
    if not offers:
        return
    render = await book.prepare(tx, request)
    ids = {book.person_of(o) for o in offers}
    people = {p.id: p for p in (await tx.session.scalars(select(Person).where(Person.id.in_(ids)))).all()}
    messages = []
    for offer in offers:
        person_id = book.person_of(offer)
        key = f"{book.prefix}:{request.id}:offer:{person_id}:{state}:{request.generation}"
        # Each update replaces the previous one, so a person's card changes in order.
        messages.append((key, person_id, render(people[person_id], state), offer.notification_key))
        offer.status, offer.notification_key = state, key
    await notify_many(tx, messages, now)


async def settle_won(tx: Tx, book: OfferBook, request: Any, winner: Any, now: datetime) -> None:
    """After :func:`claim` won: the winner's card says so; everyone still asked is told it is covered."""
    await set_offers(tx, book, [winner], "accepted", request, now)
    others = [o for o in await offers_for(tx, book, request.id) if o.id != winner.id and o.status == "offered"]
    await set_offers(tx, book, others, "covered", request, now)


async def find_offer(tx: Tx, book: OfferBook, request: Any, person_id: int) -> Any | None:
    """The offer made to this person for this request, if any."""
    return await tx.session.scalar(select(book.offer).where(
        book.offer.request_id == request.id, getattr(book.offer, book.person) == person_id))


__all__ = ["OfferBook", "Render", "offers_for", "next_wave", "claim", "set_offers", "settle_won", "find_offer"]
