"""Links and sessions in the core: single use under a race, bound to their person, gone from
the database a day after they end (the audit log keeps the sign-ins)."""

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.features.console import end_session, redeem_link, session_for, start_session
from bot.features.console.storage import ConsoleLink, ConsoleSession, add_link, forget_old
from bot.org import orgfile


async def test_one_link_one_session_even_when_opened_twice_at_once(db, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        morgan = await tx.people.by_key("morgan")
        await add_link(tx, "secret-link", morgan.id, "slack", clock.now(), clock.now() + timedelta(minutes=10))

    async def open_it():
        async with db.transaction() as tx:
            return await redeem_link(tx, "secret-link", clock.now())

    first, second = await asyncio.gather(open_it(), open_it())
    assert [bool(first), bool(second)].count(True) == 1
    secret = first or second
    async with db.transaction() as tx:
        me = await session_for(tx, secret, clock.now())
        assert me.person.key == "morgan" and me.access.is_manager and me.method == "link"
        await end_session(tx, secret, clock.now())
        assert await session_for(tx, secret, clock.now()) is None


async def test_ended_links_and_sessions_are_forgotten_after_a_day(db, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        alex = await tx.people.by_key("alex")
        await add_link(tx, "old-link", alex.id, "teams", clock.now(), clock.now() + timedelta(minutes=10))
        secret = await start_session(tx, alex, "demo", clock.now())
        asha = await tx.people.by_key("asha")
        assert await start_session(tx, asha, "demo", clock.now()) is None  # a clinician gets no session
    clock.advance(hours=12)
    async with db.transaction() as tx:
        assert await forget_old(tx, clock.now()) == 0  # the session lasts 8 hours; kept a day after
    clock.advance(days=1)
    async with db.transaction() as tx:
        assert await forget_old(tx, clock.now()) == 2
        assert await tx.session.scalar(select(func.count()).select_from(ConsoleLink)) == 0
        assert await tx.session.scalar(select(func.count()).select_from(ConsoleSession)) == 0
        assert await session_for(tx, secret, clock.now()) is None
