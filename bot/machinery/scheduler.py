"""Durable timers: reminders, waits and deadlines stored as rows with a due time.

Each tick locks the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
instances never run the same timer; SQLite has one writer at a time anyway) and runs each
timer's handler inside the same transaction, in its own savepoint. The handler's effects —
state changes, notifications in the outbox, further timers — commit together with the timer
being marked done, so a timer fires exactly once: a crash before commit leaves it pending,
and it fires when the process is back.

Handlers must check that their subject still needs them (an escalation may have been
acknowledged, a request cancelled); a timer that is no longer wanted should also be
cancelled or rescheduled by the workflow that made it stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.machinery import observe
from bot.machinery.clock import Clock
from bot.machinery.observe import NO_OBSERVER, Observer
from bot.machinery.outbox import RetryPolicy, notify
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx
from bot.port import views

log = logging.getLogger(__name__)

TimerHandler = Callable[[Tx, Timer, datetime], Awaitable[None]]

INBOUND_EVENTS_KEPT = timedelta(days=7)
HOUSEKEEPING_EVERY = timedelta(hours=1)


async def send_reminder(tx: Tx, timer: Timer, now: datetime) -> None:
    """``reminder`` timers carry a notification to send when they come due."""
    payload = timer.payload
    await notify(tx, payload["key"], payload["recipient_id"], views.load(payload["view"]), now)


async def schedule_reminder(
    tx: Tx, key: str, recipient_id: int, view: views.Card | views.Notice, due_at: datetime, now: datetime,
    *, subject_type: str = "person", subject_id: int | None = None,
) -> bool:
    """A notification to send at ``due_at`` (idempotent by ``key``)."""
    return await tx.timers.schedule(
        key, "reminder", subject_type, subject_id if subject_id is not None else recipient_id, due_at, now,
        payload={"key": key, "recipient_id": recipient_id, "view": views.dump(view)},
    )


DEFAULT_HANDLERS: dict[str, TimerHandler] = {"reminder": send_reminder}


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        handlers: Mapping[str, TimerHandler] | None = None,
        *,
        batch: int = 200,
        policy: RetryPolicy | None = None,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self.db = db
        self.observer = observer
        self.clock = clock
        self.handlers = dict(DEFAULT_HANDLERS if handlers is None else handlers)
        self.batch = batch
        self.policy = policy or RetryPolicy(first_delay=5, max_delay=600, max_attempts=10)
        self.counts: Counter[str] = Counter()  # fired, retried, failed — this process
        self._last_housekeeping: datetime | None = None

    async def run_once(self) -> int:
        """Run the timers due now (up to one batch); returns how many were due."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            due = await tx.timers.lock_due(now, self.batch)
            for timer in due:
                await self._fire(tx, timer, now)
        await self._housekeeping(now)
        return len(due)

    async def _fire(self, tx: Tx, timer: Timer, now: datetime) -> None:
        kind, lag = timer.kind, max(0.0, (now - timer.due_at).total_seconds())
        # Logged under the id of the request that set the timer; what it queues carries it on.
        with observe.correlated(timer.request_id, timer_id=timer.id, timer_kind=kind), \
                self.observer.span("timer.fire", timer_id=timer.id, timer_kind=kind):
            outcome = await self._run(tx, timer, now)
        self.counts[outcome] += 1
        self.observer.timer_ran(kind if kind in self.handlers else "unknown", outcome, lag)

    async def _run(self, tx: Tx, timer: Timer, now: datetime) -> str:
        timer_id, kind, attempts = timer.id, timer.kind, timer.attempts
        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for timer kind {kind!r}")
            async with tx.savepoint():
                await handler(tx, timer, now)
        except Exception as exc:
            # The savepoint undid the handler's effects; record the failure on the row.
            error = exc.__class__.__name__
            attempts += 1
            if attempts >= self.policy.max_attempts or handler is None:
                values = dict(status="failed", attempts=attempts, last_error=error)
                outcome = "failed"
                log.error("timer %s (%s) failed for good: %s", timer_id, kind, error)
            else:
                retry_at = now + timedelta(seconds=self.policy.delay(attempts, None))
                values = dict(due_at=retry_at, attempts=attempts, last_error=error)
                outcome = "retried"
                log.warning("timer %s (%s) failed with %s; retrying", timer_id, kind, error)
            await tx.session.execute(update(Timer).where(Timer.id == timer_id).values(**values))
            return outcome
        await tx.session.execute(
            update(Timer).where(Timer.id == timer_id).values(status="done", fired_at=now, attempts=attempts + 1)
        )
        log.debug("timer %s (%s) fired", timer_id, kind)
        return "fired"

    async def _housekeeping(self, now: datetime) -> None:
        if self._last_housekeeping and now - self._last_housekeeping < HOUSEKEEPING_EVERY:
            return
        self._last_housekeeping = now
        async with self.db.transaction() as tx:
            await tx.inbound.forget_before(now - INBOUND_EVENTS_KEPT)


async def repeat(step: Callable[[], Awaitable[int]], stop: asyncio.Event, idle: float, name: str,
                 beat: Callable[[], None] | None = None, first_after: float = 0.0) -> None:
    """Call ``step`` until ``stop`` is set (the first time after ``first_after`` seconds);
    pause ``idle`` seconds whenever it had nothing to do (or failed, e.g. while the database
    is unreachable). ``beat`` is called after every step, so a watcher can tell a live loop
    from a stuck one."""
    if first_after:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), first_after)
    while not stop.is_set():
        try:
            busy = await step()
        except Exception as exc:
            log.error("%s: %s; will try again", name, exc.__class__.__name__)
            busy = 0
        if beat is not None:
            beat()
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), idle)
