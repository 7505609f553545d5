"""A rolling restart under load: two `serve` processes on one PostgreSQL database, Teams
activities arriving all the while through a "load balancer" that sends each to an instance
that is up, and notifications and timers coming due throughout. Each instance in turn gets
SIGTERM and is replaced. Nothing may be lost and nothing duplicated: every activity answered
200 and replied to once, every notification and timer delivered once, no lease left behind."""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
from collections import Counter
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import func, insert, select

from bot.machinery.clock import SystemClock
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Notification, Timer
from tests.conftest import PG_BASE
from tests.serve_harness import (  # noqa: F401
    Server,
    connector,
    introduce_morgan,
    timer_statuses,
    wait_delivered,
)
from tests.teams_harness import activity

NOTES, TIMERS, SPREAD = 400, 400, 12.0  # timers come due over SPREAD seconds: during the restarts


async def seed(database_url: str, morgan: int) -> set[str]:
    now = SystemClock().now()
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            await tx.session.execute(insert(Notification), [
                dict(key=f"roll-note-{i}", recipient_id=morgan, view={"type": "notice", "text": f"note {i}"},
                     status="pending", attempts=0, next_attempt_at=now + timedelta(seconds=SPREAD * i / NOTES),
                     created_at=now) for i in range(NOTES)])
            await tx.session.execute(insert(Timer), [
                dict(key=f"roll-timer-{i}", kind="reminder", subject_type="person", subject_id=morgan,
                     payload={"key": f"roll-timer-{i}", "recipient_id": morgan,
                              "view": {"type": "notice", "text": f"timer {i}"}},
                     due_at=now + timedelta(seconds=SPREAD * i / TIMERS), status="pending", attempts=0,
                     created_at=now) for i in range(TIMERS)])
    finally:
        await db.dispose()
    return {f"note {i}" for i in range(NOTES)} | {f"timer {i}" for i in range(TIMERS)}


class Balancer:
    """Sends each activity to the next instance in rotation, and to another when the
    connection fails before an answer (as a load balancer does; Teams' retries are idempotent
    here, so a retried activity never has a second effect); records the answer each got."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.instances: list[Server] = []
        self.draining: set[Server] = set()
        self.answers: dict[str, int] = {}
        self._turn = itertools.count()
        self.stopping = asyncio.Event()

    async def send(self, http: aiohttp.ClientSession, activity_id: str) -> None:
        body = activity(self.fake, "morgan", text="help", activity_id=activity_id)
        for _ in range(200):
            up = [s for s in self.instances if s.process.poll() is None and s not in self.draining]
            if up:
                server = up[next(self._turn) % len(up)]
                try:
                    async with http.post(server.url + "/api/messages", json=body) as response:
                        self.answers[activity_id] = response.status
                        return
                except aiohttp.ClientConnectionError:
                    pass  # not listening, or the connection was dropped unanswered: try another
            await asyncio.sleep(0.05)
        raise AssertionError(f"no instance took {activity_id}")

    async def load(self, per_second: float = 15.0) -> None:
        fresh = aiohttp.TCPConnector(force_close=True)  # a new connection each time, as from an LB
        async with aiohttp.ClientSession(connector=fresh) as http:
            sends = []
            for n in itertools.count():
                if self.stopping.is_set():
                    break
                sends.append(asyncio.create_task(self.send(http, f"roll:{n}")))
                await asyncio.sleep(1 / per_second)
            await asyncio.gather(*sends)


async def terminate(server: Server, limit: float = 30.0) -> float:
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(server.process.wait, limit)
    assert code == 0, server.process.stderr.read()
    return time.monotonic() - started


@pytest.mark.skipif(not PG_BASE, reason="two processes on one database: PostgreSQL only (TEST_DATABASE_URL)")
async def test_a_rolling_restart_under_load_loses_and_duplicates_nothing(database_url, tmp_path, connector):  # noqa: F811
    a, b = Server(database_url, tmp_path), Server(database_url, tmp_path)
    servers = [a, b]
    balancer = Balancer(connector)
    try:
        await a.ready(timeout=60)
        await b.ready(timeout=60)
        morgan = await introduce_morgan(a, connector)
        expected = await seed(database_url, morgan)
        balancer.instances = [a, b]
        load = asyncio.create_task(balancer.load())
        await asyncio.sleep(2)

        stop_times = []
        for old in (a, b):  # one at a time, replacing each, as a Deployment's rolling update does
            new = Server(database_url, tmp_path)
            servers.append(new)
            await new.ready(timeout=60)
            balancer.instances.append(new)
            # Out of rotation and SIGTERM at once: requests already sent to it are still in flight.
            balancer.draining.add(old)
            stop_times.append(await terminate(old))
            await asyncio.sleep(2)
        balancer.stopping.set()
        await load

        counts = await wait_delivered(connector, expected, timeout=20)  # well inside the 60-second lease
        assert set(counts) == expected, f"{len(expected - set(counts))} lost, e.g. {sorted(expected - set(counts))[:5]}"
        assert max(counts.values()) == 1, f"duplicates: {[t for t, n in counts.items() if n > 1][:10]}"
        assert await timer_statuses(database_url) == Counter({"done": TIMERS})

        assert len(balancer.answers) > 100 and set(balancer.answers.values()) == {200}
        replies = Counter(r.path.rsplit("/", 1)[-1] for r in connector.requests
                          if r.method == "POST" and "/activities/roll:" in r.path)
        assert set(replies) == set(balancer.answers), "every activity answered"
        assert max(replies.values()) == 1, f"replied twice: {[k for k, n in replies.items() if n > 1][:10]}"
        assert all(t < 25 for t in stop_times), stop_times  # within the grace period, not the kill timeout

        db = Database(database_url)
        try:
            async with db.transaction() as tx:
                leased = await tx.session.scalar(select(func.count()).select_from(Notification).where(
                    Notification.status == "pending", Notification.lease_owner.is_not(None)))
        finally:
            await db.dispose()
        assert leased == 0
    finally:
        balancer.stopping.set()
        for server in servers:
            server.stop()
