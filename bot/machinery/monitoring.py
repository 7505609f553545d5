"""Figures for operators: the outbox and the timers, as the database sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.machinery.clock import Clock
from bot.machinery.storage.db import Database

OVERDUE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class ReliabilityStats:
    notifications: dict[str, int]  # by status: pending, sent, failed, skipped
    notifications_retrying: int  # pending after at least one failed attempt
    timers: dict[str, int]  # by status: pending, done, cancelled, failed
    timers_overdue: int  # pending and due more than a minute ago: a stuck scheduler


async def reliability_stats(db: Database, clock: Clock) -> ReliabilityStats:
    async with db.transaction() as tx:
        return ReliabilityStats(
            notifications=await tx.notifications.counts(),
            notifications_retrying=await tx.notifications.retrying(),
            timers=await tx.timers.counts(),
            timers_overdue=await tx.timers.overdue(clock.now() - OVERDUE_AFTER),
        )
