"""The background loops every instance runs: outbox delivery and the timer scheduler."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.app import BoundaryBot
from bot.delivery import Deliverer
from bot.outbox import DeliveryWorker
from bot.scheduler import Scheduler, repeat


class Background:
    def __init__(self, bot: BoundaryBot, deliverers: Mapping[str, Deliverer], *, tick: float = 0.25) -> None:
        self.worker = DeliveryWorker(bot.db, deliverers, bot.clock)
        self.scheduler = Scheduler(bot.db, bot.clock, bot.timer_handlers)
        self.tick = tick
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(repeat(self.worker.run_once, self._stop, self.tick, "outbox delivery")),
            asyncio.create_task(repeat(self.scheduler.run_once, self._stop, self.tick, "timer scheduler")),
        ]

    async def stop(self) -> None:
        """Finish the current batch, then stop."""
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
