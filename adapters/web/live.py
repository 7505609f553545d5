"""The web chat, live: server-sent events tell an open page that something changed for its
person (a new notification, a card updated in place), and the page fetches what is new.

The stream carries no content, only "changed": the page then asks ``/chat/live`` for the
transcript and the home as HTML (rendered with the same templates as the page) and merges
new and updated entries in. Each person's changes are counted in this process, which is
enough for the local demo web chat (one process, in memory, like its transcripts).
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from adapters.web.guard import harden

KEEPALIVE_SECONDS = 20.0
STREAM_SECONDS = 300.0  # then the browser's EventSource reconnects by itself


class Changes:
    """A change counter per person, and a way to wait for the next change."""

    def __init__(self) -> None:
        self._version: dict[str, int] = {}
        self._waiting: dict[str, set[asyncio.Event]] = {}
        self.closing = False

    def version(self, person: str) -> int:
        return self._version.get(person, 0)

    def touch(self, person: str) -> None:
        self._version[person] = self.version(person) + 1
        for event in self._waiting.get(person, ()):
            event.set()

    async def wait(self, person: str, seen: int, timeout: float) -> int:
        """The person's version once it is past ``seen`` (or after ``timeout``)."""
        if self.version(person) != seen or self.closing:
            return self.version(person)
        event = asyncio.Event()
        self._waiting.setdefault(person, set()).add(event)
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            self._waiting[person].discard(event)
            if not self._waiting[person]:
                del self._waiting[person]
        return self.version(person)

    def close_all(self) -> None:
        """Server shutting down: every open stream ends now (browsers reconnect elsewhere)."""
        self.closing = True
        for events in self._waiting.values():
            for event in events:
                event.set()


async def stream(request: web.Request, changes: Changes, person: str) -> web.StreamResponse:
    """``text/event-stream``: ``changed`` whenever this person's transcript changes, a comment
    every ``KEEPALIVE_SECONDS`` so proxies keep the connection, closed after ``STREAM_SECONDS``."""
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",  # a reverse proxy must not hold the events back
    })
    harden(response)
    await response.prepare(request)
    seen = changes.version(person)
    await response.write(f"retry: 2000\nevent: hello\ndata: {seen}\n\n".encode())
    loop = asyncio.get_running_loop()
    until = loop.time() + STREAM_SECONDS
    with contextlib.suppress(ConnectionResetError):  # the tab was closed
        while not changes.closing and loop.time() < until:
            now = await changes.wait(person, seen, KEEPALIVE_SECONDS)
            if changes.closing:
                break
            if now != seen:
                seen = now
                await response.write(f"event: changed\ndata: {now}\n\n".encode())
            else:
                await response.write(b": still here\n\n")
        await response.write_eof()
    return response
