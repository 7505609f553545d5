"""Driving the real server as Slack would: signed requests on a free port, the real
slack_sdk client pointed at a fake Slack Web API (tests/fake_slack.py).

Test modules import the fixtures they use from here (``from tests.slack_harness import fake,
slack``): pytest finds a fixture through the module's names.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from adapters.server import create_app
from tests.conftest import free_port, local_settings
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient

ASHA, SAM, STRANGER, NOEMAIL = "UASHA", "USAM", "USTRANGER", "UNOEMAIL"
SECRET = "said he would wait for me in the car park"
NICKNAME = "Grey kestrel"
GOOD_REPORT = {"category": "CONTACT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no",
               "factors": ["unwanted"], "client_ref": NICKNAME, "details": SECRET}


@pytest.fixture
async def fake():
    fake = await FakeSlack(users={ASHA: "Asha@Demo.invalid", SAM: "sam@demo.invalid",
                                  STRANGER: "someone@elsewhere.invalid", NOEMAIL: None}).start()
    yield fake
    await fake.stop()


def slack_settings(database_url, tmp_path, fake, **extra):
    return local_settings(database_url, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                          SLACK_API_URL=fake.api_url.rstrip("/"), **extra)


@asynccontextmanager
async def served(app: web.Application, fake: FakeSlack):
    """``app`` served on a free port: yields a client that signs requests like Slack."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as http:
            yield SlackClient(f"http://127.0.0.1:{port}", http, fake)
    finally:
        await runner.cleanup()


@asynccontextmanager
async def slack_server(database_url, tmp_path, clock, users: dict[str, str | None]):
    """The real server with Slack enabled, talking to a fake Slack Web API that knows
    ``users`` (Slack user id → email): yields a client that signs requests like Slack."""
    api = await FakeSlack(users=users).start()
    try:
        async with served(create_app(slack_settings(database_url, tmp_path, api), clock=clock), api) as client:
            yield client
    finally:
        await api.stop()


@pytest.fixture
async def slack(database_url, tmp_path, clock, fake):
    app = create_app(slack_settings(database_url, tmp_path, fake), clock=clock)
    async with served(app, fake) as client:
        yield client, app


def texts(call) -> str:
    """Everything a posted message shows."""
    return json.dumps(call.body.get("blocks") or call.body.get("view") or {}) + " " + str(call.body.get("text", ""))


async def open_report(client: SlackClient, user: str) -> dict:
    status, _ = await client.slash(user, "report")
    assert status == 200
    (call,) = await client.fake.wait_for("views.open")
    return call.body["view"]
