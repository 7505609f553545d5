"""The background loops every instance runs: outbox delivery and the timer scheduler."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.app import BoundaryBot
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.scheduler import Scheduler, repeat
from bot.port.delivery import Deliverer

AUDIT_EVERY = 30.0  # seconds


class Background:
    def __init__(self, bot: BoundaryBot, deliverers: Mapping[str, Deliverer], *, tick: float = 0.25) -> None:
        self.bot = bot
        self.worker = DeliveryWorker(bot.db, deliverers, bot.clock)
        self.flagged: dict[str, int] = {}  # watchdog → what it flagged last time
        self.scheduler = Scheduler(bot.db, bot.clock, bot.timer_handlers)
        self.tick = tick
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(repeat(self.worker.run_once, self._stop, self.tick, "outbox delivery")),
            asyncio.create_task(repeat(self.scheduler.run_once, self._stop, self.tick, "timer scheduler")),
            asyncio.create_task(repeat(self.watch_once, self._stop, AUDIT_EVERY, "watchdogs")),
        ]

    async def watch_once(self) -> int:
        """Run every feature's watchdog (for instance: flag escalations whose next step is
        overdue to the admins). Always 0: watchdogs run on their own slow beat, never in a
        tight loop."""
        for name, watchdog in self.bot.features.watchdogs.items():
            async with self.bot.db.transaction() as tx:
                self.flagged[name] = await watchdog(tx, self.bot.clock.now())
        return 0

    async def stop(self) -> None:
        """Finish the current batch, then stop."""
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
