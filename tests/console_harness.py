"""Helpers for console tests: a server whose public URL is its real address, and a browser-like
HTTP client (cookies kept, our Origin sent, each page's CSRF token remembered)."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from datetime import datetime

import aiohttp
from aiohttp import web
from yarl import URL

from bot.features.console import signin
from bot.features.console.storage import add_session
from bot.org import orgfile
from tests.conftest import free_port, local_settings

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@asynccontextmanager
async def console_server(database_url, tmp_path, clock, *, setup=None, **extra):
    """The whole server (local mode unless told otherwise), its links built on its own
    address. ``setup(app)`` runs before it starts (to point adapters at fakes)."""
    from adapters.server import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(local_settings(database_url, tmp_path, BOUNDARY_PUBLIC_URL=base, **extra), clock=clock)
    if setup:
        setup(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield base, app
    finally:
        await runner.cleanup()


class Browser:
    """Enough of a browser for HTTP-level tests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""
        self.last = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kw) -> tuple[int, str]:
        async with self.http.get(self.base + path, **kw) as response:
            self.last = await response.text()
            if found := CSRF.search(self.last):
                self.csrf = found.group(1)
            return response.status, self.last

    async def post(self, path: str, data: dict | None = None, *, origin: str | None = None, csrf: bool = True,
                   **kw) -> tuple[int, str]:
        data = dict(data or {})
        if csrf and "csrf" not in data:
            data["csrf"] = self.csrf
        headers = {"Origin": self.base if origin is None else origin} if origin != "" else {}
        async with self.http.post(self.base + path, data=data, headers=headers, **kw) as response:
            self.last = await response.text()
            if found := CSRF.search(self.last):
                self.csrf = found.group(1)
            return response.status, self.last

    def use_session(self, secret: str) -> None:
        self.http.cookie_jar.update_cookies({"bb_console": secret}, URL(self.base + "/console/"))


async def sign_in(browser: Browser, app, key: str) -> None:
    """Give the browser a session for ``key`` (as if they had used a link), and load a page
    so it knows its CSRF token."""
    from adapters.appkeys import BOT_KEY

    bot = app[BOT_KEY]
    async with bot.db.transaction() as tx:
        person = await tx.people.by_key(key)
        secret = await signin.start_session(tx, person, "link", bot.clock.now())
    assert secret, f"{key} may not use the console"
    browser.use_session(secret)
    await browser.get("/console/")


async def force_session(app, key: str, now: datetime) -> str:
    """A session row for anyone at all (even someone the console would refuse), to prove the
    pages themselves refuse them."""
    import secrets

    from adapters.appkeys import BOT_KEY

    bot = app[BOT_KEY]
    secret = secrets.token_urlsafe(32)
    async with bot.db.transaction() as tx:
        person = await tx.people.by_key(key)
        await add_session(tx, secret, person.id, "link", now, now.replace(year=now.year + 1))
    return secret


async def apply_org(app, text: str) -> None:
    from adapters.appkeys import BOT_KEY

    async with app[BOT_KEY].db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(text))
