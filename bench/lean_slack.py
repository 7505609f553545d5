"""A lean load generator for the Slack benches: signed slash commands written straight onto
kept-alive HTTP/1.1 connections (asyncio streams), instead of through aiohttp's client.

The load generator shares the machine's two cores with the bot it measures. aiohttp's client
cost this process about a fifth of a millisecond per command, CPU the bot then lacked; what
it sends is the same request tests/fake_slack.py's SlackClient sends (same fields, same
signature), so the server cannot tell them apart. Only what the benches read is parsed from
the answer: the status and a body sized by Content-Length.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import time
from urllib.parse import urlencode, urlsplit

from tests.fake_slack import SIGNING_SECRET, TEAM, FakeSlack

_numbers = itertools.count(1)


class LeanSlackClient:
    def __init__(self, base: str, fake: FakeSlack, command: str = "/boundary", team: str = TEAM) -> None:
        address = urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.fake, self.command, self.team = fake, command, team
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._secret = SIGNING_SECRET.encode()

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()

    async def slash(self, user: str, text: str, channel: str = "C0GENERAL", trigger: str | None = None) -> tuple[int, str]:
        n = next(_numbers)
        body = urlencode({
            "token": "unused", "team_id": self.team, "team_domain": "test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": self.command,
            "text": text, "api_app_id": "A0TEST", "response_url": f"{self.fake.url}/response/{n}",
            "trigger_id": trigger or f"trigger-{n}",
        }).encode()
        timestamp = str(int(time.time())).encode()
        signature = hmac.new(self._secret, b"v0:" + timestamp + b":" + body, hashlib.sha256).hexdigest()
        request = (b"POST /slack/events HTTP/1.1\r\nHost: %s:%d\r\n"
                   b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                   b"X-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: v0=%s\r\n\r\n"
                   % (self.host.encode(), self.port, len(body), timestamp, signature.encode())) + body
        for attempt in (1, 2):  # a kept-alive connection the server has closed meanwhile: once more
            reader, writer = self._idle.pop() if self._idle else await asyncio.open_connection(self.host, self.port)
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                writer.close()
                if attempt == 2:
                    raise
                continue
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            answer = await reader.readexactly(length) if length else b""
            self._idle.append((reader, writer))
            return status, answer.decode()
        raise AssertionError("unreachable")
