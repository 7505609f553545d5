"""Benchmark: the core at hospital size on PostgreSQL (issue 19, item 3).

    createdb -h 127.0.0.1 -U postgres perf19
    .venv/bin/python bench/hospital.py [--database-url URL] [--reports 1000000] [--rebuild]

Builds (once; kept between runs unless --rebuild) an organisation of 20,000 people in 200
teams, 300 sites, 2,000 volunteers and 1,000,000 reports over two years, written with
PostgreSQL's COPY. Then prints:

- start-up to ready: `boundary-bot serve` started as a process until `/readyz` answers 200;
- its resident memory when ready and after 200 reports filed through it over HTTP;
- a report inside the core (`BoundaryBot.handle` of the report form, 300 people one after
  another), and a `help` command the same way;
- matching volunteers for a chaperone request (the `eligible` query and filter alone) and the
  whole request turn (matched, the first wave asked).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import psutil
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine.url import make_url

from bot.content.taxonomy import Category, Setting
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database
from bot.org import orgfile

PEOPLE, TEAMS, SITES, VOLUNTEERS = 20_000, 200, 300, 2_000
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
REPORT = {"category": "ROMANTIC", "setting": "telehealth", "occurrence": "repeated", "felt_unsafe": "no",
          "client_ref": "Blue heron", "details": "Asked me out again at the end of the call."}


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def figures(label: str, ms: list[float]) -> str:
    return f"{label}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f} ms (n={len(ms)})"


class Counter:
    """Counts the SQL statements sent (a SQLAlchemy ``before_cursor_execute`` listener)."""

    count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


def site(i: int) -> str:
    return f"Site {i:03d}"


async def build(url: str, reports: int) -> None:
    """The organisation: the header (300 sites) through the org file, the rest with COPY."""
    db = Database(url)
    await migrate.upgrade(db.engine)
    header = ("organisation: {name: Bench Trust, timezone: Europe/London, sites: ["
              + ", ".join(f'"{site(i)}"' for i in range(SITES)) + "]}\npeople:\n  - {key: admin, name: Admin, admin: true}\n")
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(header), now=NOW)
    await db.dispose()
    rng = random.Random(19)
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        base = await conn.fetchval("SELECT coalesce(max(id), 0) FROM people") + 1
        professions = ["doctor", "nurse", "therapist", "allied", "nurse"]
        ids = range(base, base + PEOPLE)
        volunteers = set(rng.sample(list(ids), VOLUNTEERS))
        await conn.copy_records_to_table("people", columns=[
            "id", "key", "display_name", "email", "profession", "timezone", "is_admin", "is_auditor", "is_volunteer",
            "active"], records=[(pid, f"p{pid}", f"Person {pid:05d}", f"p{pid}@trust.example",
                                 professions[pid % 5], None, False, False, pid in volunteers, True) for pid in ids])
        await conn.copy_records_to_table("identities", columns=["person_id", "platform", "workspace", "user_id"],
                                         records=[(pid, "web", "demo", f"p{pid}") for pid in ids])
        await conn.copy_records_to_table("teams", columns=["id", "key", "name"],
                                         records=[(t + 1, f"t{t}", f"Team {t:03d}") for t in range(TEAMS)])
        per_team = PEOPLE // TEAMS
        members = [(pid - base) // per_team + 1 for pid in ids]
        rows = [(members[pid - base], pid, "member") for pid in ids]
        rows += [(t + 1, base + t * per_team, "manager") for t in range(TEAMS)]
        await conn.copy_records_to_table("team_members", columns=["team_id", "person_id", "role"], records=rows)
        week = json.dumps([{"day": d, "start": "07:00", "end": "19:00"} for d in range(7)])
        await conn.copy_records_to_table("volunteer_profiles", columns=[
            "person_id", "active", "sites", "settings", "professions", "timezone", "windows", "unavailable",
            "updated_at"], records=[(pid, True, json.dumps([] if pid % 10 == 0 else
                                                           [site(rng.randrange(SITES)) for _ in range(rng.randint(1, 3))]),
                                     '["in_person", "telehealth"]', "[]", "Europe/London", week, "[]", NOW)
                                    for pid in sorted(volunteers)])
        categories, settings = [c.value for c in Category], [s.value for s in Setting]
        batch = 200_000
        for start in range(0, reports, batch):
            records = []
            for _ in range(min(batch, reports - start)):
                at = NOW - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
                records.append((base + rng.randrange(PEOPLE), rng.choice(categories), rng.choice(settings), "first",
                                False, "[]", rng.randint(1, 5), "open", False, at, at))
            await conn.copy_records_to_table("reports", columns=[
                "author_id", "category", "setting", "occurrence", "felt_unsafe", "factors", "step", "status",
                "confidential", "created_at", "updated_at"], records=records)
        for table in ("people", "teams", "reports", "identities"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(url: str, workdir: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY")}
    env.update(PORT=str(port), LOG_LEVEL="WARNING", BOUNDARY_LOCAL_MODE="true", DATABASE_URL=url,
               BOUNDARY_KEY_FILE=str(workdir / "key"), BOUNDARY_PATTERN_SECRET_FILE=str(workdir / "pattern"))
    return env


def serve(url: str, workdir: Path) -> tuple[subprocess.Popen, int, float, float]:
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=workdir,
                               env=environment(url, workdir, port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as answer:
                if answer.status == 200:
                    cpu = psutil.Process(process.pid).cpu_times()
                    return process, port, time.perf_counter() - began, cpu.user + cpu.system
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode()) from None
            time.sleep(0.01)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def file_over_http(port: int, people: list[int]) -> None:
    for pid in people:
        # As the chat's own page posts: its Origin, and the CSRF cookie's token as a field.
        token = secrets.token_hex(16)
        async with aiohttp.ClientSession(cookies={"bb_person": f"p{pid}", "bb_csrf": token}) as http, \
                http.post(f"http://127.0.0.1:{port}/chat/submit",
                          data={"_form": "report", "csrf": token, **REPORT},
                          headers={"Origin": f"http://127.0.0.1:{port}"}, allow_redirects=False) as response:
            assert response.status == 303, response.status


async def inside_core(url: str, workdir: Path, people: list[int]) -> None:
    from bot import runtime
    from bot.features.chaperone.matching import eligible
    from bot.features.chaperone.storage import ChaperoneRequest
    from bot.machinery.clock import ManualClock
    from bot.machinery.config import Settings
    from bot.port.events import Command, FormSubmitted, Identity

    settings = Settings(_env_file=None, **{k: v for k, v in environment(url, workdir, 0).items()
                                           if k.startswith(("DATABASE", "BOUNDARY"))})
    began = time.perf_counter()
    bot = await runtime.start(settings, clock=ManualClock(NOW))
    statements = Counter()
    sqlalchemy_event.listen(bot.db.engine.sync_engine, "before_cursor_execute", statements)
    print(f"core start (library, key, database, migrations checked): {(time.perf_counter() - began) * 1000:.0f} ms")
    try:
        for label, event in (("a report inside the core (BoundaryBot.handle, report form)",
                              lambda pid: FormSubmitted(Identity("web", "demo", f"p{pid}"), "report", REPORT)),
                             ("`help` inside the core", lambda pid: Command(Identity("web", "demo", f"p{pid}"), "help"))):
            for pid in people[:20]:  # warm-up
                await bot.handle(event(pid))
            ms, statements.count, cpu = [], 0, time.process_time()
            for pid in people:
                t0 = time.perf_counter()
                await bot.handle(event(pid))
                ms.append((time.perf_counter() - t0) * 1000)
            cpu = (time.process_time() - cpu) * 1000 / len(people)
            print(figures(label, ms) + f"; this process's CPU {cpu:.2f} ms and {statements.count / len(people):.1f} "
                  "SQL statements per event")
        async with bot.db.transaction() as tx:
            sites = [site(i) for i in range(SITES)]
            match_ms, found = [], []
            for n in range(60):
                requester = await tx.people.get(people[n])
                request = ChaperoneRequest(id=-1, requester_id=requester.id, starts_at=NOW + timedelta(hours=5),
                                           minutes=30, setting="in_person", site=sites[n * 7 % SITES], urgent=False,
                                           created_at=NOW)
                t0 = time.perf_counter()
                found.append(len(await eligible(tx, request, requester)))
                match_ms.append((time.perf_counter() - t0) * 1000)
            await tx.session.rollback()
        print(figures("matching volunteers for a chaperone request (eligible)", match_ms[10:])
              + f", {min(found)}-{max(found)} match")
        request_ms = []
        for n, pid in enumerate(people[:40]):
            form = {"date": "2026-01-05", "start": f"{13 + n % 6:02d}:00", "minutes": "30", "setting": "in_person",
                    "site": site(n * 11 % SITES), "urgent": "no"}
            t0 = time.perf_counter()
            views = await bot.handle(FormSubmitted(Identity("web", "demo", f"p{pid}"), "chaperone", form))
            request_ms.append((time.perf_counter() - t0) * 1000)
            assert views and "went wrong" not in str(views[0]), views
        print(figures("a chaperone request turn (matched, first wave asked)", request_ms[5:]))
    finally:
        await bot.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/perf19")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="drop everything and build the organisation again")
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    url = args.database_url
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def count() -> int:
        conn = await asyncpg.connect(raw)
        try:
            if args.rebuild:
                await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            exists = await conn.fetchval("SELECT to_regclass('people') IS NOT NULL")
            if exists:  # what earlier runs' chaperone requests left due (their clock was January 2026)
                await conn.execute("DELETE FROM timers; DELETE FROM notifications")
            return await conn.fetchval("SELECT count(*) FROM people") if exists else 0
        finally:
            await conn.close()

    if asyncio.run(count()) < PEOPLE:
        began = time.perf_counter()
        asyncio.run(build(url, args.reports))
        print(f"built {PEOPLE:,} people, {TEAMS} teams, {SITES} sites, {VOLUNTEERS:,} volunteers, "
              f"{args.reports:,} reports in {time.perf_counter() - began:.1f} s")
    print(f"machine load average: {os.getloadavg()[0]:.1f} (2 cores, shared)")
    people = random.Random(7).sample(range(2, PEOPLE), 300)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ready, cpu = [], []
        for _ in range(args.starts):
            process, port, seconds, cpu_seconds = serve(url, workdir)
            ready.append(seconds)
            cpu.append(cpu_seconds)
            if len(ready) < args.starts:
                stop(process)
        try:
            rss_ready = psutil.Process(process.pid).memory_info().rss / 2**20
            asyncio.run(file_over_http(port, people[:200]))
            rss_after = psutil.Process(process.pid).memory_info().rss / 2**20
        finally:
            stop(process)
        print(f"serve start-up to ready (/readyz 200): {', '.join(f'{s:.2f}' for s in ready)} s wall, "
              f"{', '.join(f'{s:.2f}' for s in cpu)} s of its CPU")
        print(f"serve resident memory: {rss_ready:.0f} MB ready, {rss_after:.0f} MB after 200 reports over HTTP")
        asyncio.run(inside_core(url, workdir, people))


if __name__ == "__main__":
    main()
