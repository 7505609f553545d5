"""Benchmark: a peer-support request widened to 300 supporters, 30 simultaneous accepts, and
the working-hours arithmetic behind every non-urgent wait.

    .venv/bin/python bench/support.py [--supporters 300] [--database-url URL]

Runs the core directly (BoundaryBot.handle, as every adapter does) on a fresh SQLite file, or
on an empty PostgreSQL database when --database-url names one. Delivery goes through the real
outbox worker to a platform that answers each send after 2 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bot.app import BoundaryBot
from bot.content.scripts import load_library
from bot.machinery.clock import ManualClock
from bot.machinery.crypto import Sealer, generate_key
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.scheduler import Scheduler
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database
from bot.org import orgfile
from bot.org.hours import WorkingHours
from bot.port.delivery import Address, MessageRef
from bot.port.events import ButtonPressed, FormSubmitted, Identity


class Platform:
    platform = "web"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, to: Address, view, key: str) -> MessageRef:
        await asyncio.sleep(0.002)
        self.sent += 1
        return MessageRef("web", {"user": to.user_id, "n": str(self.sent)})

    async def update(self, ref, view, key):
        await asyncio.sleep(0.002)
        return ref


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(url: str, supporters: int) -> None:
    db = Database(url)
    await migrate.upgrade(db.engine)
    org = "organisation: {name: Bench, timezone: Europe/London}\npeople:\n"
    org += "  - {key: req, name: Requester, identities: [{platform: web, user: req}]}\n"
    org += "".join(f"  - {{key: s{i}, name: Supporter {i:04d}, identities: [{{platform: web, user: s{i}}}]}}\n"
                   for i in range(supporters))
    org += "peer_support:\n  wave_size: 3\n  supporters:\n" + "".join(f"    - {{who: s{i}}}\n" for i in range(supporters))
    clock = ManualClock()  # Monday 09:00 in London
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(org), now=clock.now())
    bot = BoundaryBot(db, Sealer([generate_key().encode()]), load_library(), clock)
    platform = Platform()
    worker = DeliveryWorker(db, {"web": platform}, clock)
    scheduler = Scheduler(db, clock, bot.timer_handlers)
    requester = Identity("web", "demo", "req")

    began = time.perf_counter()
    [card] = await bot.handle(FormSubmitted(requester, "support", {"how": "chat", "soon": "today"}))
    request_ms = (time.perf_counter() - began) * 1000
    clock.advance(hours=2)  # nobody accepted: everyone who matches is asked
    began = time.perf_counter()
    while await scheduler.run_once():
        pass
    widen_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    while await worker.run_once():
        pass
    print(f"database: {db.engine.dialect.name}, {supporters} peer supporters")
    print(f"  request matched, first wave of 3 asked (the clinician's answer): {request_ms:.0f} ms")
    print(f"  widened to all {supporters} (timer): {widen_ms:.0f} ms; {platform.sent} offers delivered in "
          f"{time.perf_counter() - began:.2f} s")

    clicks: list[float] = []

    async def click(i: int):
        started = time.perf_counter()
        answer = await bot.handle(ButtonPressed(Identity("web", "demo", f"s{i}"), "support.accept", "1"))
        clicks.append((time.perf_counter() - started) * 1000)
        return answer

    answers = await asyncio.gather(*(click(i) for i in range(30)))
    winners = sum(getattr(a[0], "title", "").startswith("You're supporting") for a in answers)
    print(f"  30 simultaneous accepts: {winners} winner; each answered in p50 {pct(clicks, 50):.0f} ms, "
          f"p95 {pct(clicks, 95):.0f} ms")
    await db.dispose()

    hours = WorkingHours.parse("Mon-Fri 08:00-18:00", "Europe/London", "GB", "ENG")
    start = datetime(2026, 1, 9, 17, 55, tzinfo=UTC)
    began = time.perf_counter()
    for i in range(10_000):
        hours.add(start + timedelta(minutes=i), timedelta(minutes=15))
        hours.next_open(start + timedelta(minutes=i))
    print(f"  working hours: next_open + a 15-minute working wait: {(time.perf_counter() - began) * 100:.1f} µs each")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--supporters", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db", args.supporters))
