"""Delivering the outbox: notifications written by workflows, sent after commit.

A workflow calls :func:`notify` inside its own transaction, so the notification exists if
and only if the state change that caused it was committed. The :class:`DeliveryWorker`
then leases due notifications, hands each to the recipient's platform through its
:class:`~bot.delivery.Deliverer`, and records the outcome:

- delivered → ``sent``, with the platform's message reference (for later updates);
- :class:`~bot.delivery.RetryLater` (429, 5xx, network) → tried again later, after the
  platform's Retry-After when it gave one, otherwise after an exponential backoff;
- :class:`~bot.delivery.Undeliverable` (unknown user, bad request, app not installed), or
  too many attempts → ``failed``, and the person waiting on it (if any) is told.

Delivery is at least once; the effect is once, because a notification is marked sent in the
same breath as it is delivered and each is leased to one worker at a time. The one gap: a
process killed between the platform accepting a message and our marking it sent will send
it again after the lease expires.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.machinery import observe
from bot.machinery.clock import Clock
from bot.machinery.observe import NO_OBSERVER, Observer
from bot.machinery.storage.db import Database
from bot.machinery.storage.repos import Tx
from bot.port import views
from bot.port.delivery import Deliverer, MessageRef, RetryLater, Undeliverable

log = logging.getLogger(__name__)


async def notify(
    tx: Tx,
    key: str,
    recipient_id: int,
    view: views.Card | views.Notice,
    at,
    *,
    updates: str | None = None,
    tell_on_failure: int | None = None,
) -> bool:
    """Queue ``view`` for a person, in the caller's transaction. Idempotent by ``key``.

    ``updates`` names the key of an earlier notification whose message this one replaces
    (for example a request card that becomes "covered"). ``tell_on_failure`` is the person
    to tell if it can never be delivered.
    """
    return await tx.notifications.enqueue(
        key, recipient_id, views.dump(view), at, updates_key=updates, notify_on_failure_id=tell_on_failure
    )


async def notify_many(tx: Tx, items: list[tuple[str, int, views.Card | views.Notice, str | None]], at) -> None:
    """Queue many messages at once: ``(key, recipient_id, view, updates)`` each. The same
    guarantees as :func:`notify`, in one statement."""
    await tx.notifications.enqueue_many(
        [{"key": k, "recipient_id": r, "view": views.dump(v), "updates_key": u} for k, r, v, u in items], at
    )


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 2.0
    max_delay: float = 300.0
    max_attempts: int = 12  # about 30 minutes of trying with the defaults

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, min(retry_after, 3600.0))
        base = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return base * random.uniform(0.8, 1.2)  # spread retries so they don't all land at once


@dataclass(frozen=True)
class _Job:
    id: int
    key: str
    recipient_id: int
    view: dict
    updates_key: str | None
    attempts: int
    tell_on_failure: int | None
    request_id: str | None


@dataclass(frozen=True)
class _Outcome:
    status: str  # sent | pending | failed | skipped
    attempts: int
    retry_in: float = 0.0
    error: str | None = None
    platform: str | None = None
    ref: MessageRef | None = None
    counted_as: str | None = None  # sent | retried | failed | skipped; None: not an attempt
    code: str = ""  # a reason code (bot.port.delivery.REASON_CODES) when not sent


class DeliveryWorker:
    """Leases a batch of due notifications, delivers them concurrently, records outcomes.

    Two transactions per batch: one to lease the batch and look up where each message goes,
    one to record what happened. A lease that expired meanwhile (another worker took the
    notification over) is detected when recording, and the outcome is dropped.
    """

    def __init__(
        self,
        db: Database,
        deliverers: Mapping[str, Deliverer],
        clock: Clock,
        *,
        owner: str | None = None,
        batch: int = 100,
        concurrency: int = 16,
        lease: timedelta = timedelta(seconds=60),
        policy: RetryPolicy | None = None,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self.db = db
        self.deliverers = deliverers
        self.observer = observer
        self.clock = clock
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self.batch = batch
        self.lease = lease
        self.policy = policy or RetryPolicy()
        self.counts: Counter[str] = Counter()  # sent, retried, failed, skipped — this process
        self._slots = asyncio.Semaphore(concurrency)

    async def run_once(self) -> int:
        """Deliver one batch of due notifications; returns how many were attempted."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            claimed = await tx.notifications.claim(self.owner, now, now + self.lease, self.batch)
            if not claimed:
                return 0
            jobs = [
                _Job(n.id, n.key, n.recipient_id, n.view, n.updates_key, n.attempts, n.notify_on_failure_id,
                     n.request_id)
                for n in claimed
            ]
            addresses = await tx.people.addresses_of({j.recipient_id for j in jobs})
            originals = await tx.notifications.by_keys({j.updates_key for j in jobs if j.updates_key})
        outcomes = await asyncio.gather(*(self._deliver(job, addresses, originals) for job in jobs))
        now = self.clock.now()
        async with self.db.transaction() as tx:
            for job, outcome in zip(jobs, outcomes, strict=True):
                with observe.correlated(job.request_id, notification_id=job.id):
                    await self._record(tx, job, outcome, now)
        return len(jobs)

    async def release(self) -> int:
        """Let go of every notification this worker has leased and not settled (at shutdown),
        so another instance can deliver them straight away."""
        async with self.db.transaction() as tx:
            return await tx.notifications.release(self.owner)

    async def _deliver(self, job: _Job, addresses, originals) -> _Outcome:
        async with self._slots:
            with observe.correlated(job.request_id, notification_id=job.id), \
                    self.observer.span("outbox.deliver", notification_id=job.id, attempt=job.attempts + 1):
                return await self._outcome(job, addresses, originals)

    async def _outcome(self, job: _Job, addresses, originals) -> _Outcome:
        platform = "none"
        try:
            platform, deliver = self._route(job, addresses, originals)
            ref = await deliver()
        except _Deferred as deferred:
            return _Outcome("pending", job.attempts, deferred.seconds, deferred.reason)
        except _Skip as skip:
            return _Outcome("skipped", job.attempts, error=skip.reason, platform=platform, counted_as="skipped")
        except RetryLater as exc:
            tries = job.attempts + 1
            if tries >= self.policy.max_attempts:
                return _Outcome("failed", tries, error=f"gave up: {exc.reason}", platform=platform,
                                counted_as="failed", code=exc.code)
            return _Outcome("pending", tries, self.policy.delay(tries, exc.after), exc.reason, platform=platform,
                            counted_as="retried", code=exc.code)
        except Undeliverable as exc:
            return _Outcome("failed", job.attempts + 1, error=exc.reason, platform=platform, counted_as="failed",
                            code=exc.code)
        except Exception as exc:  # a bug in one deliverer must not stop the others
            log.error("delivering notification %s failed with %s", job.id, exc.__class__.__name__)
            tries = job.attempts + 1
            return _Outcome("pending", tries, self.policy.delay(tries, None), exc.__class__.__name__,
                            platform=platform, counted_as="retried", code="error")
        return _Outcome("sent", job.attempts + 1, platform=platform, ref=ref, counted_as="sent")

    def _route(self, job: _Job, addresses, originals) -> tuple[str, Callable[[], Awaitable[MessageRef]]]:
        """Which platform the message goes to, and the call that sends it there."""
        view = views.load(job.view)
        if job.updates_key:
            original = originals.get(job.updates_key)
            if original is not None and original.status == "pending":
                raise _Deferred(2.0, "waiting for the original message to be delivered")
            if original is None or original.status != "sent" or not original.message_ref:
                raise _Skip("the original message was never delivered")
            deliverer = self.deliverers.get(original.platform)
            if deliverer is None:
                raise RetryLater(f"{original.platform} is not enabled on this instance", after=60, code="not_enabled")
            ref = MessageRef(original.platform, dict(original.message_ref))
            return original.platform, lambda: deliverer.update(ref, view, job.key)

        known = addresses.get(job.recipient_id, [])
        reachable = [a for a in known if a.platform in self.deliverers]
        if not reachable:
            if known:
                raise RetryLater("the recipient's platform is not enabled on this instance", after=60,
                                 code="not_enabled")
            raise Undeliverable("the recipient has no chat account the bot knows", code="unknown_recipient")
        to = reachable[0]
        return to.platform, lambda: self.deliverers[to.platform].send(to, view, job.key)

    async def _record(self, tx: Tx, job: _Job, outcome: _Outcome, now) -> None:
        values: dict = dict(attempts=outcome.attempts, lease_owner=None, lease_until=None,
                            last_error=(outcome.error or "")[:255] or None)
        if outcome.status == "pending":
            values["next_attempt_at"] = now + timedelta(seconds=outcome.retry_in)
        else:
            values["status"] = outcome.status
        if outcome.status == "sent":
            values.update(platform=outcome.platform, message_ref=dict(outcome.ref.data), sent_at=now)
        if not await tx.notifications.settle(job.id, self.owner, values):
            return  # our lease expired and another worker has it now
        if outcome.counted_as:
            self.counts[outcome.counted_as] += 1
            self.observer.delivery_attempted(outcome.platform or "none", outcome.counted_as, outcome.code)
            log.debug("notification %s: %s", job.id, outcome.counted_as)
        if outcome.status == "failed":
            log.warning("notification %s failed: %s", job.id, outcome.error)
            await self._tell_about_failure(tx, job, outcome.error, now)

    async def _tell_about_failure(self, tx: Tx, job: _Job, error: str | None, now) -> None:
        if job.tell_on_failure is None or job.tell_on_failure == job.recipient_id:
            return
        recipient = await tx.people.get(job.recipient_id)
        name = recipient.display_name if recipient else "someone"
        await notify(
            tx,
            f"{job.key}:failed",
            job.tell_on_failure,
            views.Notice(
                f"I couldn't get a message through to {name}: {error}. "
                "You may want to contact them another way."
            ),
            now,
        )


class _Deferred(Exception):
    def __init__(self, seconds: float, reason: str) -> None:
        self.seconds, self.reason = seconds, reason


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
