"""Signing in to the console with a one-time link the bot sends in Slack, in Teams and in the
local web chat: the link is single use, short-lived, bound to the person, and only a manager,
admin or auditor gets one. Sessions are HttpOnly cookies that expire and can be ended."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp

from tests.console_harness import Browser, console_server
from tests.fake_connector import FakeConnector
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient, button_payload

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/console/link\?t=[A-Za-z0-9_\-]+)")


async def open_link(base: str, link: str) -> Browser:
    browser = Browser(base)
    status, page = await browser.get(link.removeprefix(base))
    assert status == 200 and "Continue to the console" in page
    token = link.split("t=", 1)[1]
    status, page = await browser.post("/console/link", {"t": token}, csrf=False)
    assert status == 200, page
    return browser


async def test_a_manager_signs_in_from_a_link_sent_in_slack(database_url, tmp_path, clock):
    api = await FakeSlack(users={"UMORGAN": "morgan@demo.invalid", "USAM": "sam@demo.invalid"}).start()
    extra = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
             "SLACK_API_URL": api.api_url.rstrip("/")}
    try:
        async with console_server(database_url, tmp_path, clock, **extra) as (base, app), \
                aiohttp.ClientSession() as http:
            slack = SlackClient(base, http, api)
            status, _ = await slack.slash("UMORGAN", "console", channel="DUMORGAN")
            assert status == 200
            (call,) = await api.wait_for("chat.postMessage", where=lambda b: "console/link" in json.dumps(b))
            button = next(e for block in call.body["blocks"] if block["type"] == "actions" for e in block["elements"])
            assert button["url"].startswith(base + "/console/link?t=")
            # Slack tells the bot a link button was clicked too: it answers nothing.
            before = len(api.calls)
            status, _ = await slack.interaction(button_payload("UMORGAN", "console.open", "", channel="DUMORGAN"))
            assert status == 200
            await asyncio.sleep(0.3)
            assert not [c for c in api.calls[before:] if "no longer does anything" in json.dumps(c.body)]
            browser = await open_link(base, button["url"])
            status, page = await browser.get("/console/dashboard")
            assert status == 200 and "Morgan Reyes" in page and "Dashboard" in page

            # Used once: the same link again is refused, in another browser too.
            again = Browser(base)
            token = button["url"].split("t=", 1)[1]
            status, page = await again.post("/console/link", {"t": token}, csrf=False)
            assert status == 403 and "already been used" in page
            await again.close()
            await browser.close()

            # Sam is a clinician: no link, and a way on.
            await slack.slash("USAM", "console", channel="DUSAM")
            (refusal,) = await api.wait_for("chat.postMessage", where=lambda b: b.get("channel") == "DUSAM")
            assert "managers, admins and auditors" in json.dumps(refusal.body)
            assert "console/link" not in json.dumps(refusal.body)
    finally:
        await api.stop()


async def test_a_manager_signs_in_from_a_link_sent_in_teams(database_url, tmp_path, clock):
    from tests.teams_harness import Client, card_of, point_at_fakes

    fake = FakeConnector()
    await fake.start()
    fake.add_member("29:morgan", "aad-morgan", "morgan@demo.invalid", "Morgan Reyes")

    try:
        async with console_server(database_url, tmp_path, clock, setup=lambda app: point_at_fakes(app, fake)) \
                as (base, app), \
                aiohttp.ClientSession(base) as http:
            client = Client(http, fake)
            sent = await client.say("console", who="morgan")
            card = card_of(sent[-1])
            (action,) = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
            assert action["title"] == "Open the console"
            browser = await open_link(base, action["url"])
            status, page = await browser.get("/console/work")
            assert status == 200 and "Open work" in page
            await browser.close()
    finally:
        await fake.stop()


async def test_links_expire_sessions_end_and_cookies_are_locked_down(database_url, tmp_path, clock):
    async with console_server(database_url, tmp_path, clock) as (base, app):
        chat = Browser(base)
        await chat.get("/")  # the web chat's page gives its CSRF token
        await chat.post("/chat/as", {"person": "morgan"})
        await chat.post("/chat/say", {"text": "console"})
        link = LINK.findall(chat.last)[-1]

        clock.advance(minutes=11)  # links last ten minutes
        late = Browser(base)
        status, page = await late.post("/console/link", {"t": link.split("t=")[1]}, csrf=False)
        assert status == 403 and "expired" in page

        await chat.post("/chat/say", {"text": "console"})
        link = LINK.findall(chat.last)[-1]
        browser = Browser(base)
        async with browser.http.post(base + "/console/link", data={"t": link.split("t=")[1]},
                                     headers={"Origin": base}, allow_redirects=False) as response:
            assert response.status == 303
            cookie = response.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
            assert "Secure" not in cookie  # plain http here; https public URLs get Secure
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert (await browser.get("/console/dashboard"))[0] == 200

        # Idle for over an hour: the session has ended.
        clock.advance(minutes=61)
        status, page = await browser.get("/console/dashboard")
        assert status == 403 and "not signed in" in page

        # Sign out ends it at once.
        await chat.post("/chat/say", {"text": "console"})
        link = LINK.findall(chat.last)[-1]
        browser2 = await open_link(base, link)
        status, page = await browser2.post("/console/signout")
        assert status == 200 and "You have signed out" in page
        assert (await browser2.get("/console/dashboard"))[0] == 403
        for b in (chat, late, browser, browser2):
            await b.close()


async def test_a_link_from_another_site_or_a_bad_token_signs_no_one_in(database_url, tmp_path, clock):
    async with console_server(database_url, tmp_path, clock) as (base, app):
        chat = Browser(base)
        await chat.get("/")  # the web chat's page gives its CSRF token
        await chat.post("/chat/as", {"person": "morgan"})
        await chat.post("/chat/say", {"text": "console"})
        token = LINK.findall(chat.last)[-1].split("t=")[1]
        browser = Browser(base)
        status, _ = await browser.post("/console/link", {"t": token}, origin="https://evil.example", csrf=False)
        assert status == 403
        for bad in ("", "x" * 500, token[:-2], "%00"):
            status, _ = await browser.post("/console/link", {"t": bad}, csrf=False)
            assert status == 403
        # The link was not burnt by those attempts.
        status, page = await browser.post("/console/link", {"t": token}, csrf=False)
        assert status == 200 and "Dashboard" in page
        await browser.close()
        await chat.close()


async def test_https_public_url_makes_the_cookie_secure(database_url, tmp_path, clock):
    async with console_server(database_url, tmp_path, clock) as (base, app):
        from adapters.appkeys import SETTINGS_KEY
        from adapters.console.web import secure_cookies

        app[SETTINGS_KEY].public_url = "https://boundary.example.org"

        class Req:
            pass

        request = Req()
        request.app = app
        assert secure_cookies(request)
