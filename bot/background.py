"""The background loops every instance runs: outbox delivery and the timer scheduler (and the
features' slow watchdogs).

Each loop beats after every step, so readiness can tell a live loop from a stuck or dead one.
Stopping finishes the current batches within a grace period, then lets go of every
notification this instance still has leased, so another instance delivers it at once rather
than after the lease runs out. (Timers need no such step: they are held by row locks that end
with their transaction, or with the connection if the process dies.)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

from bot.app import BoundaryBot
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.scheduler import Scheduler, repeat
from bot.org import directory_search
from bot.port.delivery import Deliverer

log = logging.getLogger(__name__)

AUDIT_EVERY = 30.0  # seconds
# The slow checks start this long after the instance does: at hospital size their first round
# (the people index, the dashboard's roll-up) is seconds of work that would otherwise compete
# with start-up and the first turns (bench/hospital.py).
WATCHDOGS_AFTER = 10.0  # seconds
STUCK_AFTER = 60.0  # seconds without a beat: the loop is stuck (a batch never takes this long)
OUTBOX, TIMERS, WATCHDOGS = "outbox", "timers", "watchdogs"


class Background:
    def __init__(self, bot: BoundaryBot, deliverers: Mapping[str, Deliverer], *, tick: float = 0.25) -> None:
        self.bot = bot
        self.worker = DeliveryWorker(bot.db, deliverers, bot.clock, observer=bot.observer)
        self.flagged: dict[str, int] = {}  # watchdog → what it flagged last time
        self.scheduler = Scheduler(bot.db, bot.clock, bot.timer_handlers, observer=bot.observer)
        self.tick = tick
        self._stop = asyncio.Event()
        self._tasks: dict[str, asyncio.Task] = {}
        self.beats: dict[str, float] = {}  # loop → monotonic time of its last step
        self._stopped = False

    def start(self) -> None:
        loops = ((OUTBOX, self.worker.run_once, self.tick, 0.0), (TIMERS, self.scheduler.run_once, self.tick, 0.0),
                 (WATCHDOGS, self.watch_once, AUDIT_EVERY, WATCHDOGS_AFTER))
        now = time.monotonic()
        for name, step, idle, after in loops:
            self.beats[name] = now
            self._tasks[name] = asyncio.create_task(
                repeat(step, self._stop, idle, name, self._beat(name), first_after=after))

    def _beat(self, name: str):
        def beat() -> None:
            self.beats[name] = time.monotonic()
        return beat

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not self._stopped

    def problems(self) -> dict[str, str | None]:
        """Outbox and timer loops → None when alive, else what is wrong with them."""
        found: dict[str, str | None] = {}
        now = time.monotonic()
        for name in (OUTBOX, TIMERS):
            task = self._tasks.get(name)
            if task is None:
                found[name] = "not started"
            elif task.done():
                found[name] = "stopped" if self._stopped else "died"
            elif now - self.beats.get(name, now) > STUCK_AFTER:
                found[name] = f"stuck: no step finished for {now - self.beats[name]:.0f} s"
            else:
                found[name] = None
        return found

    async def watch_once(self) -> int:
        """Run every feature's watchdog (for instance: flag escalations whose next step is
        overdue to the admins). Always 0: watchdogs run on their own slow beat, never in a
        tight loop. First, the index pickers search people in is built or refreshed, so a
        keystroke rarely waits for it (bot.org.directory_index)."""
        try:
            async with self.bot.db.transaction() as tx:
                await directory_search.warm(tx.session)
        except Exception as exc:  # a search still builds it on demand
            log.warning("could not index the organisation for pickers: %s", type(exc).__name__)
        for name, watchdog in self.bot.features.watchdogs.items():
            async with self.bot.db.transaction() as tx:
                self.flagged[name] = await watchdog(tx, self.bot.clock.now())
        return 0

    async def stop(self, grace: float = 20.0) -> None:
        """Finish the current batches (for up to ``grace`` seconds), stop, and let go of the
        notifications this instance still holds. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        tasks = list(self._tasks.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if late:
                log.warning("background work still running after %.0f s was stopped", grace)
        try:
            released = await self.worker.release()
        except Exception as exc:  # the database may be gone; the leases then simply expire
            log.warning("could not release notification leases: %s", type(exc).__name__)
            return
        if released:
            log.info("released %d notification leases for other instances", released)
