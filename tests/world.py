"""A whole bot for workflow tests: the core, a platform that records what it was sent, and
the background steps (timers, outbox) run on demand against a manual clock."""

from __future__ import annotations

from bot.app import BoundaryBot
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.scheduler import Scheduler
from bot.port.views import Card, Notice
from tests.fake_deliverer import ScriptedPlatform


class World:
    def __init__(self, db, sealer, library, clock):
        self.db, self.clock = db, clock
        self.bot = BoundaryBot(db, sealer, library, clock)
        self.platform = ScriptedPlatform("web")
        self.worker = DeliveryWorker(db, {"web": self.platform}, clock)
        self.scheduler = Scheduler(db, clock, self.bot.timer_handlers)

    async def settle(self):
        """Run due timers and deliver everything queued."""
        while await self.scheduler.run_once() or await self.worker.run_once():
            pass

    async def later(self, **delta):
        self.clock.advance(**delta)
        await self.settle()

    def inbox(self, who: str) -> list:
        return [view for to, view, _ in self.platform.sent if to.user_id == who]

    def updates(self, who: str) -> list:
        return [view for ref, view, _ in self.platform.updated if ref.data["user"] == who]

    def texts(self, who: str) -> list[str]:
        return [text_of(view) for view in self.inbox(who)]


def text_of(view) -> str:
    if isinstance(view, Notice):
        return view.text
    if isinstance(view, Card):
        return " | ".join([view.title, *view.paragraphs, *(f"{a}: {b}" for a, b in view.facts)])
    return repr(view)
