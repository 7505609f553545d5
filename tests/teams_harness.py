"""Driving the real server as Microsoft Teams would: the server on a free port, the fake Bot Connector and login
service (tests/fake_connector.py, tests/fake_login.py), a client that posts activities, and
helpers to read the cards that come back.

Every server runs the engine the ``teams_engine`` fixture names (tests/conftest.py), so each
Teams test runs once per engine against the same fakes. The fixtures are registered for every
test module (``pytest_plugins`` in tests/conftest.py); importing them by name also works.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from adapters.appkeys import BOT_KEY
from adapters.teams import OPTIONS_KEY
from bot.machinery.storage.models import Report
from tests.conftest import free_port, local_settings
from tests.fake_connector import FakeConnector

TENANT = "tenant-1"
BOT = {"id": "28:boundary-bot", "name": "Boundary Bot"}
SECRET = "said he would wait for me in the car park"
NICKNAME = "Tuesday knee"
APP_ID = "00000000-1111-2222-3333-444444444444"
PASSWORD = "s3cret"
_ids = itertools.count(1)


@pytest.fixture
async def fake():
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:asha", "aad-asha", "asha@demo.invalid", "Asha Patel")
    connector.add_member("29:morgan", "aad-morgan", "morgan@demo.invalid", "Morgan Reyes")
    connector.add_member("29:sam", "aad-sam", "sam@demo.invalid", "Sam Okafor")
    connector.add_member("29:eve", "aad-eve", "eve@elsewhere.invalid", "Eve Outsider")
    yield connector
    await connector.stop()


def point_at_fakes(app: web.Application, fake: FakeConnector) -> None:
    """Send the Teams adapter's logins and key lookups to the local fakes."""
    options = app[OPTIONS_KEY]
    options.login_url = fake.login.url
    options.openid_metadata_url = f"{fake.url}/openid"
    options.connector = dataclasses.replace(options.connector, ca_file=fake.login.ca_file)


async def serve(database_url, tmp_path, clock, fake, engine: str, **extra):
    """The whole server on a free port, running Teams on ``engine``: (runner, base URL, app)."""
    from adapters.server import create_app

    app = create_app(local_settings(database_url, tmp_path, BOUNDARY_TEAMS_ENGINE=engine, **extra), clock=clock)
    point_at_fakes(app, fake)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}", app


@pytest.fixture
async def teams(database_url, tmp_path, clock, fake, teams_engine):
    """The server with an empty app id (local use: no JWT), talking to the fake connector."""
    runner, base, app = await serve(database_url, tmp_path, clock, fake, teams_engine)
    async with aiohttp.ClientSession(base) as http:
        yield Client(http, fake), app
    await runner.cleanup()


@pytest.fixture
async def secured(database_url, tmp_path, clock, fake, teams_engine):
    """The server with an app id: JWT required on every activity, tokens on every reply."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    fake.jwks = [{**public, "kid": "test-key", "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}]
    fake.login.secrets = {APP_ID: PASSWORD}
    runner, base, app = await serve(database_url, tmp_path, clock, fake, teams_engine,
                                    MicrosoftAppId=APP_ID, MicrosoftAppPassword=PASSWORD)
    async with aiohttp.ClientSession(base) as http:
        yield Client(http, fake), app, key
    await runner.cleanup()


def token(key, *, audience=APP_ID, issuer="https://api.botframework.com", service_url=None, kid="test-key", ttl=600):
    """A Bot Connector token for an incoming activity, signed with ``key``."""
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "nbf": now - 10, "exp": now + ttl}
    if service_url:
        claims["serviceurl"] = service_url
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def activity(fake: FakeConnector, who: str = "asha", *, text: str | None = None, value=None,
             reply_to: str | None = None, kind: str = "message", activity_id: str | None = None,
             conversation_type: str = "personal", **extra) -> dict:
    body = {
        "type": kind,
        "id": activity_id or f"f:{next(_ids)}",
        "timestamp": "2025-05-01T10:00:00.000Z",
        "serviceUrl": fake.url,
        "channelId": "msteams",
        "from": {"id": f"29:{who}", "name": who.title(), "aadObjectId": f"aad-{who}"},
        "conversation": {"conversationType": conversation_type, "tenantId": TENANT, "id": f"a:chat-{who}"},
        "recipient": dict(BOT),
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    if reply_to:
        body["replyToId"] = reply_to
    body.update(extra)
    return body


class Client:
    def __init__(self, http: aiohttp.ClientSession, fake: FakeConnector) -> None:
        self.http = http
        self.fake = fake

    async def post(self, body, *, headers=None, raw: bytes | None = None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", **(headers or {})}
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post("/api/messages", data=data, headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None)

    async def search(self, card: dict, input_id: str, typed: str, who: str = "asha", top: int = 15) -> list[dict]:
        """What Teams shows under a typeahead ``Input.ChoiceSet`` of ``card`` after ``typed``:
        the results of the ``application/search`` invoke it sends the bot."""
        dataset = next(e for e in inputs(card).values() if e["id"] == input_id)["choices.data"]["dataset"]
        status, body = await self.post(activity(self.fake, who, kind="invoke", name="application/search", value={
            "queryText": typed, "queryOptions": {"skip": 0, "top": top}, "dataset": dataset}))
        assert status == 200 and body["type"] == "application/vnd.microsoft.search.searchResponse", (status, body)
        results = body["value"]["results"]
        assert len(results) <= top
        return results

    async def say(self, text: str, who: str = "asha", **kw) -> list:
        before = len(self.fake.requests)
        status, _ = await self.post(activity(self.fake, who, text=text, **kw))
        assert status == 200
        return [r for r in self.fake.requests[before:] if r.path.startswith("/v3/") and r.method != "GET"]


def card_of(recorded) -> dict:
    attachments = recorded.activity.get("attachments") or []
    assert attachments and attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachments[0]["content"]


def texts(card: dict) -> str:
    out = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return " ".join(out).replace("\\", "")


def inputs(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in card["body"] if e.get("type", "").startswith("Input.")}


def submit_data(card: dict) -> dict:
    return dict(card["actions"][0]["data"])


def last_card_id(fake: FakeConnector, who: str) -> str:
    """The id the connector gave the last message in ``who``'s chat (Teams sends it back as
    ``replyToId`` when a card on it is submitted)."""
    return [k for k in fake.activities if k[0] == f"a:chat-{who}"][-1][1]


async def count_reports(app) -> int:
    async with app[BOT_KEY].db.transaction() as tx:
        return await tx.session.scalar(select(func.count()).select_from(Report))


async def wait_for(client, who: str, needle: str, method: str = "POST", timeout: float = 5.0):
    """The background worker delivers within a tick or two: poll what the connector received."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for request in client.fake.requests:
            if request.method == method and f"a:chat-{who}" in request.path and needle in json.dumps(request.body):
                return request
        if asyncio.get_running_loop().time() > deadline:
            seen = [json.dumps(r.body)[:300] for r in client.fake.requests if f"a:chat-{who}" in r.path]
            raise AssertionError(f"{needle!r} never reached {who}: {seen}")
        await asyncio.sleep(0.05)


def action(card: dict, title: str) -> dict:
    return next(a for a in card["actions"] if a["title"] == title)
