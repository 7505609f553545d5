"""A lean HTTP/1.1 client for the load generators: requests written straight onto one
kept-alive connection (asyncio streams), instead of through aiohttp's client.

The load generator shares the machine's two cores with the bot it measures, and aiohttp's
client cost it about a fifth of a millisecond per request: CPU the bot then lacked. The
request is the same bytes a client would send; only what the benches read is parsed from the
answer (the status, and a body sized by Content-Length, which is how our server answers).
"""

from __future__ import annotations

import asyncio


class KeptAlive:
    """One connection, used by one sender at a time; opened again if the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None

    async def post(self, path: str, body: bytes, headers: bytes = b"") -> tuple[int, bytes]:
        """POST ``body``; ``headers`` are complete header lines, each ending in CRLF."""
        request = (b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Length: %d\r\n%s\r\n"
                   % (path.encode(), self.host.encode(), self.port, len(body), headers)) + body
        for attempt in (1, 2):  # a kept-alive connection the server has closed meanwhile: once more
            if self._streams is None:
                self._streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self._streams
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
                continue
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            answer = await reader.readexactly(length) if length else b""
            return int(head[9:12]), answer
        raise AssertionError("unreachable")
