"""Benchmark: the cost of the audit chain — appending (one signed entry per transaction,
alone and with 8 instances' worth of concurrent writers) and verifying a long chain.

    .venv/bin/python bench/audit_chain.py [--entries 100000] [--database-url URL]

Runs on a fresh SQLite file, or on an empty PostgreSQL database when --database-url names
one (two engines stand in for two instances).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime

from bot.machinery.crypto import Sealer, generate_key
from bot.machinery.storage import migrate
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
from bot.machinery.storage.audit_verify import verify
from bot.machinery.storage.db import Database


async def main(entries: int, url: str | None) -> None:
    url = url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    sealer = Sealer([generate_key().encode()])
    dbs = [Database(url), Database(url)]
    for db in dbs:
        db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
    await migrate.upgrade(dbs[0].engine)
    now = datetime.now(UTC)

    async def one(db, n, audited=True):
        started = time.perf_counter()
        async with db.transaction() as tx:
            await tx.inbound.first_time(f"bench:{n}:{audited}", now)  # the write every event makes
            if audited:
                await tx.audit.record(now, None, "report.viewed", "report", n)
        return time.perf_counter() - started

    for label, audited in (("a small write, no audit entry", False), ("the same with one signed audit entry", True)):
        times = [await one(dbs[0], n, audited) for n in range(500)]
        print(f"one transaction {label}: median {statistics.median(times) * 1000:.2f} ms")
    started = time.perf_counter()
    times = await asyncio.gather(*(one(dbs[n % 2], n) for n in range(800)))
    took = time.perf_counter() - started
    print(f"800 transactions, all at once over two engines: {800 / took:.0f}/s, "
          f"p50 {statistics.median(times) * 1000:.1f} ms, p95 {sorted(times)[int(len(times) * .95)] * 1000:.1f} ms")

    started = time.perf_counter()
    left = entries - 1300
    while left > 0:
        async with dbs[0].transaction() as tx:
            for n in range(min(1000, left)):
                await tx.audit.record(now, None, "report.viewed", "report", n)
        left -= 1000
    print(f"built a chain of {entries} entries in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    async with dbs[0].transaction() as tx:
        report = await verify(tx, sealer.signer(SIGNING_PURPOSE))
    took = time.perf_counter() - started
    assert report.ok, report.problem
    print(f"verify {report.entries} entries (hashes and signatures): {took:.2f} s "
          f"({report.entries / took:,.0f} entries/s)")
    from bot.features.governance import audit as scheduled

    started = time.perf_counter()
    async with dbs[0].transaction() as tx:
        await verify(tx, sealer.signer(SIGNING_PURPOSE), start=(50_000, await _hash_at(tx, 50_000)), limit=scheduled.SLICE)
    print(f"one watchdog slice ({scheduled.SLICE} entries, one transaction): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    for db in dbs:
        await db.dispose()


async def _hash_at(tx, seq):
    from sqlalchemy import select

    from bot.machinery.storage.models import AuditEntry

    return await tx.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.entries, args.database_url))
