"""Every verb, typed with words after it, and the report form filled with free text and a
client nickname, on each platform — Slack, Teams and the web chat — against one server.

Besides checking that each gets an answer, this is the run tests/test_log_privacy.py scans:
the words below must never reach a log line.
"""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp
import pytest
from aiohttp import web

from adapters.server import create_app
from tests.conftest import free_port
from tests.fake_connector import FakeConnector
from tests.fake_slack import FakeSlack, SlackClient, submission_payload
from tests.slack_harness import slack_settings
from tests.teams_harness import Client as TeamsClient
from tests.teams_harness import card_of, submit_data
from tests.teams_harness import texts as card_texts
from tests.web_harness import post, visible

ASHA = "UASHA"
# What the clinician types, per platform (so a leak names its platform).
TYPED = {
    platform: {
        "script": f"he asked for my number at the bus stop {platform}",
        "fallback": f"he keeps leaving flowers on my car {platform}",
        "details": f"said he would wait for me by the {platform} loading bay",
        "client_ref": f"Grey heron {platform}",
    }
    for platform in ("slack", "teams", "web")
}
VERBS = ("help", "status", "report", "chaperone", "volunteer", "refer", "escalate")
REPORT = {"category": "CONTACT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}


@pytest.fixture
async def everywhere(database_url, tmp_path, clock):
    slack_api = await FakeSlack(users={ASHA: "asha@demo.invalid"}).start()
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:asha", "aad-asha", "asha@demo.invalid", "Asha Patel")
    app = create_app(slack_settings(database_url, tmp_path, slack_api), clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession() as slack_http, aiohttp.ClientSession(base) as teams_http, \
            aiohttp.ClientSession(base, cookie_jar=jar) as web_http:
        await post(web_http, "/chat/as", {"person": "asha"})
        yield SlackClient(base, slack_http, slack_api), TeamsClient(teams_http, connector), web_http
    await runner.cleanup()
    await connector.stop()
    await slack_api.stop()


async def slack_says(slack: SlackClient, text: str) -> str:
    """What Asha is shown after typing ``/boundary text``: a modal or direct messages."""
    before = len(slack.fake.calls)
    status, _ = await slack.slash(ASHA, text, channel="D" + ASHA)
    assert status == 200
    for _ in range(800):  # up to 20 s: a busy machine is slow, not wrong
        shown = [c for c in slack.fake.calls[before:] if c.method in ("views.open", "chat.postMessage")]
        if shown:
            return json.dumps([c.body for c in shown])
        await asyncio.sleep(0.025)
    raise AssertionError(f"no answer in Slack to {text.split()[0]}")



def is_report(body: dict) -> bool:
    return json.loads(body["view"].get("private_metadata") or "{}").get("form_id") == "report"


async def test_every_verb_and_a_report_on_slack(everywhere):
    slack, _, _ = everywhere
    words = TYPED["slack"]
    for verb in VERBS:
        assert await slack_says(slack, verb)
    assert await slack_says(slack, "script " + words["script"])
    assert await slack_says(slack, words["fallback"])

    reports = len([c for c in slack.fake.of("views.open") if is_report(c.body)])
    await slack.slash(ASHA, "report", channel="D" + ASHA)
    opened = await slack.fake.wait_for("views.open", count=reports + 1, timeout=20, where=is_report)
    modal = opened[-1].body["view"]
    status, body = await slack.interaction(submission_payload(ASHA, modal, {
        **REPORT, "factors": ["unwanted"], "client_ref": words["client_ref"], "details": words["details"]}))
    assert status == 200 and "errors" not in body, body
    await slack.fake.wait_for("chat.postMessage", where=lambda b: "saved privately" in json.dumps(b), timeout=20)


async def test_every_verb_and_a_report_on_teams(everywhere):
    _, teams, _ = everywhere
    words = TYPED["teams"]
    for text in (*VERBS, "script " + words["script"], words["fallback"]):
        assert await teams.say(text), text
    sent = await teams.say("report")
    form = card_of(sent[0])
    card_id = [k for k in teams.fake.activities if k[0] == "a:chat-asha"][-1][1]
    sent = await teams.say(None, reply_to=card_id, value={
        **submit_data(form), **REPORT, "factors": "unwanted", "client_ref": words["client_ref"],
        "details": words["details"]})
    assert any("saved privately" in card_texts(r.body) for r in sent)


async def test_every_verb_and_a_report_in_the_web_chat(everywhere):
    _, _, browser = everywhere
    words = TYPED["web"]
    for text in (*VERBS, "script " + words["script"], words["fallback"]):
        assert visible(await post(browser, "/chat/say", {"text": text}))
    page = await post(browser, "/chat/say", {"text": "report"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    page = visible(await post(browser, "/chat/submit", {
        "_form": "report", "_entry": entry, **REPORT, "factors": "unwanted",
        "client_ref": words["client_ref"], "details": words["details"]}))
    assert "saved privately" in page
