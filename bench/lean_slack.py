"""Signed slash commands for the Slack benches through bench/lean_http.py: the same request
tests/fake_slack.py's SlackClient sends (same fields, same signature), so the server cannot
tell them apart, for less of the load generator's CPU."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from urllib.parse import urlencode, urlsplit

from lean_http import KeptAlive

from tests.fake_slack import SIGNING_SECRET, TEAM, FakeSlack

_numbers = itertools.count(1)


class LeanSlackClient:
    def __init__(self, base: str, fake: FakeSlack, command: str = "/boundary", team: str = TEAM) -> None:
        address = urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.fake, self.command, self.team = fake, command, team
        self._idle: list[KeptAlive] = []  # one connection per command in flight, kept alive
        self._secret = SIGNING_SECRET.encode()

    async def close(self) -> None:
        for connection in self._idle:
            connection.close()
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
        headers = (b"Content-Type: application/x-www-form-urlencoded\r\n"
                   b"X-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: v0=%s\r\n" % (timestamp, signature.encode()))
        connection = self._idle.pop() if self._idle else KeptAlive(self.host, self.port)
        try:
            status, answer = await connection.post("/slack/events", body, headers)
        except BaseException:
            connection.close()
            raise
        self._idle.append(connection)
        return status, answer.decode()
