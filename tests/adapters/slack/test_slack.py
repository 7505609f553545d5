"""The Slack adapter end to end: signed requests to the real server on a free port, the real
slack_sdk client pointed at a fake Slack Web API, assertions on what the fake received."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from aiohttp import web
from sqlalchemy import text

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY
from adapters.server import create_app
from adapters.slack import SLACK_KEY
from tests.conftest import free_port, local_settings
from tests.fake_slack import (
    BOT_TOKEN,
    TEAM,
    button_payload,
    signed_headers,
    submission_payload,
)
from tests.slack_harness import (  # noqa: F401 (fixtures)
    ASHA,
    GOOD_REPORT,
    NICKNAME,
    NOEMAIL,
    SAM,
    SECRET,
    STRANGER,
    fake,
    open_report,
    slack,
    texts,
)


async def test_report_modal_submission_and_dm_with_the_script(slack, caplog):
    client, app = slack
    caplog.set_level(logging.DEBUG)
    modal = await open_report(client, ASHA)
    assert modal["type"] == "modal" and modal["title"]["text"] == "Report privately"
    assert json.loads(modal["private_metadata"]) == {"form_id": "report", "state": ""}
    kinds = {b["block_id"]: b["element"]["type"] for b in modal["blocks"] if b["type"] == "input"}
    # A short first step; where, who, a nickname and the rest follow the advice ([Add details]).
    assert kinds == {"felt_unsafe": "radio_buttons", "category": "radio_buttons", "details": "plain_text_input",
                     "condition": "radio_buttons", "keep": "radio_buttons"}
    details = next(b for b in modal["blocks"] if b.get("block_id") == "details")
    assert details["element"]["multiline"] is True and details["optional"] is True
    assert not client.fake.of("chat.postMessage"), "a form is a modal, not a message"

    status, body = await client.interaction(submission_payload(ASHA, modal, GOOD_REPORT))
    assert status == 200 and body in ("", "{}")  # closes the modal
    (dm,) = await client.fake.wait_for("chat.postMessage")
    assert dm.body["channel"] == "D" + ASHA
    shown = texts(dm)
    assert "Your report is saved privately" in shown and "Something you could say" in shown
    assert SECRET not in shown and NICKNAME not in shown
    await app[SLACK_KEY].idle()
    for record in caplog.records:
        message = record.getMessage()
        assert SECRET not in message and NICKNAME not in message, (record.name, message[:200])

    async with app[BOT_KEY].db.transaction() as tx:
        rows = (await tx.session.execute(text("select count(*) from reports"))).scalar()
        linked = (await tx.session.execute(
            text("select count(*) from identities where platform='slack' and user_id=:u"), {"u": ASHA})).scalar()
    assert rows == 1 and linked == 1  # linked to Dr Asha Patel by email, case-insensitively


async def test_missing_fields_come_back_as_per_field_errors_in_the_modal(slack):
    client, app = slack
    modal = await open_report(client, ASHA)
    status, body = await client.interaction(
        submission_payload(ASHA, modal, {"category": "THREAT", "details": "call me on 07700 900123"}))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"felt_unsafe", "details"}
    assert "07700" not in body
    async with app[BOT_KEY].db.transaction() as tx:
        assert (await tx.session.execute(text("select count(*) from reports"))).scalar() == 0

    # Fixed and sent again from the same modal: saved.
    status, body = await client.interaction(submission_payload(ASHA, modal, GOOD_REPORT))
    assert status == 200 and "errors" not in body
    await client.fake.wait_for("chat.postMessage")


async def test_the_same_delivery_retried_has_one_effect(slack):
    client, app = slack
    modal = await open_report(client, ASHA)
    payload = submission_payload(ASHA, modal, GOOD_REPORT)
    for _ in range(3):
        status, _ = await client.interaction(payload)
        assert status == 200
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("chat.postMessage")) == 1
    async with app[BOT_KEY].db.transaction() as tx:
        assert (await tx.session.execute(text("select count(*) from reports"))).scalar() == 1

    # A slash command delivered twice (same trigger id) is acted on once.
    await client.slash(ASHA, "help", trigger="same-trigger")
    await client.slash(ASHA, "help", trigger="same-trigger")
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("chat.postMessage")) == 2

    # An Events API retry (X-Slack-Retry-Num) publishes the Home once.
    event = {"type": "app_home_opened", "user": ASHA, "channel": "D" + ASHA, "tab": "home", "event_ts": "1"}
    await client.event(event, event_id="EvSAME")
    await client.event(event, event_id="EvSAME", retry=1)
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("views.publish")) == 1


async def test_buttons_another_way_to_say_it_and_withdraw_updates_the_card(slack):
    client, app = slack
    modal = await open_report(client, ASHA)
    await client.interaction(submission_payload(ASHA, modal, GOOD_REPORT))
    (dm,) = await client.fake.wait_for("chat.postMessage")
    buttons = [e for b in dm.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    tone = next(b for b in buttons if b["action_id"].split("|")[0] == "report.tone")

    action, value = tone["action_id"].split("|")[0], tone["value"]
    status, _ = await client.interaction(button_payload(ASHA, action, value))
    assert status == 200
    (_, second) = await client.fake.wait_for("chat.postMessage", count=2)
    assert "Words you could say" in texts(second)

    # "My reports" → status cards; "Withdraw" on one replaces that card in place.
    await client.interaction(button_payload(ASHA, "status.show", ""))
    posts = await client.fake.wait_for("chat.postMessage", count=4)
    card = posts[-1]
    assert "R-1" in texts(card)
    withdraw = next(e for b in card.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                    if e["text"]["text"] == "Withdraw")
    await client.interaction(button_payload(ASHA, withdraw["action_id"].split("|")[0], withdraw["value"],
                                            ts="1700000000.000004"))
    (update,) = await client.fake.wait_for("chat.update")
    assert update.body["channel"] == "D" + ASHA and update.body["ts"] == "1700000000.000004"
    assert "R-1 is withdrawn" in texts(update)
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("chat.postMessage")) == 4


async def test_a_replayed_button_from_someone_else_is_refused(slack):
    client, app = slack
    modal = await open_report(client, ASHA)
    await client.interaction(submission_payload(ASHA, modal, GOOD_REPORT))
    await client.fake.wait_for("chat.postMessage")
    # Sam presses Asha's withdraw button (a forwarded or replayed payload), on Asha's message.
    await client.interaction(button_payload(SAM, "report.withdraw", "1", channel="D" + ASHA))
    (refusal,) = await client.fake.wait_for("chat.postMessage", where=lambda b: b["channel"] == "D" + SAM)
    assert "can't find that report" in texts(refusal)
    await app[SLACK_KEY].idle()
    assert not client.fake.of("chat.update"), "never edits someone else's message"
    async with app[BOT_KEY].db.transaction() as tx:
        assert (await tx.session.execute(text("select status from reports"))).scalar() == "open"


async def test_every_verb_has_an_entry_point(slack):
    client, app = slack
    expectations = {
        "help": "Boundary Bot",
        "script asked for my number": "",
        "status": "no open reports",
        "escalate": "no open reports to escalate",
        "": "Boundary Bot",
        "frobnicate": "I can help with that",
    }
    for said, expected in expectations.items():
        before = len(client.fake.of("chat.postMessage"))
        status, body = await client.slash(ASHA, said)
        # Asked in a channel: the acknowledgement itself says where the answer went.
        assert status == 200 and json.loads(body) == {"text": "I'm sending you my answer in a direct message."}
        await app[SLACK_KEY].idle()
        posts = client.fake.of("chat.postMessage")[before:]
        assert posts, said
        assert all(p.body["channel"] == "D" + ASHA for p in posts)
        assert expected in " ".join(texts(p) for p in posts), said
    assert not client.fake.of("response_url")  # no second call needed to say so

    # From the bot's own DM, nothing needs saying.
    status, body = await client.slash(ASHA, "help", channel="D" + ASHA)
    assert status == 200 and body == ""
    await app[SLACK_KEY].idle()
    assert not client.fake.of("response_url")
    # users.info once per person (emails are cached briefly), DM channel opened once.
    assert len(client.fake.of("users.info")) == 1
    assert len(client.fake.of("conversations.open")) == 1

    # The verbs that start with a form open it as a modal.
    for verb, title in (("chaperone", "Ask for a chaperone"), ("volunteer", "Volunteer as a chaperone"),
                        ("refer", "Refer a client to a colleague")):
        before = len(client.fake.of("views.open"))
        status, _ = await client.slash(ASHA, verb, channel="D" + ASHA)
        assert status == 200
        opened = await client.fake.wait_for("views.open", count=before + 1)
        assert opened[-1].body["view"]["title"]["text"].startswith(title[:23]), verb  # Slack caps titles at 24


async def test_app_home_shows_my_items_and_help(slack):
    client, app = slack
    modal = await open_report(client, ASHA)
    await client.interaction(submission_payload(ASHA, modal, GOOD_REPORT))
    await client.fake.wait_for("chat.postMessage")
    status, _ = await client.event({"type": "app_home_opened", "user": ASHA, "channel": "D" + ASHA,
                                    "tab": "home", "event_ts": "1"})
    assert status == 200
    (publish,) = await client.fake.wait_for("views.publish")
    assert publish.body["user_id"] == ASHA and publish.body["view"]["type"] == "home"
    shown = texts(publish)
    assert "Nothing is waiting for you" in shown and "Your open items (1)" in shown
    assert "Requests for personal contact" in shown and "/boundary report" in shown and "Words to say" in shown
    assert NICKNAME not in shown and SECRET not in shown

    # Withdrawing from the Home tab: a DM says so and the Home is published again.
    await client.interaction(button_payload(ASHA, "report.withdraw", "1", home=True))
    publishes = await client.fake.wait_for("views.publish", count=2)
    assert "Nothing of your own is open" in texts(publishes[-1])
    assert "withdrawn" in texts(client.fake.of("chat.postMessage")[-1])

    # The messages tab is not the Home.
    await client.event({"type": "app_home_opened", "user": ASHA, "channel": "D" + ASHA, "tab": "messages"})
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("views.publish")) == 2


async def test_people_outside_the_organisation_are_told_politely(slack):
    client, app = slack
    for user in (STRANGER, NOEMAIL):
        await client.slash(user, "report")
        (dm,) = await client.fake.wait_for("chat.postMessage", where=lambda b, u=user: b["channel"] == "D" + u)
        assert "I don't recognise you" in texts(dm)
    assert not client.fake.of("views.open")
    async with app[BOT_KEY].db.transaction() as tx:
        assert (await tx.session.execute(text("select count(*) from identities where platform='slack'"))).scalar() == 0


async def test_bad_requests_get_4xx_never_5xx(slack):
    client, app = slack
    body = "command=%2Fboundary&text=help&user_id=UASHA&team_id=T0TEST"
    form = "application/x-www-form-urlencoded"
    cases = {
        "forged": signed_headers(body, form, secret="not-the-secret"),
        "stale": signed_headers(body, form, timestamp=int(time.time()) - 3600),
        "missing": {"Content-Type": form},
        "non-numeric timestamp": {**signed_headers(body, form), "X-Slack-Request-Timestamp": "soon"},
        "no signature": {k: v for k, v in signed_headers(body, form).items() if k != "X-Slack-Signature"},
    }
    for name, headers in cases.items():
        status, _ = await client.raw(body, headers)
        assert status == 401, name
    for payload in ("{not json", "[1, 2]", ""):
        status, _ = await client.form({"payload": payload})
        assert status == 400, payload
    status, _ = await client.raw("{nope", signed_headers("{nope", "application/json"))
    assert status == 400
    # Signed but not JSON-encoded and not understood: bolt's 404, not a 500.
    status, _ = await client.form({"something": "else"})
    assert 400 <= status < 500
    # An unknown action id reaches the core and gets a polite answer.
    status, _ = await client.interaction(button_payload(ASHA, "no.such.action", "x", channel="C0GENERAL"))
    assert status == 200
    (dm,) = await client.fake.wait_for("chat.postMessage")
    assert "no longer does anything" in texts(dm)
    # A submission of a form that does not exist any more.
    status, body = await client.interaction(submission_payload(ASHA, {"type": "modal", "callback_id": "boundary_form", "blocks": [], "private_metadata": "{bad"}, {}))
    assert status == 200
    await client.fake.wait_for("chat.postMessage", count=2)
    await app[SLACK_KEY].idle()
    assert not client.fake.of("views.open")


async def test_url_verification_challenge(slack):
    client, _ = slack
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    status, answer = await client.raw(body, signed_headers(body, "application/json"))
    assert status == 200 and "abc123" in answer


async def test_the_deliverer_is_registered_and_sends_dms(slack):
    from bot.port.delivery import Address
    from bot.port.views import Notice

    client, app = slack
    deliverer = app[DELIVERERS_KEY]["slack"]
    assert deliverer.platform == "slack"
    ref = await deliverer.send(Address("slack", TEAM, SAM), Notice("Hello"), "k1")
    assert ref.platform == "slack" and ref.data["channel"] == "D" + SAM
    updated = await deliverer.update(ref, Notice("Covered"), "k2")
    assert updated.data == ref.data
    assert client.fake.of("chat.update")[0].body["text"] == "Covered"


async def test_the_deliverer_translates_slack_failures(slack):
    from bot.port.delivery import Address, MessageRef, RetryLater, Undeliverable
    from bot.port.views import Card, Notice

    client, app = slack
    fake = client.fake
    deliverer = app[DELIVERERS_KEY]["slack"]
    to = Address("slack", TEAM, SAM)

    fake.fail_next(1, 429, retry_after=7, method="conversations.open")
    with pytest.raises(RetryLater) as caught:
        await deliverer.send(to, Notice("Hello"), "k")
    assert caught.value.after == 7.0
    fake.fail_next(1, 429, retry_after=3, method="chat.postMessage")
    with pytest.raises(RetryLater) as caught:
        await deliverer.send(to, Card("A card"), "k")
    assert caught.value.after == 3.0
    fake.fail_next(1, 500)
    with pytest.raises(RetryLater) as caught:
        await deliverer.send(to, Notice("Hello"), "k")
    assert caught.value.after is None and "500" in caught.value.reason
    fake.fail_next(1, 503, retry_after=2)
    with pytest.raises(RetryLater) as caught:
        await deliverer.update(MessageRef("slack", {"channel": "DUSAM", "ts": "1.2"}), Notice("x"), "k")
    assert caught.value.after == 2.0
    # No retries inside the deliverer: each failure above was one call.
    assert len(fake.of("chat.postMessage")) == 2 and len(fake.of("chat.update")) == 1

    with pytest.raises(Undeliverable) as gone:
        await deliverer.send(Address("slack", TEAM, "UNOBODY"), Notice("Hello"), "k")
    assert "user_not_found" in gone.value.reason
    fake.error_for("chat.postMessage", "channel_not_found")
    with pytest.raises(Undeliverable):
        await deliverer.send(to, Notice("Hello"), "k")
    fake.error_for("chat.postMessage", "invalid_auth")
    with pytest.raises(Undeliverable):
        await deliverer.send(to, Notice("Hello"), "k")
    with pytest.raises(Undeliverable):
        await deliverer.update(MessageRef("teams", {}), Notice("x"), "k")

    # A server with nothing listening: a network error is worth retrying.
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.deliver import SlackDeliverer

    offline = SlackDeliverer(AsyncWebClient(token=BOT_TOKEN, base_url=f"http://127.0.0.1:{free_port()}/api/",
                                            retry_handlers=[]))
    with pytest.raises(RetryLater):
        await offline.send(to, Notice("Hello"), "k")


async def test_replies_to_the_person_who_acted_retry_briefly_and_never_twice(slack):
    client, app = slack
    fake = client.fake
    fake.fail_next(1, 429, retry_after=0, method="chat.postMessage")
    fake.fail_next(1, 500, method="chat.postMessage")
    await client.slash(ASHA, "help")
    await app[SLACK_KEY].idle()
    assert len(fake.of("chat.postMessage")) == 3  # two failures, then one success, nothing after

    # Three failures in a row: given up, nothing half-sent, no 5xx to Slack.
    fake.fail_next(3, 500, method="chat.postMessage")
    status, _ = await client.slash(ASHA, "help")
    assert status == 200
    await app[SLACK_KEY].idle()
    assert len(fake.of("chat.postMessage")) == 6


async def test_socket_mode_connects_handles_a_command_and_closes_on_shutdown(database_url, tmp_path, clock, fake):
    from tests.fake_slack import APP_TOKEN

    settings = local_settings(database_url, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                              SLACK_API_URL=fake.api_url)
    app = create_app(settings, clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()  # runs the cleanup contexts' start-up: connects over Socket Mode
    try:
        assert len(fake.of("apps.connections.open")) == 1
        assert not any(r.resource.canonical == "/slack/events" for r in app.router.routes() if r.resource), \
            "no HTTP endpoint without a signing secret"
        deadline = time.monotonic() + 5
        while not fake._sockets and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for i, (kind, bad) in enumerate((("slash_commands", {"team_id": TEAM, "user_id": 7, "command": "/boundary"}),
                                         ("interactive", {"type": "block_actions", "user": "x", "actions": "y"}))):
            await fake.socket_send({"envelope_id": f"bad-{i}", "type": kind, "payload": bad})  # acked, nothing done
        await fake.socket_send({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"team_id": TEAM, "user_id": ASHA, "command": "/boundary", "text": "help",
                        "channel_id": "D" + ASHA, "trigger_id": "trig-socket", "response_url": f"{fake.url}/response/s"},
        })
        (dm,) = await fake.wait_for("chat.postMessage")
        assert "Boundary Bot" in texts(dm)
        deadline = time.monotonic() + 5
        while len(fake.socket_received) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert {r["envelope_id"] for r in fake.socket_received} == {"bad-0", "bad-1", "env-1"}
    finally:
        await runner.cleanup()
    assert not fake._sockets, "the WebSocket is closed on shutdown"


async def test_socket_mode_that_cannot_connect_stops_start_up_with_one_line(database_url, tmp_path, clock, fake):
    from bot.runtime import StartupError

    settings = local_settings(database_url, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-wrong",
                              SLACK_API_URL=fake.api_url)
    runner = web.AppRunner(create_app(settings, clock=clock))
    with pytest.raises(StartupError, match="SLACK_APP_TOKEN"):
        await runner.setup()
    await runner.cleanup()
