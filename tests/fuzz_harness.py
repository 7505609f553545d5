"""Fuzzing the real server: the whole aiohttp application on a free port, run on its own
event loop in a thread, so hypothesis (which drives plain functions) can post generated
requests to it one after another and look at the answer, the log and the fakes.

``FUZZ_EXAMPLES`` sets how many cases each property tries (a few hundred in CI; the long run
in the README uses 10,000). Every log record at ERROR or above, and every record carrying an
exception, is kept in ``ThreadedServer.failures``: a fuzz case must leave none.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.conftest import free_port

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
BACKGROUND_TABLES = ("timers", "audit_chain_checks", "dashboard_rollup_periods", "dashboard_rollup_cells")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 500, database=None,
                suppress_health_check=list(HealthCheck))

# Text that breaks naive code: non-ASCII digits, emoji, lone surrogates, markup, huge strings.
NASTY = st.sampled_from(["", " ", "²", "١٢٣", "v0=😀", "\ud800", "\udfff", "<script>x</script>", "null",
                         "9" * 200, "-1", "1e309", "0x10", "\x00", "%00", "a" * 5000, "${jndi:x}"])
TEXT = st.one_of(NASTY, st.text(max_size=40))
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**200),
                   st.floats(allow_nan=False), TEXT)
JSONISH = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(TEXT, inner, max_size=4)),
                       max_leaves=12)


def nested(depth: int) -> str:
    """JSON nested deeper than Python's recursion limit."""
    return "[" * depth + "]" * depth


def mutate(draw, value):
    """``value`` with one field (at any depth) replaced, removed or left alone."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        out = dict(value)
        choice = draw(st.integers(0, 3))
        if choice == 0:
            del out[key]
        elif choice == 1:
            out[key] = draw(JSONISH)
        else:
            out[key] = mutate(draw, value[key])
        return out
    if isinstance(value, list) and value and draw(st.booleans()):
        i = draw(st.integers(0, len(value) - 1))
        return [*value[:i], mutate(draw, value[i]), *value[i + 1:]]
    if draw(st.integers(0, 4)) == 0:
        return draw(JSONISH)
    return value


class Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def describe(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:200]} {r.exc_info[0].__name__ if r.exc_info else ''}" for r in self.records]


class ThreadedServer:
    """The application ``make_app`` builds (inside the server's loop), served on a free port."""

    def __init__(self, make_app: Callable[[], Awaitable[web.Application]]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.failures = Failures()
        logging.getLogger().addHandler(self.failures)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.app: web.Application | None = None
        self.run(self._start(make_app))

    def run(self, coro, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self, make_app) -> None:
        self.app = await make_app()
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        self.http = aiohttp.ClientSession(self.base)

    async def _post(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with self.http.post(path, data=data, headers=headers) as response:
            return response.status, await response.text(errors="replace")

    def post(self, path: str, data: bytes, headers: dict[str, str]) -> tuple[int, str]:
        return self.run(self._post(path, data, headers))

    def rows(self) -> dict[str, int]:
        """How many rows each table holds (a forged request must add none), but for those the
        server's own background work fills in (the daily timers, the audit check, and the
        dashboard's roll-up, which its watchdog counts 10 s after start-up)."""
        from sqlalchemy import func, select

        from adapters.appkeys import BOT_KEY
        from bot.machinery.storage.models import Base

        async def count() -> dict[str, int]:
            async with self.app[BOT_KEY].db.transaction() as tx:
                return {t.name: await tx.session.scalar(select(func.count()).select_from(t))
                        for t in Base.metadata.sorted_tables if t.name not in BACKGROUND_TABLES}

        return self.run(count())

    def settle(self, wait: Callable[[], Awaitable[None]]) -> None:
        self.run(wait())

    def close(self, *also: Callable[[], Awaitable[None]]) -> None:
        """Stop the server, then ``also`` (the fakes), on the server's loop."""

        async def stop():
            await self.http.close()
            await self.runner.cleanup()
            for step in also:
                await step()

        try:
            self.run(stop())
        finally:
            logging.getLogger().removeHandler(self.failures)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
