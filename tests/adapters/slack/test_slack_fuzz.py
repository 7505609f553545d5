"""Property-based fuzzing of ``POST /slack/events`` on the real server (issue 16): generated
slash commands, block actions, view submissions and closures, events and options requests,
signed and forged. Whatever arrives: no 5xx, nothing unhandled in the log, no effect from a
forged request, and the server still answers a normal command afterwards.

``FUZZ_EXAMPLES=10000 pytest tests/adapters/slack/test_slack_fuzz.py`` is the long run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from multidict import CIMultiDict

from adapters.server import create_app
from tests.fake_slack import SIGNING_SECRET, TEAM, FakeSlack, signed_headers
from tests.fuzz_harness import FUZZ, NASTY, TEXT, ThreadedServer, mutate, nested
from tests.slack_harness import ASHA, SAM, slack_settings

pytestmark = pytest.mark.fuzz

FORM = "application/x-www-form-urlencoded"
TS = "1700000000.000100"


def slash(user=ASHA, text="help"):
    return {"token": "unused", "team_id": TEAM, "team_domain": "test", "channel_id": "C0GENERAL",
            "user_id": user, "user_name": "x", "command": "/boundary", "text": text, "api_app_id": "A0TEST",
            "response_url": "http://127.0.0.1:9/response", "trigger_id": "trigger-1"}


def block_actions():
    return {"type": "block_actions", "team": {"id": TEAM, "domain": "test"}, "user": {"id": ASHA, "team_id": TEAM},
            "api_app_id": "A0TEST", "trigger_id": "t-1",
            "container": {"type": "message", "channel_id": "DUASHA", "message_ts": TS},
            "channel": {"id": "DUASHA"}, "message": {"ts": TS, "text": "a card"},
            "actions": [{"type": "button", "action_id": "report.withdraw|0", "block_id": "actions",
                         "value": "1", "action_ts": TS}]}


def view(kind="view_submission"):
    values = {"b1": {"category": {"type": "static_select", "selected_option": {"value": "CONTACT"}}},
              "b2": {"factors": {"type": "checkboxes", "selected_options": [{"value": "unwanted"}]}},
              "b3": {"details": {"type": "plain_text_input", "value": "words"}}}
    return {"type": kind, "team": {"id": TEAM}, "user": {"id": ASHA, "team_id": TEAM}, "api_app_id": "A0TEST",
            "view": {"id": "V1", "type": "modal", "callback_id": "report",
                     "private_metadata": json.dumps({"form_id": "report", "state": ""}),
                     "blocks": [{"type": "input", "block_id": "b1"}], "state": {"values": values}}}


def options_request():
    return {"type": "block_suggestion", "team": {"id": TEAM}, "user": {"id": ASHA}, "action_id": "who|0",
            "block_id": "b1", "value": "as", "api_app_id": "A0TEST"}


def event(kind="app_home_opened"):
    return {"token": "unused", "team_id": TEAM, "api_app_id": "A0TEST", "type": "event_callback",
            "event": {"type": kind, "user": ASHA, "tab": "home", "channel": "DUASHA", "text": "hi"},
            "event_id": "Ev1", "event_time": 1700000000, "authorizations": [{"team_id": TEAM, "user_id": "UBOT"}]}


@st.composite
def slack_bodies(draw) -> tuple[str, str]:
    """(body, content type): a generated Slack request, mostly well formed, often not."""
    kind = draw(st.sampled_from(["slash", "actions", "submission", "closed", "options", "event", "junk"]))
    if kind == "slash":
        fields = mutate(draw, slash(text=draw(TEXT)))
        if not isinstance(fields, dict):
            return json.dumps(fields), FORM
        return urlencode({str(k): json.dumps(v) if not isinstance(v, str) else v for k, v in fields.items()},
                         errors="surrogatepass"), FORM
    if kind == "event":
        body = mutate(draw, event(draw(st.sampled_from(["app_home_opened", "message", "app_mention", "x"]))))
        return json.dumps(body), "application/json"
    if kind == "junk":
        raw = draw(st.one_of(st.just(nested(5000)), st.just("payload=" + nested(5000)), TEXT,
                             st.just("payload=%ff%fe"), st.just("payload=[1,2]"), st.just("[]")))
        return raw, draw(st.sampled_from([FORM, "application/json", "text/plain"]))
    base = {"actions": block_actions, "submission": view, "closed": lambda: view("view_closed"),
            "options": options_request}[kind]()
    payload = mutate(draw, base)
    return urlencode({"payload": json.dumps(payload)}, errors="surrogatepass"), FORM


def signed(body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """Slack's signature over the bytes actually sent (a body may hold a lone surrogate,
    sent as the invalid UTF-8 it becomes)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = b"v0:" + ts.encode() + b":" + body.encode("utf-8", "surrogatepass")
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}


@st.composite
def forged_headers(draw, body: str) -> CIMultiDict:
    good = signed(body, FORM)
    headers = CIMultiDict({"Content-Type": FORM})
    choice = draw(st.integers(0, 5))
    timestamp = draw(st.one_of(NASTY, st.just(good["X-Slack-Request-Timestamp"]), st.just(str(int(time.time()) - 3600))))
    signature = draw(st.one_of(NASTY, st.just("v0=" + "0" * 64),
                               st.just(signed(body, FORM, secret="wrong")["X-Slack-Signature"]),
                               st.just(signed(body, FORM, timestamp=int(time.time()) - 3600)["X-Slack-Signature"])))
    if choice != 1:
        headers.add("X-Slack-Request-Timestamp", timestamp)
    if choice != 2:
        headers.add("X-Slack-Signature", signature)
    if choice == 3:  # duplicated: one genuine pair beside a bad one
        headers.add("X-Slack-Request-Timestamp", good["X-Slack-Request-Timestamp"])
        headers.add("X-Slack-Signature", good["X-Slack-Signature"])
    return headers


@pytest.fixture
def server(database_url, tmp_path):
    holder: dict = {}

    async def make():
        fake = holder["fake"] = await FakeSlack(users={ASHA: "asha@demo.invalid", SAM: "sam@demo.invalid"}).start()
        return create_app(slack_settings(database_url, tmp_path, fake))

    threaded = ThreadedServer(make)
    threaded.fake = holder["fake"]
    yield threaded
    threaded.close(threaded.fake.stop)


def encodable(headers) -> bool:
    """Whether an HTTP client can send these headers at all (no control characters, UTF-8)."""
    try:
        for value in headers.values():
            value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(ord(c) < 0x20 or c == "\x7f" for value in headers.values() for c in value)


def still_serves(server: ThreadedServer) -> None:
    before = len(server.fake.of("views.open")) + len(server.fake.of("chat.postMessage"))
    body = urlencode({**slash(text="report"), "trigger_id": f"trigger-after-{time.monotonic()}"})
    status, _ = server.post("/slack/events", body.encode(), signed_headers(body, FORM))
    assert status == 200
    deadline = time.monotonic() + 10
    while len(server.fake.of("views.open")) + len(server.fake.of("chat.postMessage")) == before:
        assert time.monotonic() < deadline, "a normal command got no answer after fuzzing"
        time.sleep(0.05)


def test_forged_requests_are_refused_and_change_nothing(server):
    statuses: list[int] = []

    @FUZZ
    @given(st.data())
    def forged(data):
        body, _ = data.draw(slack_bodies())
        headers = data.draw(forged_headers(body))
        assume(encodable(headers))
        status, answer = server.post("/slack/events", body.encode("utf-8", "surrogatepass"), headers)
        statuses.append(status)
        assert 400 <= status < 500, (status, answer)

    forged()
    assert not server.failures.describe()
    assert server.fake.calls == [], "a forged request reached Slack's Web API"
    still_serves(server)
    print(f"slack forged: {len(statuses)} cases, 5xx: {sum(s >= 500 for s in statuses)}")


def test_signed_but_malformed_requests_get_no_5xx(server):
    statuses: list[int] = []

    @FUZZ
    @given(slack_bodies())
    def signed_case(case):
        body, content_type = case
        headers = signed(body, content_type)
        status, answer = server.post("/slack/events", body.encode("utf-8", "surrogatepass"), headers)
        statuses.append(status)
        assert status < 500, (status, answer)

    signed_case()
    server.settle(lambda: _idle(server))
    assert not server.failures.describe()
    still_serves(server)
    print(f"slack signed: {len(statuses)} cases, 5xx: {sum(s >= 500 for s in statuses)}")


async def _idle(server: ThreadedServer) -> None:
    from adapters.slack import SLACK_KEY

    await server.app[SLACK_KEY].idle()


def test_json_nested_deeper_than_the_recursion_limit_is_a_400(server):
    for body in (nested(100_000), "payload=" + nested(100_000)):
        content_type = "application/json" if body.startswith("[") else FORM
        status, _ = server.post("/slack/events", body.encode(), signed(body, content_type))
        assert status == 400
    assert not server.failures.describe()


BUTTONS = ["chaperone.accept", "chaperone.cancel", "chaperone.decline", "chaperone.details", "chaperone.withdraw",
           "escalation.ack", "escalation.view", "escalation.resolve", "escalation.snooze", "referral.accept",
           "referral.decline", "referral.approve", "referral.withdraw", "referral.tick", "referral.note",
           "report.withdraw", "report.delete", "report.ask_delete", "report.escalate", "support.accept",
           "support.cancel", "support.decline", "support.done", "away.back"]


def test_button_values_no_database_can_hold_do_nothing(server):
    """Ids beyond any integer column (the platform echoes whatever value a card carried)."""
    for i, name in enumerate(BUTTONS):
        for value in ("9" * 30, str(2**63), str(2**31), "-1", "٣", "1e3"):
            payload = block_actions()
            payload["actions"][0].update(action_id=f"{name}|0", value=value, action_ts=f"{i}.{value[:5]}")
            body = urlencode({"payload": json.dumps(payload)})
            status, _ = server.post("/slack/events", body.encode(), signed(body, FORM))
            assert status < 500
    server.settle(lambda: _idle(server))
    assert not server.failures.describe()
