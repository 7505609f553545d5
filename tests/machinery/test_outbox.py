"""The outbox and its delivery worker, on a real database with a manual clock."""

import asyncio

import pytest
from sqlalchemy import select

from bot.machinery.outbox import DeliveryWorker, RetryPolicy, notify
from bot.machinery.storage.models import Notification
from bot.org import orgfile
from bot.port.views import Button, Card, Notice
from tests.fake_deliverer import ScriptedPlatform, rate_limited, server_error, unknown_user


@pytest.fixture
async def people(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        return {p.key: p.id for p in await tx.people.active()}


@pytest.fixture
def platform():
    return ScriptedPlatform("web")


@pytest.fixture
def worker(db, platform, clock):
    return DeliveryWorker(db, {"web": platform}, clock, policy=RetryPolicy(first_delay=2, max_delay=60, max_attempts=5))


async def queue(db, clock, key, recipient, view=None, **options):
    async with db.transaction() as tx:
        return await notify(tx, key, recipient, view or Notice(f"hello {key}"), clock.now(), **options)


async def rows(db):
    async with db.transaction() as tx:
        return {n.key: n for n in (await tx.session.scalars(select(Notification))).all()}


async def test_a_notification_exists_only_if_its_transaction_commits(db, clock, people):
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await notify(tx, "k1", people["sam"], Notice("x"), clock.now())
            raise RuntimeError("the state change failed")
    assert await rows(db) == {}
    assert await queue(db, clock, "k1", people["sam"]) is True
    assert await queue(db, clock, "k1", people["sam"]) is False  # same key: queued once


async def test_delivered_once_to_the_recipients_platform(db, clock, people, platform, worker):
    await queue(db, clock, "k1", people["sam"], Card("Chaperone needed", buttons=(Button("Accept", "a", "1"),)))
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    [(to, view, key)] = platform.sent
    assert (to.platform, to.user_id, key) == ("web", "sam", "k1")
    assert view.buttons[0].label == "Accept"
    row = (await rows(db))["k1"]
    assert row.status == "sent" and row.attempts == 1 and row.message_ref["user"] == "sam"


async def test_500s_then_recovery_delivers_exactly_once(db, clock, people, platform, worker):
    for i in range(20):
        await queue(db, clock, f"k{i}", people["sam"])
    platform.fail_next(*[server_error() for _ in range(30)])
    for _ in range(12):
        await worker.run_once()
        clock.advance(seconds=70)  # past any backoff
    assert sorted(k for _, _, k in platform.sent) == sorted(f"k{i}" for i in range(20))
    assert all(r.status == "sent" for r in (await rows(db)).values())
    assert worker.counts["retried"] == 30 and worker.counts["sent"] == 20


async def test_429_waits_exactly_retry_after(db, clock, people, platform, worker):
    await queue(db, clock, "k1", people["sam"])
    platform.fail_next(rate_limited(after=17))
    await worker.run_once()
    row = (await rows(db))["k1"]
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "rate limited"
    assert (row.next_attempt_at - clock.now()).total_seconds() == 17
    clock.advance(seconds=16)
    assert await worker.run_once() == 0 and platform.sent == []
    clock.advance(seconds=1)
    assert await worker.run_once() == 1 and len(platform.sent) == 1


async def test_a_permanent_error_is_not_retried_and_the_waiting_person_is_told(db, clock, people, platform, worker):
    await queue(db, clock, "ask", people["sam"], tell_on_failure=people["asha"])
    platform.fail_next(unknown_user())
    await worker.run_once()
    assert (await rows(db))["ask"].status == "failed"
    await worker.run_once()  # delivers the failure notice
    [(to, view, key)] = platform.sent
    assert to.user_id == "asha" and key == "ask:failed"
    assert "couldn't get a message through to Sam Okafor" in view.text and "user_not_found" in view.text
    assert platform.calls == 2  # the failed one was tried once only


async def test_giving_up_after_the_last_attempt(db, clock, people, platform, worker):
    await queue(db, clock, "k1", people["sam"])
    platform.fail_next(*[server_error() for _ in range(10)])
    for _ in range(8):
        await worker.run_once()
        clock.advance(seconds=120)
    row = (await rows(db))["k1"]
    assert row.status == "failed" and row.attempts == 5 and row.last_error.startswith("gave up")


async def test_a_recipient_without_any_chat_account_fails_clearly(db, clock, platform, worker):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse("organisation: {name: X}\npeople: [{key: ann, name: Ann}]"))
        ann = (await tx.people.by_key("ann")).id
    await queue(db, clock, "k1", ann)
    await worker.run_once()
    row = (await rows(db))["k1"]
    assert row.status == "failed" and "no chat account" in row.last_error


async def test_updates_replace_the_delivered_message(db, clock, people, platform, worker):
    await queue(db, clock, "req", people["sam"], Card("Chaperone needed"))
    await queue(db, clock, "req:covered", people["sam"], Card("Covered, thank you"), updates="req")
    await worker.run_once()  # the update waits for the original
    clock.advance(seconds=3)
    await worker.run_once()
    [(ref, view, key)] = platform.updated
    assert view.title == "Covered, thank you" and ref.data["user"] == "sam" and key == "req:covered"


async def test_an_update_of_a_message_never_delivered_is_skipped(db, clock, people, platform, worker):
    await queue(db, clock, "req", people["sam"])
    platform.fail_next(unknown_user())
    await worker.run_once()
    await queue(db, clock, "req:covered", people["sam"], updates="req")
    await worker.run_once()
    assert (await rows(db))["req:covered"].status == "skipped" and platform.updated == []


async def test_a_platform_not_enabled_here_waits_instead_of_failing(db, clock, people):
    async with db.transaction() as tx:
        await notify(tx, "k1", people["sam"], Notice("x"), clock.now())
    worker = DeliveryWorker(db, {"slack": ScriptedPlatform("slack")}, clock)
    await worker.run_once()
    row = (await rows(db))["k1"]
    assert row.status == "pending" and "not enabled" in row.last_error


async def test_two_workers_deliver_each_notification_once(db, clock, people):
    for i in range(200):
        await queue(db, clock, f"k{i}", people["sam" if i % 2 else "priya"])
    platform = ScriptedPlatform("web")
    a = DeliveryWorker(db, {"web": platform}, clock, batch=25)
    b = DeliveryWorker(db, {"web": platform}, clock, batch=25)
    while sum(await asyncio.gather(a.run_once(), b.run_once())):
        pass
    keys = [k for _, _, k in platform.sent]
    assert len(keys) == 200 and len(set(keys)) == 200
    assert a.counts["sent"] > 0 and b.counts["sent"] > 0
