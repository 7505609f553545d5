"""Platform events already acted on: each event's id is recorded in the same transaction as
its effect, so a redelivery (Slack and Teams both retry) has no second effect.

Every event's transaction runs one of these statements, so they are built once per dialect and
executed with Core on the session's connection: building and caching a statement per event,
and the ORM's machinery, measured more than executing them (bench/teams_turns.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam, delete, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.machinery.storage import orgcache
from bot.machinery.storage.models import InboundEvent


class InboundEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def first_time(self, key: str, at: datetime) -> bool:
        """Record a platform event id; False if it was already recorded (a redelivery).

        Runs inside the event's own transaction, so the record and the effect commit
        together: on PostgreSQL a concurrent duplicate waits for this one and then sees it.
        The id is stored hashed: platform event ids can contain user ids.
        """
        connection = await self._s.connection()
        statement = _FIRST_TIME[connection.dialect.name == "postgresql"]
        return (await connection.execute(statement, {"key": _hashed(key), "received_at": at})).first() is not None

    async def first_time_reading_version(self, key: str, at: datetime) -> tuple[bool, int | None]:
        """:meth:`first_time`, and the organisation's version (for the cache) read in the same
        statement on PostgreSQL: every event's transaction starts with both, and one round
        trip instead of two is a measurable share of a whole turn (bench/teams_turns.py)."""
        connection = await self._s.connection()
        values = {"key": _hashed(key), "received_at": at}
        if connection.dialect.name == "postgresql":
            version, recorded = (await connection.execute(_RECORD_READING_VERSION, values)).one()
            return bool(recorded), version
        first = (await connection.execute(_FIRST_TIME[False], values)).first() is not None
        return first, (await connection.execute(orgcache.VERSION_READ)).scalar()

    async def first_time_if_version(self, alone, key: str, at: datetime, assumed: int) -> tuple[bool, int | None]:
        """As a statement of its own (``alone``: ``Database.alone``, outside the session's
        transaction): record the event only if the organisation's version is still
        ``assumed``; (recorded, the version)."""
        version, recorded = (await alone(_RECORD_IF_CURRENT, {"key": _hashed(key), "received_at": at,
                                                            "assumed": assumed}))[0]
        return bool(recorded), version

    async def known(self, key: str) -> bool:
        return await self._s.scalar(select(InboundEvent.key).where(InboundEvent.key == _hashed(key))) is not None

    async def blur(self, key: str, at: datetime) -> None:
        """Make the record of an event say only roughly when it came (``at``, e.g. the start
        of the month); it still stops a redelivery."""
        await self._s.execute(update(InboundEvent).where(InboundEvent.key == _hashed(key)).values(received_at=at))

    async def forget_before(self, moment: datetime) -> int:
        result = await self._s.execute(delete(InboundEvent).where(InboundEvent.received_at < moment))
        return result.rowcount or 0


_FIRST_TIME = {
    postgres: dialect.insert(InboundEvent.__table__)
    .values(key=bindparam("key"), received_at=bindparam("received_at"))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(InboundEvent.__table__.c.key)
    for postgres, dialect in ((True, postgresql), (False, sqlite))
}

# Outside a transaction (an event that wrote nothing else): the event is recorded only if
# the organisation's version is the one its turn assumed (PostgreSQL only).
_CURRENT = select(orgcache.VERSION_READ.scalar_subquery().label("version")).cte("current")
_RECORDED_IF_CURRENT = (
    postgresql.insert(InboundEvent.__table__)
    .from_select(["key", "received_at"], select(bindparam("key", type_=InboundEvent.__table__.c.key.type),
                                               bindparam("received_at", type_=InboundEvent.__table__.c.received_at.type))
                 .where(select(_CURRENT.c.version).scalar_subquery() == bindparam("assumed")))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(literal_column("1"))
    .cte("recorded"))
_RECORD_IF_CURRENT = select(select(_CURRENT.c.version).scalar_subquery(),
                            select(func.count()).select_from(_RECORDED_IF_CURRENT).scalar_subquery())

# The same insert as a data-modifying CTE beside the version read (PostgreSQL only).
_RECORDED = (
    postgresql.insert(InboundEvent.__table__)
    .values(key=bindparam("key"), received_at=bindparam("received_at"))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(literal_column("1"))
    .cte("recorded"))
_RECORD_READING_VERSION = select(orgcache.VERSION_READ.scalar_subquery(),
                                 select(func.count()).select_from(_RECORDED).scalar_subquery())


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Redelivered(Exception):
    """The event this transaction was for had been recorded already: it is rolled back."""


class StaleVersion(Exception):
    """The organisation changed while this transaction used the cache at an older version:
    it is rolled back, to be run again reading the version first."""
