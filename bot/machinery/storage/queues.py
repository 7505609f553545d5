"""The two durable queues: notifications waiting for delivery (the outbox) and timers
waiting to fire. Both are claimed with leases so that several instances share the work and
nothing is done twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.machinery import observe
from bot.machinery.storage.models import Notification, Timer
from bot.machinery.storage.sql import insert_ignoring_duplicates


class Notifications:
    """The outbox table. Writes happen in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def enqueue(
        self,
        key: str,
        recipient_id: int,
        view: dict,
        at: datetime,
        *,
        updates_key: str | None = None,
        notify_on_failure_id: int | None = None,
    ) -> bool:
        """Queue a message; False if a notification with this key already exists."""
        values = dict(
            key=key, recipient_id=recipient_id, view=view, updates_key=updates_key,
            notify_on_failure_id=notify_on_failure_id, status="pending", attempts=0,
            next_attempt_at=at, created_at=at, request_id=observe.request_id(),
        )
        statement = insert_ignoring_duplicates(self._s, Notification, values, ["key"])
        return (await self._s.execute(statement)).first() is not None

    async def enqueue_many(self, rows: list[dict], at: datetime) -> None:
        """Queue many messages in one statement (fan-outs to hundreds of people). Each row has
        ``key``, ``recipient_id``, ``view`` and optionally ``updates_key``; existing keys are
        left alone."""
        if not rows:
            return
        dialect = postgresql if self._s.get_bind().dialect.name == "postgresql" else sqlite
        request_id = observe.request_id()
        values = [
            dict(key=r["key"], recipient_id=r["recipient_id"], view=r["view"], updates_key=r.get("updates_key"),
                 notify_on_failure_id=None, status="pending", attempts=0, next_attempt_at=at, created_at=at,
                 request_id=request_id)
            for r in rows
        ]
        await self._s.execute(dialect.insert(Notification).on_conflict_do_nothing(index_elements=["key"]), values)

    async def by_key(self, key: str) -> Notification | None:
        return await self._s.scalar(select(Notification).where(Notification.key == key))

    async def claim(self, owner: str, now: datetime, lease_until: datetime, limit: int) -> Sequence[Notification]:
        """Lease up to ``limit`` due notifications to ``owner``, oldest first.

        On PostgreSQL rows another instance is claiming are skipped, not waited for.
        """
        due = (
            select(Notification.id)
            .where(
                Notification.status == "pending",
                Notification.next_attempt_at <= now,
                or_(Notification.lease_until.is_(None), Notification.lease_until < now),
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self._s.scalars(due)).all())
        if not ids:
            return []
        await self._s.execute(
            update(Notification).where(Notification.id.in_(ids)).values(lease_owner=owner, lease_until=lease_until)
        )
        return (await self._s.scalars(select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id))).all()

    async def settle(self, notification_id: int, owner: str, values: dict) -> bool:
        """Record a delivery outcome, if ``owner`` still holds the lease; False if it doesn't."""
        result = await self._s.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.lease_owner == owner, Notification.status == "pending")
            .values(**values)
        )
        return bool(result.rowcount)

    async def release(self, owner: str) -> int:
        """Clear ``owner``'s leases on notifications still pending; how many there were."""
        result = await self._s.execute(
            update(Notification)
            .where(Notification.lease_owner == owner, Notification.status == "pending")
            .values(lease_owner=None, lease_until=None)
        )
        return result.rowcount or 0

    async def by_keys(self, keys: set[str]) -> dict[str, Notification]:
        if not keys:
            return {}
        return {n.key: n for n in (await self._s.scalars(select(Notification).where(Notification.key.in_(keys)))).all()}

    async def counts(self) -> dict[str, int]:
        rows = await self._s.execute(select(Notification.status, func.count()).group_by(Notification.status))
        return {status: n for status, n in rows.all()}

    async def oldest_pending(self) -> datetime | None:
        """When the oldest notification still waiting was queued."""
        return await self._s.scalar(
            select(func.min(Notification.created_at)).where(Notification.status == "pending")
        )

    async def retrying(self) -> int:
        return await self._s.scalar(
            select(func.count()).select_from(Notification).where(
                Notification.status == "pending", Notification.attempts > 0
            )
        ) or 0


class Timers:
    """Durable timers. Writes happen in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def schedule(
        self, key: str, kind: str, subject_type: str, subject_id: int, due_at: datetime, at: datetime,
        payload: dict | None = None,
    ) -> bool:
        """Add a timer; False (and no change) if one with this key exists already."""
        values = dict(
            key=key, kind=kind, subject_type=subject_type, subject_id=subject_id, payload=payload or {},
            due_at=due_at, status="pending", attempts=0, created_at=at, request_id=observe.request_id(),
        )
        statement = insert_ignoring_duplicates(self._s, Timer, values, ["key"])
        return (await self._s.execute(statement)).first() is not None

    async def reschedule(self, key: str, due_at: datetime) -> bool:
        result = await self._s.execute(
            update(Timer).where(Timer.key == key, Timer.status == "pending").values(due_at=due_at, attempts=0)
        )
        return bool(result.rowcount)

    async def cancel(self, key: str) -> bool:
        result = await self._s.execute(
            update(Timer).where(Timer.key == key, Timer.status == "pending").values(status="cancelled")
        )
        return bool(result.rowcount)

    async def cancel_for(self, subject_type: str, subject_id: int) -> int:
        result = await self._s.execute(
            update(Timer)
            .where(Timer.subject_type == subject_type, Timer.subject_id == subject_id, Timer.status == "pending")
            .values(status="cancelled")
        )
        return result.rowcount or 0

    async def by_key(self, key: str) -> Timer | None:
        return await self._s.scalar(select(Timer).where(Timer.key == key))

    async def lock_due(self, now: datetime, limit: int) -> Sequence[Timer]:
        """Due timers, locked for this transaction; on PostgreSQL, rows locked by another
        instance are skipped, so each timer is run by exactly one instance."""
        return (
            await self._s.scalars(
                select(Timer)
                .where(Timer.status == "pending", Timer.due_at <= now)
                .order_by(Timer.due_at, Timer.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def overdue(self, before: datetime) -> int:
        return await self._s.scalar(
            select(func.count()).select_from(Timer).where(Timer.status == "pending", Timer.due_at < before)
        ) or 0

    async def counts(self) -> dict[str, int]:
        rows = await self._s.execute(select(Timer.status, func.count()).group_by(Timer.status))
        return {status: n for status, n in rows.all()}
