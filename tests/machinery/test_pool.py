"""Pooled PostgreSQL connections are checked only after resting, and one the database has
dropped meanwhile is replaced without the caller noticing."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine.url import make_url

import bot.machinery.storage.db as storage_db
from bot.machinery.storage.db import Database


async def test_a_rested_connection_the_database_dropped_is_replaced(database_url, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    monkeypatch.setattr(storage_db, "IDLE_BEFORE_PING", 0.2)
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            first = (await tx.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect(make_url(database_url).set(drivername="postgresql")
                                      .render_as_string(hide_password=False))
        await admin.execute("SELECT pg_terminate_backend($1)", first)
        await admin.close()
        await asyncio.sleep(0.3)
        async with db.transaction() as tx:
            second = (await tx.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await db.dispose()
