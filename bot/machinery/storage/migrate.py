"""Running the Alembic migrations in ``migrations/`` from code (``serve`` and ``db upgrade``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        # env.py uses a connection it is handed instead of opening its own.
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


async def pending(engine: AsyncEngine) -> list[str]:
    """Revisions not yet applied, oldest first."""

    def _pending(sync: Connection) -> list[str]:
        current = set(MigrationContext.configure(sync).get_current_heads())
        script = ScriptDirectory.from_config(alembic_config())
        todo = []
        for rev in script.walk_revisions():
            if rev.revision in current:
                break
            todo.append(rev.revision)
        return list(reversed(todo)) if current or todo else []

    async with engine.connect() as conn:
        return await conn.run_sync(_pending)


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@cache
def heads() -> frozenset[str]:
    """The revision(s) the code expects the database to be at."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def current(engine: AsyncEngine) -> frozenset[str]:
    """The revision(s) the database is at (empty for a database never migrated). Read from
    Alembic's table directly: cheap enough for every readiness probe, and quiet."""

    def read(sync: Connection) -> frozenset[str]:
        if not inspect(sync).has_table(VERSION_TABLE):
            return frozenset()
        return frozenset(sync.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())

    async with engine.connect() as conn:
        return await conn.run_sync(read)
