"""Teams outbound safety (issue 16): the bot sends activities — and its token — only to
service URLs that an authenticated activity presented and that are on the allowed hosts.
A forged or unknown ``serviceUrl`` never receives anything, whether or not the token names
one; ``/api/messages`` without authentication runs only in local mode on loopback."""

from __future__ import annotations

import json

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.serviceurls import DEFAULT_HOSTS, allowed, open_endpoint_allowed
from bot.machinery.crypto import generate_key
from tests.fake_connector import FakeConnector
from tests.teams_harness import APP_ID, PASSWORD, Client, activity, serve, token


@pytest.mark.parametrize(("url", "local", "expected"), [
    ("https://smba.trafficmanager.net/emea/", False, True),
    ("https://europe.webchat.botframework.com/", False, True),
    ("https://botframework.com.evil.example/", False, False),
    ("https://evilbotframework.com/", False, False),
    ("http://smba.trafficmanager.net/emea/", False, False),  # never in the clear
    ("https://user:pw@smba.trafficmanager.net/", False, False),
    ("https://smba.trafficmanager.net:notaport/", False, False),
    ("http://127.0.0.1:3979", False, False),
    ("http://127.0.0.1:3979", True, True),
    ("http://[::1]:3979/", True, True),
    ("https://10.0.0.5/", True, False),
    ("javascript:alert(1)", True, False),
    ("", True, False),
    (["https://smba.trafficmanager.net/"], False, False),
])
def test_allowed_service_urls(url, local, expected):
    assert allowed(url, DEFAULT_HOSTS, local) is expected


def test_the_open_endpoint_is_for_loopback_and_fakes_only():
    assert open_endpoint_allowed("127.0.0.1", False, None)
    assert not open_endpoint_allowed("0.0.0.0", False, None)
    assert not open_endpoint_allowed("192.168.1.10", False, None)
    assert not open_endpoint_allowed("127.0.0.1", True, None)  # beside the real Slack
    assert open_endpoint_allowed("127.0.0.1", True, "http://127.0.0.1:5555/api")  # a local fake Slack


async def test_an_unauthenticated_endpoint_is_not_mounted_off_loopback(database_url, tmp_path, clock):
    from adapters.server import create_app
    from tests.conftest import local_settings

    app = create_app(local_settings(database_url, tmp_path, HOST="0.0.0.0", BOUNDARY_WEB_DEMO_ON_NETWORK=True), clock=clock)
    assert not [r for r in app.router.routes() if r.resource and r.resource.canonical == "/api/messages"]


@pytest.fixture
async def evil():
    """Another connector at an address the bot must never call (localhost, not listed)."""
    fake = FakeConnector()
    await fake.start()
    yield fake, fake.url.replace("127.0.0.1", "localhost")
    await fake.stop()


async def test_a_forged_service_url_never_receives_the_token(database_url, tmp_path, clock, fake, evil, teams_engine):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    fake.jwks = [{**public, "kid": "test-key", "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}]
    fake.login.secrets = {APP_ID: PASSWORD}
    evil_fake, evil_url = evil
    # Not local mode: only the listed host (the real fake connector's address) is allowed.
    runner, base, app = await serve(database_url, tmp_path, clock, fake, teams_engine, BOUNDARY_LOCAL_MODE=False,
                                    BOUNDARY_ENCRYPTION_KEY=generate_key(),
                                    MicrosoftAppId=APP_ID, MicrosoftAppPassword=PASSWORD,
                                    TEAMS_SERVICE_URL_HOSTS="127.0.0.1")
    try:
        async with aiohttp.ClientSession(base) as http:
            client = Client(http, fake)
            cases = [
                token(key),  # no serviceurl claim: the activity may not name any address
                token(key, service_url=evil_url),  # a claim naming it does not put it on the list
            ]
            for bearer in cases:
                body = activity(fake, text="help", serviceUrl=evil_url)
                status, _ = await client.post(body, headers={"Authorization": f"Bearer {bearer}"})
                assert status == 403
            assert evil_fake.requests == [], "the bot called a service URL that is not allowed"

            # The allowed connector still gets its answer, with the bot's token.
            body = activity(fake, text="help")
            status, _ = await client.post(body, headers={"Authorization": f"Bearer {token(key, service_url=fake.url)}"})
            assert status == 200
            sent = fake.sent("POST")
            assert sent and all(r.authorization for r in sent)
    finally:
        await runner.cleanup()
