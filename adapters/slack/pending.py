"""An acknowledged press is a done press: a Slack command or button press is written to the
database (sealed) before Slack gets its 200, carried out from there, and deleted when done.
If the process dies in between, whichever instance runs the next sweep claims the row and
carries it out; the core's own dedupe on the event id keeps a press that did reach the core
from taking effect twice.

A row is claimed by moving its ``claimed_at`` forward in a conditional update, so two
instances sweeping at once cannot both take it; a row claimed less than :data:`STALE` ago is
work in progress somewhere and is left alone.

A slash command is recorded only if it is acknowledged before the core has finished with it
(:meth:`PendingPresses.record_late`): its acknowledgement normally waits for the core, whose
turn, committed by then, is the record (adapters/slack/adapter.py, ``slash``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from bot.app import BoundaryBot
from bot.machinery.storage.models import PendingPress

log = logging.getLogger(__name__)

PLATFORM = "slack"
STALE = timedelta(seconds=10)  # longer than any press takes to carry out
SWEEP_EVERY = 5.0  # seconds


_TABLE = PendingPress.__table__
_RECORD = insert(_TABLE).values({name: bindparam(name) for name in
                                 ("platform", "kind", "payload_sealed", "received_at", "claimed_at")}
                                ).returning(_TABLE.c.id)
_DONE = delete(_TABLE).where(_TABLE.c.id == bindparam("press_id"))
DONE_GATHERING = 0.05  # seconds a carried-out press waits to be deleted with others
DONE_BATCH = 500


@dataclass
class Press:
    """A press being carried out: its row (None while it has none), and whether it is done."""

    press_id: int | None = None
    finished: bool = False


class PendingPresses:
    def __init__(self, bot: BoundaryBot) -> None:
        self.bot = bot
        self._done: list[int] = []
        self._flushing: asyncio.Future | None = None

    async def record(self, kind: str, body: dict[str, Any]) -> int:
        now = self.bot.clock.now()
        sealed = self.bot.sealer.seal(json.dumps(body))
        # One statement each way (on PostgreSQL without BEGIN and COMMIT): every command
        # and press pays for both.
        rows = await self.bot.db.alone(_RECORD, {"platform": PLATFORM, "kind": kind, "payload_sealed": sealed,
                                                 "received_at": now, "claimed_at": now})
        return rows[0][0]

    async def record_late(self, press: Press, kind: str, body: dict[str, Any]) -> None:
        """Record a press that is already being carried out; if it finished meanwhile, it is
        forgotten again at once."""
        press_id = await self.record(kind, body)
        if press.finished:
            await self.done(press_id)
        else:
            press.press_id = press_id

    async def finish(self, press: Press) -> None:
        press.finished = True
        if press.press_id is not None:
            await self.done(press.press_id)

    async def done(self, press_id: int) -> None:
        """Forget a press that was carried out. Gathered for a moment and deleted together:
        one statement for many presses under load. A press still listed after a crash is
        carried out again by the sweep, and the core, which recorded its event, does nothing
        a second time (nothing is sent twice)."""
        self._done.append(press_id)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._delete_soon())

    async def _delete_soon(self) -> None:
        await asyncio.sleep(DONE_GATHERING)
        await self.flush()

    async def flush(self) -> None:
        """Delete the presses gathered so far (also at shutdown)."""
        while self._done:
            ids, self._done = self._done[:DONE_BATCH], self._done[DONE_BATCH:]
            try:
                await self.bot.db.alone_many(_DONE, [{"press_id": press_id} for press_id in ids])
            except Exception as exc:  # left for the sweep, which finds them done in the core
                log.warning("slack presses not cleared: %s", type(exc).__name__)

    async def claim_stale(self) -> list[tuple[int, str, dict[str, Any]]]:
        """Presses whose instance stopped before carrying them out, claimed for this one."""
        now = self.bot.clock.now()
        claimed = []
        async with self.bot.db.transaction() as tx:
            rows = (await tx.session.execute(
                select(PendingPress.id, PendingPress.kind, PendingPress.payload_sealed, PendingPress.claimed_at)
                .where(PendingPress.platform == PLATFORM, PendingPress.claimed_at < now - STALE)
                .order_by(PendingPress.id).limit(100))).all()
            for press_id, kind, sealed, was in rows:
                taken = await tx.session.execute(
                    update(PendingPress).where(PendingPress.id == press_id, PendingPress.claimed_at == was)
                    .values(claimed_at=now))
                if taken.rowcount:
                    claimed.append((press_id, kind, sealed))
        out = []
        for press_id, kind, sealed in claimed:
            try:
                out.append((press_id, kind, json.loads(self.bot.sealer.open(sealed) or "{}")))
            except (ValueError, TypeError):
                log.warning("a pending slack press could not be read; dropped")
                await self.done(press_id)
        return out
