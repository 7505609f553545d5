"""`boundary-bot serve` as its own process, in front of the fake Bot Connector: for the
tests that kill, restart and run several instances (tests/machinery/)."""

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
from sqlalchemy import select

from bot.machinery.clock import SystemClock
from bot.machinery.outbox import notify
from bot.machinery.scheduler import schedule_reminder
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Notification, Timer
from bot.port.views import Notice
from tests.conftest import free_port
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
