"""Benchmark: timer lateness and tick cost with many pending timers; outbox throughput.

    .venv/bin/python bench/reliability.py [--database-url URL] [--pending 100000]

Defaults to a fresh SQLite file; pass a PostgreSQL URL (an empty database) to measure that.
Timers run through the real Scheduler and loop (`bot.scheduler.repeat`, 0.25 s idle tick)
with the system clock; lateness is when a timer's handler ran minus its due time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert

from bot.machinery.clock import SystemClock
from bot.machinery.outbox import DeliveryWorker, notify
from bot.machinery.scheduler import Scheduler, repeat
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Timer
from bot.org import orgfile
from bot.port.delivery import Address, MessageRef
from bot.port.views import Notice


class ResponsivePlatform:
    platform = "web"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, to: Address, view, key: str) -> MessageRef:
        await asyncio.sleep(0.002)  # a quick platform API round trip
        self.sent += 1
        return MessageRef("web", {"n": str(self.sent)})

    async def update(self, ref, view, key):
        return ref


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def add_timers(db: Database, count: int, start_index: int, due_from, spread_s: float, kind: str) -> None:
    now = SystemClock().now()
    rows = [
        dict(key=f"bench-{kind}-{start_index + i}", kind=kind, subject_type="bench", subject_id=start_index + i,
             payload={}, due_at=due_from + timedelta(seconds=spread_s * i / max(count, 1)), status="pending",
             attempts=0, created_at=now)
        for i in range(count)
    ]
    for chunk in range(0, len(rows), 5000):
        async with db.transaction() as tx:
            await tx.session.execute(insert(Timer), rows[chunk : chunk + 5000])


async def tick_cost(db: Database, scheduler: Scheduler, repeats: int = 30) -> float:
    durations = []
    for _ in range(repeats):
        began = time.perf_counter()
        await scheduler.run_once()
        durations.append((time.perf_counter() - began) * 1000)
    return statistics.median(durations)


async def main(url: str, pending: int) -> None:
    db = Database(url)
    await migrate.upgrade(db.engine)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        sam = (await tx.people.by_key("sam")).id
    clock = SystemClock()
    lateness: list[float] = []

    async def record(tx, timer, now):
        lateness.append((clock.now() - timer.due_at).total_seconds())

    scheduler = Scheduler(db, clock, {"bench": record, "idle": record})
    far = clock.now() + timedelta(days=30)

    # Tick cost with nothing due, as the number of pending timers grows.
    added = 0
    print(f"database: {db.engine.dialect.name}")
    for target in (1_000, 10_000, pending):
        await add_timers(db, target - added, added, far, 86_400, "idle")
        added = target
        print(f"  idle tick with {target:>7,} pending timers: median {await tick_cost(db, scheduler):.2f} ms")

    # Lateness: 2,000 timers coming due over 20 s, among all the pending ones.
    await add_timers(db, 2_000, added, clock.now() + timedelta(seconds=2), 20, "bench")
    stop = asyncio.Event()
    loop = asyncio.create_task(repeat(scheduler.run_once, stop, 0.25, "bench scheduler"))
    deadline = time.monotonic() + 60
    while len(lateness) < 2_000 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    stop.set()
    await loop
    print(f"  lateness of 2,000 due timers among {pending:,} pending: p50 {pct(lateness, 50) * 1000:.0f} ms, "
          f"p99 {pct(lateness, 99) * 1000:.0f} ms, max {max(lateness) * 1000:.0f} ms (fired {len(lateness)})")

    # Outbox: 1,000 notifications queued at once.
    platform = ResponsivePlatform()
    worker = DeliveryWorker(db, {"web": platform}, clock)
    async with db.transaction() as tx:
        for i in range(1_000):
            await notify(tx, f"bench-note-{i}", sam, Notice(f"note {i}"), clock.now())
    began = time.perf_counter()
    while platform.sent < 1_000 and time.perf_counter() - began < 60:
        await worker.run_once()
    print(f"  1,000 notifications queued at once: all handed to the platform in "
          f"{time.perf_counter() - began:.2f} s (sent {platform.sent})")
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--pending", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db", args.pending))
