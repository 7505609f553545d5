"""Benchmark: fan-out of one chaperone request to 500 volunteers, and accept latency.

    .venv/bin/python bench/chaperone.py [--volunteers 500] [--database-url URL]

Runs the core directly (BoundaryBot.handle, as every adapter does) on a fresh SQLite file,
or on an empty PostgreSQL database when --database-url names one. Delivery goes through the
real outbox worker to a platform that answers each send after 2 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time

from bot.app import BoundaryBot
from bot.content.scripts import load_library
from bot.machinery.clock import ManualClock
from bot.machinery.crypto import Sealer, generate_key
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database
from bot.org import orgfile
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


async def main(url: str, volunteers: int) -> None:
    db = Database(url)
    await migrate.upgrade(db.engine)
    org = "organisation: {name: Bench, timezone: Europe/London, sites: [North]}\npeople:\n"
    org += "  - {key: req, name: Requester, identities: [{platform: web, user: req}]}\n"
    org += "".join(f"  - {{key: v{i}, name: Volunteer {i:04d}, volunteer: true, identities: [{{platform: web, user: v{i}}}]}}\n"
                   for i in range(volunteers))
    clock = ManualClock()  # Monday 09:00 in London
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(org), now=clock.now())
    bot = BoundaryBot(db, Sealer([generate_key().encode()]), load_library(), clock)
    platform = Platform()
    worker = DeliveryWorker(db, {"web": platform}, clock)
    requester = Identity("web", "demo", "req")

    def form(hour: int) -> dict:
        return {"date": "2026-01-05", "start": f"{hour:02d}:00", "minutes": "30", "setting": "in_person",
                "site": "North", "urgent": "yes"}

    began = time.perf_counter()
    [card] = await bot.handle(FormSubmitted(requester, "chaperone", form(10)))
    request_ms = (time.perf_counter() - began) * 1000
    assert f"asked {volunteers} matching" in card.paragraphs[0], card.paragraphs[0]
    began = time.perf_counter()
    while platform.sent < volunteers:
        await worker.run_once()
    deliver_s = time.perf_counter() - began
    print(f"database: {db.engine.dialect.name}, {volunteers} volunteers")
    print(f"  urgent request, matched and {volunteers} offers queued: {request_ms:.0f} ms")
    print(f"  {volunteers} offers handed to the platform: {deliver_s:.2f} s")

    # 50 volunteers press Accept at once: one wins, 49 are thanked.
    clicks: list[float] = []

    async def click(i: int):
        started = time.perf_counter()
        answer = await bot.handle(ButtonPressed(Identity("web", "demo", f"v{i}"), "chaperone.accept", "1"))
        clicks.append((time.perf_counter() - started) * 1000)
        return answer

    began = time.perf_counter()
    answers = await asyncio.gather(*(click(i) for i in range(50)))
    wall = (time.perf_counter() - began) * 1000
    winners = sum(getattr(a[0], "title", "").startswith("You're chaperoning") for a in answers)
    print(f"  50 simultaneous accepts: {winners} winner; each answered in p50 {pct(clicks, 50):.0f} ms, "
          f"p95 {pct(clicks, 95):.0f} ms; all within {wall:.0f} ms")
    began = time.perf_counter()
    while await worker.run_once():
        pass
    print(f"  then {volunteers - 1} cards updated to \"covered\" and the requester told: "
          f"{time.perf_counter() - began:.2f} s")

    # One accept at a time, on fresh requests.
    single: list[float] = []
    for n, hour in enumerate(range(11, 17), start=2):
        await bot.handle(FormSubmitted(requester, "chaperone", form(hour)))
        started = time.perf_counter()
        await bot.handle(ButtonPressed(Identity("web", "demo", f"v{100 + n}"), "chaperone.accept", str(n)))
        single.append((time.perf_counter() - started) * 1000)
    print(f"  a single accept (with {volunteers - 1} other cards to mark covered): "
          f"median {statistics.median(single):.0f} ms over {len(single)}")
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--volunteers", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db", args.volunteers))
