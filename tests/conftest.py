"""Shared fixtures: a real, migrated database per test (SQLite, or PostgreSQL when
``TEST_DATABASE_URL`` names one), a bot on a manual clock, and a running server.

PostgreSQL runs get a uniquely named database for the whole session (created here, dropped
at the end) and empty tables for each test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import BoundaryBot
from bot.content.scripts import Library, load_library
from bot.machinery.clock import ManualClock
from bot.machinery.config import Settings
from bot.machinery.crypto import Sealer, generate_key
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database, make_engine
from bot.machinery.storage.models import Base
from bot.org import orgfile

PG_BASE = os.environ.get("TEST_DATABASE_URL")

# The Teams fixtures (fake, teams, secured), for every Teams test module without imports.
pytest_plugins = ["tests.teams_harness"]
REPO = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items):
    # Anything that touches the database is a storage test, so CI can rerun exactly those
    # against PostgreSQL without anyone remembering to mark them.
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.storage)


@pytest.fixture(scope="session", autouse=True)
def log_file_when_asked():
    """With BOUNDARY_TEST_LOG_FILE set, every log record of the run is also written there as
    the server writes it with BOUNDARY_LOG_FORMAT=json at DEBUG (same formatter, same holds on
    chatty libraries): tests/test_log_privacy.py reads it."""
    path = os.environ.get("BOUNDARY_TEST_LOG_FILE")
    if not path:
        yield
        return
    import logging

    from adapters.ops import logs

    with open(path, "a", encoding="utf-8") as stream:
        handler = logs.attach("DEBUG", "json", stream)
        yield
        logging.getLogger().removeHandler(handler)


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + make_url(PG_BASE).render_as_string(hide_password=True) if PG_BASE else 'SQLite (set TEST_DATABASE_URL for PostgreSQL)'}"


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def new_postgres_database(prefix: str = "bb_test") -> str:
    """Create an empty, uniquely named database next to TEST_DATABASE_URL's; return its URL."""
    base = make_url(PG_BASE)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(database=make_url(PG_BASE).database).render_as_string(hide_password=False)
    asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A migrated database made once per session: a SQLite file to copy, or a PostgreSQL
    database to empty before each test."""
    if PG_BASE:
        url = new_postgres_database()
        asyncio.run(_migrate(url))
        yield url
        drop_postgres_database(url)
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
        yield str(path)


@pytest.fixture
def database_url(migrated_template, tmp_path) -> str:
    if PG_BASE:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        asyncio.run(_admin(migrated_template, f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return migrated_template
    path = tmp_path / "bot.db"
    shutil.copy(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def fresh_database_url(tmp_path) -> str:
    """An empty, unmigrated database (for migration tests)."""
    if PG_BASE:
        url = new_postgres_database("bb_stairway")
        yield url
        drop_postgres_database(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
async def db(database_url) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sealer() -> Sealer:
    return Sealer([generate_key().encode()])


@pytest.fixture
async def demo_bot(db, sealer, library, clock) -> BoundaryBot:
    """The core with the demo organisation applied, on a manual clock."""
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return BoundaryBot(db, sealer, library, clock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_settings(database_url: str, tmp_path: Path, **extra) -> Settings:
    values = {
        "DATABASE_URL": database_url,
        "BOUNDARY_KEY_FILE": str(tmp_path / "test.key"),
        "BOUNDARY_LOCAL_MODE": True,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def server(database_url, tmp_path, clock):
    """The real aiohttp application, listening on a free port: yields its base URL."""
    from aiohttp import web

    from adapters.server import create_app

    app = create_app(local_settings(database_url, tmp_path), clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    yield f"http://127.0.0.1:{port}", app
    await runner.cleanup()


TEAMS_ENGINES = ("botbuilder", "agents")


@pytest.fixture(params=TEAMS_ENGINES)
def teams_engine(request) -> str:
    """Which SDK runs Teams turns (``BOUNDARY_TEAMS_ENGINE``): every Teams test runs on both."""
    return request.param
