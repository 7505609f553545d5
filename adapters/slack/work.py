"""The Slack adapter's background work, bounded.

Slack wants an answer within three seconds, so listeners acknowledge first and the work (the
core, Web API calls) runs afterwards. Acknowledging is about ten times cheaper than the work,
so under a flood the work must not pile up without limit: a fixed number of workers take it
from a queue of fixed depth. A listener asks :meth:`WorkQueue.offer` *before* anything is
done; when the queue is full the person is told at once that the bot is busy and nothing of
their command has happened, so trying again is safe. Work that continues something already
done (the messages after a form was saved) is never refused: :meth:`WorkQueue.always`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)

BUSY = ("I'm busy right now, so I haven't done that — nothing was started or saved. "
        "Please try again in a minute.")


class WorkQueue:
    def __init__(self, workers: int, depth: int) -> None:
        self.workers, self.depth = workers, depth
        self._queue: asyncio.Queue[Coroutine[Any, Any, None]] = asyncio.Queue()
        self._running: list[asyncio.Task] = []
        self._busy = 0
        self.refused = 0  # since start, for operators (logged when it happens)

    def start(self) -> None:
        if not self._running:
            self._running = [asyncio.ensure_future(self._work()) for _ in range(self.workers)]

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def has_room(self) -> bool:
        """A worker is free, or fewer than ``depth`` are waiting for one."""
        return self._busy + self._queue.qsize() < self.workers + self.depth

    def offer(self, work: Coroutine[Any, Any, None]) -> bool:
        """Queue ``work`` if there is room; otherwise close it unstarted and return False."""
        if not self.has_room():
            work.close()
            self.refused += 1
            log.warning("slack work queue full (%d waiting): a request was refused as busy", self.waiting)
            return False
        self.always(work)
        return True

    def always(self, work: Coroutine[Any, Any, None]) -> None:
        self.start()
        self._queue.put_nowait(work)

    async def idle(self) -> None:
        """Until everything queued has been done."""
        await self._queue.join()

    async def stop(self, wait: float) -> None:
        """Finish what is queued (up to ``wait`` seconds), then stop the workers."""
        try:
            await asyncio.wait_for(self._queue.join(), wait)
        except TimeoutError:
            log.warning("slack work left unfinished at shutdown: %d", self.waiting)
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        self._running = []
        while not self._queue.empty():
            self._queue.get_nowait().close()
            self._queue.task_done()

    async def _work(self) -> None:
        while True:
            work = await self._queue.get()
            self._busy += 1
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("slack background work failed with %s", type(exc).__name__)
            finally:
                self._busy -= 1
                self._queue.task_done()
