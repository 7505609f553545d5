"""Prometheus metrics: one registry per application, built once.

Two kinds of figure:

- **what this process did** — counters and histograms fed by the core's Observer hooks and
  the HTTP middleware: ack latency per platform, events by kind and outcome, delivery
  attempts by platform, outcome and reason, timer runs and lag, chaperone fill time;
- **what the database holds** — the outbox, the timers and each feature's declared gauges
  (open escalations by level, overdue ones), read at each scrape by :class:`DatabaseFigures`,
  a custom collector, so no ``_created`` series changes between scrapes. Every instance
  reports the same database figures: aggregate them with ``max``, not ``sum``.

Labels take values from small fixed sets (platform, kind, declared names, outcome and reason
codes); nothing is labelled by person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from bot.app import BoundaryBot

log = logging.getLogger(__name__)

OVERDUE_AFTER = timedelta(minutes=1)
SCRAPE_TIMEOUT = 5.0
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
LAG_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600)
FILL_BUCKETS = (60, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)


@dataclass
class _Snapshot:
    database_up: bool = False
    notifications: dict[str, int] = field(default_factory=dict)
    retrying: int = 0
    oldest_pending_seconds: float = 0.0
    timers: dict[str, int] = field(default_factory=dict)
    timers_overdue: int = 0
    gauges: dict[str, dict[tuple[str, ...], float]] = field(default_factory=dict)


class DatabaseFigures:
    """A collector for figures read from the database. :meth:`refresh` (async) reads them;
    :meth:`collect` (called by the registry, synchronously) reports the last reading, plus
    the connection pool's use, which needs no query."""

    def __init__(self) -> None:
        self.bot: BoundaryBot | None = None
        self.snapshot = _Snapshot()

    async def refresh(self) -> None:
        bot = self.bot
        if bot is None:
            return
        try:
            self.snapshot = await asyncio.wait_for(self._read(bot), SCRAPE_TIMEOUT)
        except Exception as exc:  # the database is down: say so, keep serving the rest
            log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
            self.snapshot = _Snapshot(database_up=False)

    @staticmethod
    async def _read(bot: BoundaryBot) -> _Snapshot:
        now = bot.clock.now()
        async with bot.db.transaction() as tx:
            snapshot = _Snapshot(
                database_up=True,
                notifications=await tx.notifications.counts(),
                retrying=await tx.notifications.retrying(),
                timers=await tx.timers.counts(),
                timers_overdue=await tx.timers.overdue(now - OVERDUE_AFTER),
            )
            oldest = await tx.notifications.oldest_pending()
            if oldest is not None:
                snapshot.oldest_pending_seconds = max(0.0, (now - oldest).total_seconds())
            for name, gauge in bot.features.gauges.items():
                snapshot.gauges[name] = dict(await gauge.read(tx, now))
        return snapshot

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        yield GaugeMetricFamily("boundary_database_up", "1 when the last scrape could read the database",
                                value=1.0 if s.database_up else 0.0)
        if self.bot is not None:
            yield from _pool(self.bot)
        if not s.database_up:
            return
        notes = GaugeMetricFamily("boundary_notifications", "Outbox notifications by status", labels=["status"])
        for status in ("pending", "sent", "failed", "skipped"):
            notes.add_metric([status], s.notifications.get(status, 0))
        yield notes
        yield GaugeMetricFamily("boundary_outbox_depth", "Notifications waiting to be delivered",
                                value=s.notifications.get("pending", 0))
        yield GaugeMetricFamily("boundary_outbox_oldest_pending_seconds",
                                "Age of the oldest notification still waiting to be delivered (0 when none)",
                                value=s.oldest_pending_seconds)
        yield GaugeMetricFamily("boundary_notifications_retrying", "Pending notifications that failed at least once",
                                value=s.retrying)
        timers = GaugeMetricFamily("boundary_timers", "Timers by status", labels=["status"])
        for status in ("pending", "done", "cancelled", "failed"):
            timers.add_metric([status], s.timers.get(status, 0))
        yield timers
        yield GaugeMetricFamily("boundary_timers_overdue", "Pending timers due more than a minute ago",
                                value=s.timers_overdue)
        for name, gauge in self.bot.features.gauges.items():
            family = GaugeMetricFamily("boundary_" + name.replace(".", "_"), gauge.help, labels=list(gauge.labels))
            for labels, value in sorted(s.gauges.get(name, {}).items()):
                family.add_metric(list(labels), value)
            if not gauge.labels and not s.gauges.get(name):
                family.add_metric([], 0.0)
            yield family


def _pool(bot: BoundaryBot) -> Iterator[Metric]:
    pool = bot.db.engine.pool
    figures = {"in_use": getattr(pool, "checkedout", None), "idle": getattr(pool, "checkedin", None),
               "overflow": getattr(pool, "overflow", None), "size": getattr(pool, "size", None)}
    family = GaugeMetricFamily("boundary_db_pool_connections",
                               "Database connection pool: in use, idle, overflow (beyond size) and size",
                               labels=["state"])
    for state, read in figures.items():
        if callable(read):
            # QueuePool counts overflow from -size up; below zero means "none beyond size".
            family.add_metric([state], max(0.0, float(read())))
    yield family


class Metrics:
    """The application's registry and instruments, made once."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.ack = Histogram("boundary_ack_seconds", "Time to answer a request from a chat platform (Slack, "
                             "Teams, web chat), by platform", ["platform"], buckets=ACK_BUCKETS, registry=r)
        self.events = Counter("boundary_events", "Events handled by the core, by platform, kind (command, form, "
                              "button), declared name and outcome", ["platform", "kind", "name", "outcome"],
                              registry=r)
        self.turn = Histogram("boundary_turn_seconds", "Time the core took for one event, by kind", ["kind"],
                              buckets=ACK_BUCKETS, registry=r)
        self.deliveries = Counter("boundary_delivery_attempts", "Delivery attempts by this process, by platform, "
                                  "outcome (sent, retried, failed, skipped) and reason code",
                                  ["platform", "outcome", "reason"], registry=r)
        self.timer_runs = Counter("boundary_timer_runs", "Timer runs by this process, by kind and outcome",
                                  ["kind", "outcome"], registry=r)
        self.timer_lag = Histogram("boundary_timer_lag_seconds", "How long after its due time a timer fired",
                                   ["kind"], buckets=LAG_BUCKETS, registry=r)
        self.chaperone_fill = Histogram("boundary_chaperone_fill_seconds", "Time from a chaperone request to "
                                        "a volunteer accepting it", buckets=FILL_BUCKETS, registry=r)
        self.database = DatabaseFigures()
        r.register(self.database)

    async def exposition(self) -> tuple[bytes, str]:
        await self.database.refresh()
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
