"""Delivery and timers across real processes and a real platform API over HTTP.

The platform is the fake Bot Connector (Microsoft Teams' REST API) on a free port; the bot
is `boundary-bot serve` run as a separate process, delivering through its Teams adapter on
each engine (``BOUNDARY_TEAMS_ENGINE``).
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter

import aiohttp
import pytest
from sqlalchemy import insert

from bot.machinery.clock import SystemClock
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Notification, Timer
from tests.conftest import PG_BASE
from tests.serve_harness import (  # noqa: F401  (connector is a fixture)
    Server,
    connector,
    introduce_morgan,
    notification_statuses,
    seed,
    timer_statuses,
    wait_delivered,
)


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
