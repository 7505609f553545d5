"""Delivery and timers across real processes and a real platform API over HTTP.

The platform is the fake Bot Connector (Microsoft Teams' REST API) on a free port; the bot
is `boundary-bot serve` run as a separate process, delivering through its Teams adapter on
each engine (``BOUNDARY_TEAMS_ENGINE``).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import insert, select

from bot.machinery.clock import SystemClock
from bot.machinery.outbox import notify
from bot.machinery.scheduler import schedule_reminder
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Notification, Timer
from bot.port.views import Notice
from tests.conftest import PG_BASE, free_port
from tests.fake_connector import FakeConnector
from tests.teams_harness import activity

CLEARED = ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY", "BOUNDARY_LOCAL_MODE", "SLACK_BOT_TOKEN",
           "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MicrosoftAppId", "PORT")


class Server:
    """`boundary-bot serve` as its own process."""

    def __init__(self, database_url: str, workdir, engine: str = "botbuilder") -> None:
        self.database_url = database_url
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env.update(DATABASE_URL=database_url, PORT=str(self.port), LOG_LEVEL="WARNING",
                   BOUNDARY_TEAMS_ENGINE=engine)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "serve"], cwd=workdir, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self, timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as http:
            while True:
                if self.process.poll() is not None:
                    raise AssertionError(f"serve exited: {self.process.stderr.read()}")
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError("serve did not become ready")
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
async def connector():
    fake = FakeConnector()
    await fake.start()
    fake.add_member("29:morgan", "aad-morgan", "morgan@demo.invalid", "Morgan Reyes")
    yield fake
    await fake.stop()


async def introduce_morgan(server: Server, fake: FakeConnector) -> int:
    """Morgan uses the bot once in Teams, so the bot can write to them later."""
    body = activity(fake, "morgan", text="help")
    async with aiohttp.ClientSession() as http, http.post(server.url + "/api/messages", json=body) as response:
        assert response.status == 200
    db = Database(server.database_url)
    try:
        async with db.transaction() as tx:
            return (await tx.people.by_key("morgan")).id
    finally:
        await db.dispose()


async def seed(database_url: str, morgan: int, *, notes: int, timers_now: int, timers_later: int, later_s: float) -> set[str]:
    """Notifications and reminder timers for Morgan; returns every text that must arrive."""
    clock = SystemClock()
    now = clock.now()
    expected: set[str] = set()
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            for i in range(notes):
                await notify(tx, f"note-{i}", morgan, Notice(f"note {i}"), now)
                expected.add(f"note {i}")
            for i in range(timers_now + timers_later):
                due = now + (timedelta(seconds=later_s) if i >= timers_now else timedelta(0))
                await schedule_reminder(tx, f"timer-{i}", morgan, Notice(f"timer {i}"), due, now)
                expected.add(f"timer {i}")
    finally:
        await db.dispose()
    return expected


async def wait_delivered(fake: FakeConnector, expected: set[str], timeout: float) -> Counter:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        counts = Counter(t for t in fake.delivered_texts() if t in expected)
        if set(counts) == expected or asyncio.get_running_loop().time() > deadline:
            return counts
        await asyncio.sleep(0.2)


async def timer_statuses(database_url: str) -> Counter:
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            # The test's own timers (not the daily retention run every server schedules).
            return Counter((await tx.session.scalars(select(Timer.status).where(Timer.kind != "governance.purge"))).all())
    finally:
        await db.dispose()


async def notification_statuses(database_url: str) -> Counter:
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            return Counter((await tx.session.scalars(select(Notification.status))).all())
    finally:
        await db.dispose()


async def test_a_platform_down_for_a_while_then_every_message_arrives_once(database_url, tmp_path, connector,
                                                                          teams_engine):
    server = Server(database_url, tmp_path, teams_engine)
    try:
        await server.ready()
        morgan = await introduce_morgan(server, connector)
        connector.fail(500, times=25)
        connector.fail(429, times=5, retry_after=1)
        expected = await seed(database_url, morgan, notes=20, timers_now=10, timers_later=0, later_s=0)
        counts = await wait_delivered(connector, expected, timeout=60)
        assert set(counts) == expected, f"missing: {sorted(expected - set(counts))}"
        assert max(counts.values()) == 1, f"duplicates: {[t for t, n in counts.items() if n > 1]}"
        failed = [r for r in connector.requests if r.path.startswith("/v3/conversations/")]
        assert len(failed) >= 30 + len(expected)  # the failures really happened, then each once
    finally:
        server.stop()


async def test_sigkill_with_work_pending_then_restart_fires_and_sends_each_once(database_url, tmp_path, connector,
                                                                                teams_engine):
    first = Server(database_url, tmp_path, teams_engine)
    await first.ready()
    morgan = await introduce_morgan(first, connector)
    connector.fail(500, times=10**6)  # the platform is down
    expected = await seed(database_url, morgan, notes=15, timers_now=10, timers_later=10, later_s=3)
    await asyncio.sleep(1.5)  # the first process tries, fails, and schedules retries
    first.kill()
    assert first.process.returncode == -signal.SIGKILL
    await asyncio.sleep(2.5)  # the later timers come due while nothing runs
    assert (await timer_statuses(database_url))["pending"] >= 10

    connector.recover()
    second = Server(database_url, tmp_path, teams_engine)
    try:
        await second.ready()
        counts = await wait_delivered(connector, expected, timeout=90)
        assert set(counts) == expected, f"missing: {sorted(expected - set(counts))}"
        assert max(counts.values()) == 1, f"duplicates: {[t for t, n in counts.items() if n > 1]}"
        assert await timer_statuses(database_url) == Counter({"done": 20})
    finally:
        second.stop()


@pytest.mark.skipif(not PG_BASE, reason="two processes on one database: PostgreSQL only (TEST_DATABASE_URL)")
async def test_two_processes_one_postgres_each_timer_and_message_exactly_once(database_url, tmp_path, connector,
                                                                              teams_engine):
    a, b = Server(database_url, tmp_path, teams_engine), Server(database_url, tmp_path, teams_engine)
    try:
        await a.ready()
        await b.ready()
        morgan = await introduce_morgan(a, connector)
        now = SystemClock().now()
        db = Database(database_url)
        try:
            async with db.transaction() as tx:
                await tx.session.execute(insert(Notification), [
                    dict(key=f"bulk-note-{i}", recipient_id=morgan, view={"type": "notice", "text": f"note {i}"},
                         status="pending", attempts=0, next_attempt_at=now, created_at=now) for i in range(1000)])
                await tx.session.execute(insert(Timer), [
                    dict(key=f"bulk-timer-{i}", kind="reminder", subject_type="person", subject_id=morgan,
                         payload={"key": f"bulk-timer-{i}", "recipient_id": morgan,
                                  "view": {"type": "notice", "text": f"timer {i}"}},
                         due_at=now, status="pending", attempts=0, created_at=now) for i in range(1000)])
        finally:
            await db.dispose()
        expected = {f"note {i}" for i in range(1000)} | {f"timer {i}" for i in range(1000)}
        counts = await wait_delivered(connector, expected, timeout=120)
        assert set(counts) == expected, f"{len(expected - set(counts))} missing"
        assert max(counts.values()) == 1, f"duplicates: {[t for t, n in counts.items() if n > 1][:10]}"
        assert await timer_statuses(database_url) == Counter({"done": 1000})
        # A worker records its batch's outcomes just after the platform has them: wait for that.
        for _ in range(100):
            if (await notification_statuses(database_url))["sent"] == 2000:
                break
            await asyncio.sleep(0.1)
        assert await notification_statuses(database_url) == Counter({"sent": 2000})
        sent_by = []
        async with aiohttp.ClientSession() as http:
            for server in (a, b):
                async with http.get(server.url + "/metrics") as response:
                    sent_by.append(sum(float(x.split()[-1]) for x in (await response.text()).splitlines()
                                       if x.startswith("boundary_delivery_attempts_total{")
                                       and 'outcome="sent"' in x))
        assert sum(sent_by) == 2000 and min(sent_by) > 0, sent_by  # both shared the work
    finally:
        a.stop()
        b.stop()
