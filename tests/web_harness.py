"""Driving the local web chat over real HTTP, as a browser would (without running one)."""

from __future__ import annotations

import asyncio
import html
import re

import aiohttp
import pytest


def visible(page: str) -> str:
    """The page's text as a person reads it (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def buttons(page: str, action: str) -> list[tuple[str, str]]:
    """(value, label) of each button on the page with this action, as the browser would post."""
    pattern = (rf'name="action" value="{re.escape(action)}">\s*<input type="hidden" name="value" value="([^"]*)">'
               r'\s*<input type="hidden" name="label" value="([^"]*)">')
    return [(html.unescape(v), html.unescape(lbl)) for v, lbl in re.findall(pattern, page)]


@pytest.fixture
async def browser(server):
    base, app = server
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(base, cookie_jar=jar) as session:
        yield session, app


async def form_token(session) -> tuple[str, str]:
    """(CSRF token, Origin) as the chat's own page would post them: the token from the
    ``bb_csrf`` cookie, after loading the page once if this browser has none yet."""
    base = session._base_url
    for _ in range(2):
        cookie = session.cookie_jar.filter_cookies(base).get("bb_csrf")
        if cookie is not None:
            return cookie.value, f"{base.scheme}://{base.host}:{base.port}"
        await page_of(session)
    raise AssertionError("the web chat set no CSRF cookie")


async def post(session, path, data) -> str:
    token, origin = await form_token(session)
    if isinstance(data, aiohttp.FormData):
        data.add_field("csrf", token)
    else:
        data = [*(data.items() if isinstance(data, dict) else data), ("csrf", token)]
    async with session.post(path, data=data, headers={"Origin": origin}) as response:
        assert response.status == 200, response.status
        return await response.text()


async def page_of(session) -> str:
    async with session.get("/") as response:
        return await response.text()


async def wait_for(session, text: str, timeout: float = 5.0) -> str:
    """The background worker delivers within a tick or two: poll the page like a person would."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        page = await page_of(session)
        if text in visible(page):
            return page
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{text!r} never appeared:\n{visible(page)[-1500:]}")
        await asyncio.sleep(0.1)
