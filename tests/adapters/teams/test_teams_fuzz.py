"""Property-based fuzzing of ``POST /api/messages`` on the real server (issue 16), on both
engines: generated messages, invokes (card submissions, task/fetch) and conversation updates,
with and without a valid Bot Connector token. Whatever arrives: no 5xx, nothing unhandled in
the log, nothing sent (and no token given) anywhere for a request without a valid token, and
the server still answers a normal message afterwards.

``FUZZ_EXAMPLES=10000 pytest tests/adapters/teams/test_teams_fuzz.py`` is the long run.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.server import create_app
from tests.conftest import local_settings
from tests.fake_connector import FakeConnector
from tests.fuzz_harness import FUZZ, NASTY, TEXT, ThreadedServer, mutate, nested
from tests.teams_harness import APP_ID, PASSWORD, activity, point_at_fakes, token

pytestmark = pytest.mark.fuzz

EVIL_URL = "http://127.0.0.1:9/evil"


@st.composite
def activities(draw, fake: FakeConnector) -> bytes:
    kind = draw(st.sampled_from(["message", "submit", "invoke", "update", "junk"]))
    if kind == "junk":
        return draw(st.one_of(st.just(nested(5000)), st.just("[]"), st.just('{"type": "message"}'),
                              st.just("\"\\ud800\""), TEXT)).encode("utf-8", "surrogatepass")
    if kind == "message":
        body = activity(fake, "asha", text=draw(TEXT))
    elif kind == "submit":
        body = activity(fake, "asha", value={"boundary": draw(TEXT), "form": draw(TEXT), "v": draw(TEXT)})
    elif kind == "invoke":
        name = draw(st.sampled_from(["adaptiveCard/action", "task/fetch", "task/submit", "x"]))
        body = activity(fake, "asha", kind="invoke", name=name,
                        value={"action": {"type": "Action.Execute", "verb": draw(TEXT), "data": {"v": draw(TEXT)}}})
    else:
        body = activity(fake, "asha", kind="conversationUpdate",
                        membersAdded=[{"id": "29:asha"}, {"id": "28:boundary-bot"}])
    body = mutate(draw, body)
    return json.dumps(body).encode("utf-8", "surrogatepass")


def make_server(database_url, tmp_path, engine: str, **extra) -> tuple[ThreadedServer, FakeConnector]:
    holder: dict = {}

    async def make():
        fake = holder["fake"] = FakeConnector()
        await fake.start()
        fake.add_member("29:asha", "aad-asha", "asha@demo.invalid", "Asha Patel")
        app = create_app(local_settings(database_url, tmp_path, BOUNDARY_TEAMS_ENGINE=engine, **extra))
        point_at_fakes(app, fake)
        return app

    server = ThreadedServer(make)
    return server, holder["fake"]


def still_serves(server: ThreadedServer, fake: FakeConnector, headers: dict[str, str]) -> None:
    before = len(fake.sent())
    body = json.dumps(activity(fake, "asha", text="help")).encode()
    status, _ = server.post("/api/messages", body, {"Content-Type": "application/json", **headers})
    assert status == 200
    deadline = time.monotonic() + 10
    while len(fake.sent()) == before:
        assert time.monotonic() < deadline, "a normal message got no answer after fuzzing"
        time.sleep(0.05)


def test_malformed_activities_get_no_5xx(database_url, tmp_path, teams_engine):
    server, fake = make_server(database_url, tmp_path, teams_engine)
    statuses: list[int] = []
    try:
        @FUZZ
        @given(st.data())
        def fuzz(data):
            raw = data.draw(activities(fake))
            status, answer = server.post("/api/messages", raw, {"Content-Type": "application/json"})
            statuses.append(status)
            assert status < 500, (status, answer)

        fuzz()
        assert not server.failures.describe()
        still_serves(server, fake, {})
    finally:
        server.close(fake.stop)
    print(f"teams {teams_engine} malformed: {len(statuses)} cases, 5xx: {sum(s >= 500 for s in statuses)}")


def test_activities_without_a_valid_token_are_refused_and_reach_nobody(database_url, tmp_path, teams_engine):
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server, fake = make_server(database_url, tmp_path, teams_engine,
                               MicrosoftAppId=APP_ID, MicrosoftAppPassword=PASSWORD)
    import jwt

    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    fake.jwks = [{**public, "kid": "test-key", "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}]
    fake.login.secrets = {APP_ID: PASSWORD}
    bad_tokens = st.one_of(
        NASTY.map(lambda t: "Bearer " + t), NASTY,
        st.just(f"Bearer {token(stranger)}"), st.just(f"Bearer {token(key, audience='someone-else')}"),
        st.just(f"Bearer {token(key, issuer='https://evil.invalid')}"), st.just(f"Bearer {token(key, ttl=-3600)}"),
        st.just(f"Bearer {token(key, kid='unknown')}"),
    )
    statuses: list[int] = []
    try:
        @FUZZ
        @given(st.data())
        def forged(data):
            raw = data.draw(activities(fake))
            authorization = data.draw(bad_tokens)
            if any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF for c in authorization):
                authorization = "Bearer x"
            status, answer = server.post("/api/messages", raw.replace(fake.url.encode(), EVIL_URL.encode()),
                                         {"Content-Type": "application/json", "Authorization": authorization})
            statuses.append(status)
            assert 400 <= status < 500, (status, answer)

        forged()
        assert not server.failures.describe()
        assert fake.sent() == [], "a request without a valid token made the bot send something"
        still_serves(server, fake, {"Authorization": f"Bearer {token(key, service_url=fake.url)}"})
    finally:
        server.close(fake.stop)
    print(f"teams {teams_engine} forged: {len(statuses)} cases, 5xx: {sum(s >= 500 for s in statuses)}")


async def test_button_values_no_database_can_hold_do_nothing(teams):
    """Ids beyond any integer column, on every kind of button: answered, nothing fails."""
    import logging

    from adapters.teams.cards import ACTION, KIND, VALUE

    client, _ = teams
    failures = []
    handler = logging.Handler()
    handler.emit = lambda record: failures.append(record) if record.levelno >= logging.ERROR else None
    logging.getLogger().addHandler(handler)
    try:
        for name in ("chaperone.accept", "escalation.ack", "referral.accept", "report.withdraw", "support.accept"):
            for value in ("9" * 30, str(2**63), str(2**31)):
                body = activity(client.fake, "asha", value={KIND: "button", ACTION: name, VALUE: value})
                status, _ = await client.post(body)
                assert status == 200
    finally:
        logging.getLogger().removeHandler(handler)
    assert not failures
