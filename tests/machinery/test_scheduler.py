"""Durable timers, on a real database with a manual clock."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.machinery.outbox import RetryPolicy
from bot.machinery.scheduler import DEFAULT_HANDLERS, Scheduler, schedule_reminder
from bot.machinery.storage.models import InboundEvent, Notification, Timer
from bot.org import orgfile
from bot.port.views import Notice


@pytest.fixture
async def sam(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        return (await tx.people.by_key("sam")).id


async def remind(db, clock, key, person, minutes):
    async with db.transaction() as tx:
        return await schedule_reminder(
            tx, key, person, Notice(f"reminder {key}"), clock.now() + timedelta(minutes=minutes), clock.now()
        )


async def notifications(db):
    async with db.transaction() as tx:
        return sorted((await tx.session.scalars(select(Notification.key))).all())


async def timer(db, key):
    async with db.transaction() as tx:
        return await tx.timers.by_key(key)


async def test_a_timer_fires_once_when_due_and_not_before(db, clock, sam):
    scheduler = Scheduler(db, clock)
    assert await remind(db, clock, "r1", sam, 15)
    assert not await remind(db, clock, "r1", sam, 99)  # same key: scheduled once
    assert await scheduler.run_once() == 0
    clock.advance(minutes=14, seconds=59)
    assert await scheduler.run_once() == 0
    clock.advance(seconds=1)
    assert await scheduler.run_once() == 1
    assert await scheduler.run_once() == 0
    assert await notifications(db) == ["r1"]
    fired = await timer(db, "r1")
    assert fired.status == "done" and fired.fired_at == clock.now()


async def test_cancelled_and_rescheduled_timers(db, clock, sam):
    scheduler = Scheduler(db, clock)
    await remind(db, clock, "gone", sam, 5)
    await remind(db, clock, "later", sam, 5)
    async with db.transaction() as tx:
        assert await tx.timers.cancel("gone")
        assert await tx.timers.reschedule("later", clock.now() + timedelta(minutes=30))
    clock.advance(minutes=10)
    assert await scheduler.run_once() == 0
    clock.advance(minutes=20)
    assert await scheduler.run_once() == 1
    assert await notifications(db) == ["later"]
    async with db.transaction() as tx:
        assert not await tx.timers.cancel("later")  # already done: a stale cancel changes nothing


async def test_a_failing_handler_is_retried_with_its_effects_undone(db, clock, sam):
    calls = []

    async def flaky(tx, t, now):
        await DEFAULT_HANDLERS["reminder"](tx, t, now)  # writes a notification...
        calls.append(now)
        if len(calls) < 3:
            raise ConnectionError("downstream hiccup")  # ...which must be rolled back

    scheduler = Scheduler(db, clock, {"reminder": flaky}, policy=RetryPolicy(first_delay=5, max_delay=60, max_attempts=5))
    await remind(db, clock, "r1", sam, 0)
    for _ in range(6):
        await scheduler.run_once()
        clock.advance(seconds=61)
    assert len(calls) == 3
    assert await notifications(db) == ["r1"]
    done = await timer(db, "r1")
    assert done.status == "done" and done.attempts == 3 and done.last_error == "ConnectionError"


async def test_an_unknown_kind_fails_without_blocking_others(db, clock, sam):
    async with db.transaction() as tx:
        await tx.timers.schedule("odd", "no-such-kind", "person", sam, clock.now(), clock.now())
    await remind(db, clock, "r1", sam, 0)
    scheduler = Scheduler(db, clock)
    await scheduler.run_once()
    assert (await timer(db, "odd")).status == "failed"
    assert await notifications(db) == ["r1"]


async def test_two_schedulers_fire_each_timer_once(db, clock, sam):
    for i in range(300):
        await remind(db, clock, f"r{i}", sam, i % 7)
    clock.advance(minutes=10)
    a, b = Scheduler(db, clock, batch=40), Scheduler(db, clock, batch=40)
    while sum(await asyncio.gather(a.run_once(), b.run_once())):
        pass
    keys = await notifications(db)
    assert len(keys) == 300 and len(set(keys)) == 300
    assert a.counts["fired"] + b.counts["fired"] == 300


async def test_housekeeping_forgets_old_inbound_event_ids(db, clock, sam):
    async with db.transaction() as tx:
        assert await tx.inbound.first_time("slack:T:old", clock.now())
    clock.advance(days=8)
    async with db.transaction() as tx:
        assert await tx.inbound.first_time("slack:T:new", clock.now())
    await Scheduler(db, clock).run_once()
    async with db.transaction() as tx:
        assert [await tx.inbound.known(k) for k in ("slack:T:old", "slack:T:new")] == [False, True]
        assert len((await tx.session.scalars(select(InboundEvent.key))).all()) == 1


async def test_overdue_timers_are_counted(db, clock, sam):
    from bot.machinery.monitoring import reliability_stats

    await remind(db, clock, "r1", sam, 0)
    clock.advance(minutes=2)
    stats = await reliability_stats(db, clock)
    assert stats.timers == {"pending": 1} and stats.timers_overdue == 1
    await Scheduler(db, clock).run_once()
    stats = await reliability_stats(db, clock)
    assert stats.timers_overdue == 0 and stats.notifications == {"pending": 1}
    async with db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Timer)) == 1
