"""Web chat safety (issue 16): loopback unless told it is a demo, Origin and CSRF on every
POST, security headers, and links that can only go to http(s) or mailto."""

from __future__ import annotations

import aiohttp
import pytest

from adapters.server import create_app
from adapters.web.guard import safe_url
from bot.runtime import StartupError
from tests.conftest import local_settings
from tests.web_harness import browser, form_token, page_of, post, visible  # noqa: F401 (fixture)


def test_the_demo_refuses_a_network_address_unless_told_it_is_a_demo(database_url, tmp_path):
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        with pytest.raises(StartupError, match="BOUNDARY_WEB_DEMO_ON_NETWORK"):
            create_app(local_settings(database_url, tmp_path, HOST=host))
    assert create_app(local_settings(database_url, tmp_path, HOST="0.0.0.0", BOUNDARY_WEB_DEMO_ON_NETWORK=True))
    assert create_app(local_settings(database_url, tmp_path, HOST="127.0.0.1"))
    # Outside local mode there is no web chat at all (the console has its own sign-in).
    app = create_app(local_settings(database_url, tmp_path, HOST="0.0.0.0", BOUNDARY_LOCAL_MODE=False,
                                    BOUNDARY_ENCRYPTION_KEY="x"))
    assert not [r for r in app.router.routes() if r.resource and r.resource.canonical.startswith("/chat")]


async def test_cross_site_posts_are_refused_and_change_nothing(browser):
    session, _ = browser
    token, origin = await form_token(session)
    attempts = [
        ({"person": "asha", "csrf": token}, {"Origin": "https://evil.example"}),
        ({"person": "asha", "csrf": token}, {"Origin": "null"}),
        ({"person": "asha", "csrf": token}, {}),  # no Origin at all
        ({"person": "asha"}, {"Origin": origin}),  # no token
        ({"person": "asha", "csrf": "0" * 32}, {"Origin": origin}),  # someone else's token
    ]
    for data, headers in attempts:
        async with session.post("/chat/as", data=data, headers=headers, allow_redirects=False) as response:
            assert response.status == 403, (data, headers)
            assert "Refused" in await response.text()
    assert "Who are you today?" in visible(await page_of(session)), "a refused post chose a person"
    page = visible(await post(session, "/chat/as", {"person": "asha"}))  # the chat's own form works
    assert "Hello Dr Asha Patel" in page


async def test_every_page_and_redirect_carries_the_security_headers(browser):
    session, _ = browser
    token, origin = await form_token(session)
    async with session.get("/") as page, session.get("/static/chat.css") as static:
        answers = [page, static]
    async with session.post("/chat/as", data={"person": "asha", "csrf": token}, headers={"Origin": origin},
                            allow_redirects=False) as redirect:
        assert redirect.status == 303
        answers.append(redirect)
    for response in answers:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    cookies = {c.key: c for c in session.cookie_jar}
    assert cookies["bb_csrf"]["httponly"] and cookies["bb_csrf"]["samesite"] == "Strict"
    assert "onchange=" not in await (await session.get("/")).text()


@pytest.mark.parametrize(("url", "shown"), [
    ("https://example.org/a", True), ("http://x.test", True), ("mailto:team@demo.invalid", True),
    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False), ("data:text/html,<script>", False),
    ("vbscript:x", False), (None, False), ("//evil.example", False),
])
def test_only_http_and_mail_links_are_shown(url, shown):
    assert (safe_url(url) is not None) is shown


async def test_a_form_post_from_another_site_cannot_act_as_the_chosen_person(server):
    base, _ = server
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as victim:
        await post(victim, "/chat/as", {"person": "asha"})
        # The attacker's page can make the browser send the cookies, never read the token.
        async with victim.post("/chat/say", data={"text": "report"}, headers={"Origin": "https://evil.example"},
                               allow_redirects=False) as response:
            assert response.status == 403
