"""The database: one engine, and transactions that hand out repositories."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.machinery.observe import NO_OBSERVER, Observer
from bot.machinery.storage import orgcache
from bot.machinery.storage.direct import DirectStatements
from bot.machinery.storage.inbound import Redelivered, StaleVersion
from bot.machinery.storage.orgcache import OrgCache
from bot.machinery.storage.repos import Tx

if TYPE_CHECKING:
    from bot.machinery.crypto import Signer

__all__ = ["Database", "DatabaseUnavailable", "Redelivered", "StaleVersion", "describe", "make_engine"]

STARTUP_LOCK_KEY = 0x426F756E64  # any constant shared by every instance ("Bound")


class _Discarded(Exception):
    """Raised inside a transaction whose :meth:`Tx.discard` was called, to roll it back."""


_NO_LOCK = contextlib.nullcontext()


class DatabaseUnavailable(Exception):
    """The database named by DATABASE_URL cannot be reached or opened."""


def make_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # hide_parameters: SQL errors must never carry bound values into logs.
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            # WAL lets readers proceed while one writer commits; foreign keys are off by
            # default in SQLite.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows (retention, a reporter's delete) are overwritten, not left in
            # free pages of the file.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    # Enough kept connections for a busy instance's turns in flight, its outbox, timers and the
    # dashboard's parallel queries: past ``pool_size`` every checkout opened a new connection
    # and closed it after (a TCP connect, start-up and a resolver thread each time), which at
    # 16 turns in flight measured more CPU than the turns' own queries (bench/teams_turns.py).
    engine = create_async_engine(url, pool_size=25, max_overflow=15, hide_parameters=True)
    _ping_when_idle(engine)
    return engine


IDLE_BEFORE_PING = 5.0  # seconds a pooled connection may rest before it is checked on checkout


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled connection before use only if it has rested a while (instead of
    ``pool_pre_ping``, which costs a round trip on every transaction: about a sixth of a
    ``help`` turn's round trips). A connection used moments ago is used as it is; if the
    database went away meanwhile, the first error invalidates the whole pool, as with any
    disconnect."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _rested_from(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("returned_at", 0.0) < IDLE_BEFORE_PING:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:  # the pool replaces it and tries again
            raise DisconnectionError() from exc


def describe(url: str) -> str:
    """The URL without its password, fit for an error message."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    def __init__(self, url: str, observer: Observer = NO_OBSERVER) -> None:
        self.url = url
        self.observer = observer
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Queueing our own transactions here is much
        # faster than letting them collide and back off in SQLite's busy handler
        # (measured in bench/serve_and_report.py). PostgreSQL needs no such thing.
        self._one_at_a_time = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None
        self._audit_signer: Callable[[], Signer] | None = None
        # People, the organisation row and features' read-mostly data, per organisation
        # version (bot.machinery.storage.orgcache).
        self.org_cache = OrgCache()
        # Statements that are a whole unit of work by themselves (an event recorded after a
        # turn that wrote nothing else, a Slack press): no BEGIN or COMMIT round trips.
        self._direct = DirectStatements(url, self.engine.dialect) if self.engine.dialect.name == "postgresql" else None

    async def alone(self, statement, params: dict | None = None) -> list[tuple]:
        """Run one statement that is a whole unit of work by itself (a row written, a row
        deleted) and return its rows as plain tuples. On PostgreSQL it is sent alone, without
        BEGIN and COMMIT round trips (a single statement is atomic anyway), straight through
        asyncpg (bot.machinery.storage.direct). Nothing here is audited or watched by the
        caches: only for tables no cache or audit rule is about."""
        if self._direct is not None:
            return await self._direct.run(statement, params or {})
        async with self._one_at_a_time or _NO_LOCK, self.engine.begin() as connection:
            result = await connection.execute(statement, params or {})
            return [tuple(row) for row in result.all()] if result.returns_rows else []

    async def alone_many(self, statement, rows: list[dict]) -> None:
        """:meth:`alone` once per row, in one round trip, all or none (deleting many rows)."""
        if not rows:
            return
        if self._direct is not None:
            await self._direct.run_many(statement, rows)
            return
        async with self._one_at_a_time or _NO_LOCK, self.engine.begin() as connection:
            await connection.execute(statement, rows)

    def sign_audit_with(self, signer: Callable[[], Signer] | None) -> None:
        """Audit entries written through this database are signed with this signer's key
        (asked for at each commit, so a key rotation is picked up)."""
        self._audit_signer = signer

    @asynccontextmanager
    async def transaction(self, *, event: tuple[str, datetime] | None = None) -> AsyncIterator[Tx]:
        """One unit of work: commits when the block ends, rolls back if it raises.

        ``event`` (its platform id, when it came): the transaction of a platform event, which
        may use the organisation cache without reading the version first; the event is
        recorded as its last statement (``tx.event_at`` may be changed meanwhile), which
        raises :class:`Redelivered` or :class:`StaleVersion` (see :meth:`Tx.record_event`).

        Transactions must not be nested (on SQLite the inner one would wait forever).
        """
        with self.observer.span("db.transaction", db_system=self.engine.dialect.name):
            signer = self._audit_signer() if self._audit_signer else None
            async with self._one_at_a_time or _NO_LOCK, self._sessions() as session:
                if event is not None:
                    session.info[orgcache.MAY_ASSUME] = True
                try:
                    async with session.begin():
                        tx = Tx(session, signer, self.org_cache)
                        if event is not None:
                            tx.event_at = event[1]
                        yield tx
                        if tx.discarded:
                            raise _Discarded
                        await tx.before_commit()
                        if event is not None:
                            await tx.record_event(event[0], tx.event_at, self.alone if self._direct else None)
                except _Discarded:
                    pass  # rolled back, as asked
                if session.info.get(orgcache.BUMPED):
                    # Committed a change of the organisation: this instance's next event must not
                    # run on what it cached before.
                    self.org_cache.forget()

    async def org_changed(self) -> None:
        """The hook for "the organisation changed" outside a transaction of ours (a directory
        sync writing with its own connection): every instance drops what it cached."""
        async with self.transaction() as tx:
            await tx.org.changed()

    @asynccontextmanager
    async def startup_lock(self) -> AsyncIterator[None]:
        """Held while one instance migrates and seeds, so instances starting together take
        turns: a PostgreSQL advisory lock, or a lock file next to the SQLite database."""
        if self.engine.dialect.name == "postgresql":
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
                try:
                    yield
                finally:
                    await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
                    await conn.commit()
            return
        database = make_url(self.url).database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.startup-lock", "a+b") as handle:
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    async def ping(self) -> None:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not reachable" here
            raise DatabaseUnavailable(
                f"cannot reach the database at DATABASE_URL={describe(self.url)} "
                f"({exc.__class__.__name__})"
            ) from exc

    async def dispose(self) -> None:
        if self._direct is not None:
            await self._direct.close()
        await self.engine.dispose()
