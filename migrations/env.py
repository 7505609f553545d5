"""Alembic environment: async engines, or a connection handed in by the bot."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import bot.features  # noqa: F401  (every feature's tables, on Base.metadata)
from bot.machinery.config import Settings
from bot.machinery.storage.db import make_engine
from bot.machinery.storage.models import Base

target_metadata = Base.metadata
config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    engine = make_engine(Settings().database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")

handed_in = config.attributes.get("connection")
if handed_in is not None:
    _run(handed_in)
else:
    asyncio.run(_run_with_own_engine())
