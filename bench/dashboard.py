"""Benchmark: the console dashboard with 100,000 reports in PostgreSQL.

    .venv/bin/python bench/dashboard.py [--reports 100000] [--database-url URL]

Makes a fresh database (default: a new one next to postgresql+asyncpg://postgres@127.0.0.1:5432/test,
dropped at the end), applies an organisation of 2,000 people in 20 teams, writes the reports
over 52 weeks plus escalations, chaperone requests and referrals in bulk, then serves the
real aiohttp application and times whole page requests (`GET /console/dashboard`, HTML and
SVG rendered) for a manager and for an admin, as a signed-in browser makes them.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import insert, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.content.taxonomy import Category, Setting
from bot.machinery.clock import ManualClock
from bot.machinery.config import Settings
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Base, Person, Report
from bot.org import orgfile

TEAMS, PEOPLE_PER_TEAM = 20, 100
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def admin_sql(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


def org_file() -> str:
    lines = ["organisation: {name: Bench Hospital, timezone: UTC, sites: [North, South, East]}", "people:",
             "  - {key: admin, name: Admin, admin: true}"]
    teams = ["teams:"]
    for t in range(TEAMS):
        lines.append(f"  - {{key: m{t}, name: Manager {t}}}")
        members = []
        for i in range(PEOPLE_PER_TEAM):
            lines.append(f"  - {{key: p{t}-{i}, name: Person {t}-{i}, volunteer: {str(i % 10 == 0).lower()}}}")
            members.append(f"p{t}-{i}")
        teams.append(f"  - {{key: t{t}, name: Team {t:02d}, managers: [m{t}], members: [{', '.join(members)}]}}")
    return "\n".join(lines + teams) + "\n"


async def fill(db: Database, reports: int) -> None:
    rng = random.Random(1)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(org_file()), now=NOW)
    async with db.transaction() as tx:
        ids = {key: pid for key, pid in (await tx.session.execute(text("SELECT key, id FROM people"))).all()}
        team_ids = {key: tid for key, tid in (await tx.session.execute(text("SELECT key, id FROM teams"))).all()}
    members = [(ids[f"p{t}-{i}"], team_ids[f"t{t}"]) for t in range(TEAMS) for i in range(PEOPLE_PER_TEAM)]
    categories, settings = [c.value for c in Category], [s.value for s in Setting]
    rows = []
    for _ in range(reports):
        author, _ = rng.choice(members)
        at = NOW - timedelta(seconds=rng.randint(0, 52 * 7 * 86400))
        rows.append({"author_id": author, "category": rng.choice(categories), "setting": rng.choice(settings),
                     "occurrence": "first", "felt_unsafe": False, "factors": [], "step": rng.randint(1, 5),
                     "status": "open", "confidential": False, "created_at": at, "updated_at": at})
    for start in range(0, len(rows), 10_000):
        async with db.transaction() as tx:
            await tx.session.execute(insert(Report), rows[start:start + 10_000])
    tables = Base.metadata.tables
    esc, req, ref = [], [], []
    for _ in range(reports // 20):
        author, team = rng.choice(members)
        at = NOW - timedelta(seconds=rng.randint(0, 52 * 7 * 86400))
        ack = at + timedelta(minutes=rng.expovariate(1 / 12))
        esc.append({"team_id": team, "reporter_id": author, "reason": "requested", "status": "resolved", "level": 0,
                    "round": 0, "generation": 3, "created_at": at, "acknowledged_at": ack,
                    "resolved_at": ack + timedelta(hours=rng.expovariate(1 / 6))})
    for _ in range(reports // 50):
        author, _ = rng.choice(members)
        at = NOW - timedelta(seconds=rng.randint(0, 52 * 7 * 86400))
        filled = rng.random() < 0.8
        req.append({"requester_id": author, "starts_at": at + timedelta(hours=4), "minutes": 30,
                    "setting": "in_person", "site": "North", "urgent": False,
                    "status": "covered" if filled else "unfilled", "accepted_at": at + timedelta(minutes=20) if filled
                    else None, "wave": 1, "widened": False, "generation": 1, "created_at": at, "updated_at": at})
        ref.append({"referrer_id": author, "reason": "boundary", "urgency": "routine", "approval_required": False,
                    "status": "accepted" if filled else "offered", "round": 0, "offered_at": at,
                    "accepted_at": at + timedelta(hours=5) if filled else None, "generation": 1, "created_at": at,
                    "updated_at": at})
    async with db.transaction() as tx:
        await tx.session.execute(tables["escalations"].insert(), esc)
        await tx.session.execute(tables["chaperone_requests"].insert(), req)
        await tx.session.execute(tables["referrals"].insert(), ref)
    # A steady state, as in production: vacuumed (visibility map, hint bits) and analysed.
    # Without it the first reads of freshly written rows also write, and autovacuum runs
    # during the measurements.
    await admin_sql(db.url, "VACUUM ANALYZE")


async def forget_rollup(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.session.execute(text("DELETE FROM dashboard_rollup_cells"))
        await tx.session.execute(text("DELETE FROM dashboard_rollup_periods"))


async def one_new_report(db: Database, author: int) -> None:
    async with db.transaction() as tx:
        tx.session.add(Report(author_id=author, category="ROMANTIC", setting="in_person", occurrence="first",
                              felt_unsafe=False, factors=[], step=2, status="open", created_at=NOW, updated_at=NOW))


async def measure(url: str, reports: int, repeats: int) -> None:
    from adapters.server import create_app
    from bot.features.console import start_session

    db = Database(url)
    await migrate.upgrade(db.engine)
    began = time.perf_counter()
    await fill(db, reports)
    print(f"filled {reports:,} reports (+ escalations, requests, referrals) in {time.perf_counter() - began:.1f} s")
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(_env_file=None, DATABASE_URL=url, BOUNDARY_KEY_FILE=str(tmp / "k"), BOUNDARY_LOCAL_MODE=True)
    app = create_app(settings, clock=ManualClock(NOW), run_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    cases = [("manager, one team, 12 weeks (the default)", "m3", ""),
             ("admin, all teams, 12 weeks", "admin", ""),
             ("admin, all teams, 12 months by month", "admin", "?unit=month&from=2025-02-01&to=2026-01-05"),
             ("admin, one team, 52 weeks", "admin", "?unit=week&from=2025-01-06&to=2026-01-05&team=2")]
    try:
        for label, key, query in cases:
            async with db.transaction() as tx:
                person = await tx.session.scalar(text("SELECT id FROM people WHERE key = :k").bindparams(k=key))
                secret = await start_session(tx, await tx.session.get(Person, person), "link", NOW)
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar, cookies={"bb_console": secret}) as http:

                async def look(query: str = query) -> float:
                    t0 = time.perf_counter()
                    async with http.get(f"{base}/console/dashboard{query}") as response:
                        body = await response.text()
                        assert response.status == 200, (response.status, body[:300])
                    return (time.perf_counter() - t0) * 1000

                # First look: nothing kept, every report in range counted (and the roll-up stored).
                cold = []
                for _ in range(5):
                    await forget_rollup(db)
                    cold.append(await look())
                # Looking again: nothing moved, the roll-up read.
                warm = [await look() for _ in range(repeats)]
                # A new report before each look: its period counted again, the rest read.
                fresh = []
                for _ in range(repeats):
                    await one_new_report(db, person)
                    fresh.append(await look())
            for phase, times in (("first look", cold), ("again", warm), ("a new report before each look", fresh)):
                print(f"{label}, {phase}: p50 {statistics.median(times):.0f} ms, p95 {pct(times, 95):.0f} ms, "
                      f"max {max(times):.0f} ms (n={len(times)})")
    finally:
        await runner.cleanup()
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: make one)")
    args = parser.parse_args()
    url, made = args.database_url, None
    if url is None:
        base = make_url("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
        made = f"bb_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(admin_sql(base.render_as_string(hide_password=False), f'CREATE DATABASE "{made}"'))
        url = base.set(database=made).render_as_string(hide_password=False)
    try:
        asyncio.run(measure(url, args.reports, args.repeats))
    finally:
        if made:
            asyncio.run(admin_sql("postgresql+asyncpg://postgres@127.0.0.1:5432/test",
                                  f'DROP DATABASE IF EXISTS "{made}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
