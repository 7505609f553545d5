"""The console's one-time sign-in token travels in a link's query string (``?t=…``); no log
line — access log included, at DEBUG — may carry it, or anyone reading the logs could sign
in with a fresh one (issue 16)."""

from __future__ import annotations

import logging
import re

from tests.console_harness import Browser, console_server

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/console/link\?t=[A-Za-z0-9_\-]+)")


async def test_the_sign_in_token_never_reaches_a_log_line(database_url, tmp_path, clock, caplog):
    caplog.set_level(logging.DEBUG)
    async with console_server(database_url, tmp_path, clock) as (base, _app):
        chat = Browser(base)
        await chat.get("/")
        await chat.post("/chat/as", {"person": "morgan"})
        await chat.post("/chat/say", {"text": "console"})
        link = LINK.findall(chat.last)[-1]
        token = link.split("t=", 1)[1]
        browser = Browser(base)
        status, _ = await browser.get(link.removeprefix(base))  # the link as clicked
        assert status == 200
        await browser.get(f"/console/link/{token}?t={token}")  # and where no route matches
        status, _ = await browser.post("/console/link", {"t": token}, csrf=False)
        assert status == 200
        for b in (chat, browser):
            await b.close()
    lines = [record.getMessage() for record in caplog.records]
    assert any("/console/link" in line for line in lines), "no access log line was written"
    assert not [line for line in lines if token in line]
