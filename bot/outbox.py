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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot import views
from bot.clock import Clock
from bot.delivery import Address, Deliverer, MessageRef, RetryLater, Undeliverable
from bot.storage.db import Database
from bot.storage.models import Notification
from bot.storage.repos import Tx

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


class DeliveryWorker:
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
    ) -> None:
        self.db = db
        self.deliverers = deliverers
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
            work = [(n.id, n.key, n.recipient_id, n.view, n.updates_key, n.attempts) for n in claimed]
        await asyncio.gather(*(self._deliver_one(*item) for item in work))
        return len(work)

    async def _deliver_one(self, nid, key, recipient_id, view_data, updates_key, attempts) -> None:
        async with self._slots:
            try:
                platform, ref = await self._attempt(recipient_id, view_data, updates_key, key)
            except _Deferred as deferred:
                await self._record(nid, "pending", attempts, retry_in=deferred.seconds, error=deferred.reason, count=False)
            except RetryLater as exc:
                if attempts + 1 >= self.policy.max_attempts:
                    await self._record(nid, "failed", attempts + 1, error=f"gave up: {exc.reason}")
                else:
                    delay = self.policy.delay(attempts + 1, exc.after)
                    await self._record(nid, "pending", attempts + 1, retry_in=delay, error=exc.reason)
            except Undeliverable as exc:
                await self._record(nid, "failed", attempts + 1, error=exc.reason)
            except _Skip as skip:
                await self._record(nid, "skipped", attempts, error=skip.reason)
            except Exception as exc:  # a bug in a deliverer must not stop the others
                log.error("delivering notification %s failed with %s", nid, exc.__class__.__name__)
                delay = self.policy.delay(attempts + 1, None)
                await self._record(nid, "pending", attempts + 1, retry_in=delay, error=exc.__class__.__name__)
            else:
                await self._record(nid, "sent", attempts + 1, platform=platform, ref=ref)

    async def _attempt(self, recipient_id, view_data, updates_key, key) -> tuple[str, MessageRef]:
        view = views.load(view_data)
        if updates_key:
            async with self.db.transaction() as tx:
                original = await tx.notifications.by_key(updates_key)
                status = original.status if original else None
                ref_data = (original.platform, original.message_ref) if original else None
            if status == "pending":
                raise _Deferred(2.0, "waiting for the original message to be delivered")
            if status != "sent" or not ref_data[1]:
                raise _Skip("the original message was never delivered")
            platform, data = ref_data
            deliverer = self.deliverers.get(platform)
            if deliverer is None:
                raise RetryLater(f"{platform} is not enabled on this instance", after=60)
            return platform, await deliverer.update(MessageRef(platform, data), view, key)

        async with self.db.transaction() as tx:
            identities = await tx.people.addresses(recipient_id)
            addresses = [Address(i.platform, i.workspace, i.user_id) for i in identities]
        reachable = [a for a in addresses if a.platform in self.deliverers]
        if not reachable:
            if addresses:
                raise RetryLater("the recipient's platform is not enabled on this instance", after=60)
            raise Undeliverable("the recipient has no chat account the bot knows")
        to = reachable[0]
        return to.platform, await self.deliverers[to.platform].send(to, view, key)

    async def _record(self, nid, status, attempts, *, retry_in=None, error=None, platform=None, ref=None, count=True) -> None:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            row = await tx.notifications.mine(nid, self.owner)
            if row is None:
                return  # our lease expired and another worker has it now
            row.attempts = attempts
            row.lease_owner = row.lease_until = None
            row.last_error = (error or "")[:255] or None
            if status == "pending":
                row.next_attempt_at = now + timedelta(seconds=retry_in or 0)
            else:
                row.status = status
            if status == "sent":
                row.platform, row.message_ref, row.sent_at = platform, dict(ref.data), now
            if status == "failed":
                await self._tell_about_failure(tx, row, now)
        if count:
            self.counts["retried" if status == "pending" else status] += 1
        if status == "failed":
            log.warning("notification %s failed: %s", nid, error)

    async def _tell_about_failure(self, tx: Tx, row: Notification, now) -> None:
        if row.notify_on_failure_id is None or row.notify_on_failure_id == row.recipient_id:
            return
        recipient = await tx.people.get(row.recipient_id)
        name = recipient.display_name if recipient else "someone"
        await notify(
            tx,
            f"{row.key}:failed",
            row.notify_on_failure_id,
            views.Notice(
                f"I couldn't get a message through to {name}: {row.last_error}. "
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
