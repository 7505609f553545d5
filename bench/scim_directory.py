"""Benchmark: the SCIM endpoint with a large directory, driven by a SCIM client from a package.

    .venv/bin/python bench/scim_directory.py [--people 20000] [--database-url URL]

Loads ``--people`` directory-provisioned people into a fresh SQLite file (or an empty PostgreSQL database), serves the real application with SCIM on
a free port, then with scim2-client (httpx2) times what Entra ID and Okta do most: look a user
up by ``userName eq``, create one, PATCH one, deactivate one (which runs every feature's
``on_leave``). Prints p50/p95 per operation.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime

import httpx2
from aiohttp import web
from scim2_client.engines.httpx2 import AsyncSCIMClient
from scim2_models import Email, EnterpriseUser, PatchOp, PatchOperation, SearchRequest, User
from sqlalchemy import insert

from adapters.scim import token_hash
from adapters.server import create_app
from bot.machinery.config import Settings
from bot.machinery.crypto import generate_key
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Organisation, Person

UserX = User[EnterpriseUser]
TOKEN = "bench-token-0123456789abcdef"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def load(url: str, people: int) -> None:
    db = Database(url)
    await migrate.upgrade(db.engine)
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        tx.session.add(Organisation(id=1, name="Bench", timezone="Europe/London"))
        await tx.session.flush()
        rows = [dict(key=f"dir-{i:06d}", display_name=f"Person {i:05d}", email=f"p{i}@trust.example",
                     source="directory", directory_username=f"p{i}@trust.example", directory_active=True,
                     external_id=f"ext-{i}", directory_changed_at=now, active=True, is_admin=False,
                     is_auditor=False, is_volunteer=False) for i in range(people)]
        for start in range(0, len(rows), 2000):
            await tx.session.execute(insert(Person), rows[start:start + 2000])
    await db.dispose()


async def timed(results: dict[str, list[float]], name: str, coroutine) -> None:
    started = time.perf_counter()
    await coroutine
    results.setdefault(name, []).append((time.perf_counter() - started) * 1000)


async def main(url: str, people: int, rounds: int) -> None:
    started = time.perf_counter()
    await load(url, people)
    print(f"loaded {people} directory people in {time.perf_counter() - started:.1f} s")
    settings = Settings(_env_file=None, DATABASE_URL=url, BOUNDARY_ENCRYPTION_KEY=generate_key(),
                        BOUNDARY_LOCAL_MODE=False, BOUNDARY_SCIM_TOKEN_HASH=token_hash(TOKEN), LOG_LEVEL="WARNING")
    app = create_app(settings, run_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    results: dict[str, list[float]] = {}
    try:
        async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}/scim/v2",
                                      headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            client = AsyncSCIMClient(http)
            await client.discover()
            for i in range(rounds):
                who = f"p{(i * 7919) % people}@trust.example"
                await timed(results, "lookup userName eq", client.query(
                    UserX, query_parameters=SearchRequest(filter=f'userName eq "{who}"')))
                user = UserX(user_name=f"new{i}@trust.example", display_name=f"New {i}",
                             emails=[Email(value=f"new{i}@trust.example", primary=True)])
                created = None

                async def create(user=user):
                    nonlocal created
                    created = await client.create(user)
                await timed(results, "create user", create())
                await timed(results, "PATCH displayName", client.modify(UserX, created.id, PatchOp[UserX](
                    operations=[PatchOperation[UserX](op="replace", path="displayName", value=f"Renamed {i}")])))
                await timed(results, "PATCH active false (leave)", client.modify(UserX, created.id, PatchOp[UserX](
                    operations=[PatchOperation[UserX](op="replace", path="active", value=False)])))
    finally:
        await runner.cleanup()
    print(f"{'operation':28} {'p50 ms':>8} {'p95 ms':>8}  (n={rounds} each, {people} people)")
    for name, values in results.items():
        print(f"{name:28} {pct(values, 50):8.1f} {pct(values, 95):8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    asyncio.run(main(url, args.people, args.rounds))
