"""Every verb in Slack with 20,000 people, 400 teams and 300 sites, against a fake Slack that
refuses what the real one refuses (tests/slack_limits.py): every form opens, every message and
the Home tab fit, and pickers find people and sites by typing."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

from adapters.server import create_app
from bot.features import registry
from tests.big_org import (  # noqa: F401  (fixtures)
    big_database_url,
    big_template,
    name_of,
    slack_user,
)
from tests.conftest import free_port
from tests.fake_slack import FakeSlack, SlackClient, submission_payload
from tests.slack_harness import slack_settings

ME, ADMIN = slack_user(421), "UADMIN"  # 421: a doctor, member of a team with a manager; Alex, the admin


@pytest.fixture
async def big_slack(big_database_url, tmp_path, clock):
    api = await FakeSlack(users={ME: None, ADMIN: "alex@demo.invalid"}).start()
    app = create_app(slack_settings(big_database_url, tmp_path, api), clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with aiohttp.ClientSession() as http:
        yield SlackClient(f"http://127.0.0.1:{port}", http, api)
    await runner.cleanup()
    await api.stop()


async def answer_to(slack: SlackClient, user: str, text: str) -> list:
    before = len(slack.fake.calls)
    status, _ = await slack.slash(user, text, channel="D" + user)
    assert status == 200
    for _ in range(1200):  # a shared machine is slow, not wrong
        shown = [c for c in slack.fake.calls[before:] if c.method in ("views.open", "chat.postMessage")]
        if shown:
            await asyncio.sleep(0.2)  # the rest of the answer
            return slack.fake.calls[before:]
        await asyncio.sleep(0.025)
    raise AssertionError(f"no answer in Slack to {text}")


async def suggest(slack: SlackClient, modal: dict, field: str, typed: str) -> list[dict]:
    """What Slack shows after typing. Right after start-up the server may still be indexing
    the organisation (a few seconds on a busy machine) and answers nothing in time; the
    person types another letter, as here."""
    for _ in range(40):
        found = await slack.suggest(ME, modal, field, typed)
        if found:
            return found
        await asyncio.sleep(0.5)
    return []


async def test_every_verb_opens_or_answers_within_slacks_limits(big_slack):
    words = [verb.name for verb in registry().verbs]
    for user in (ME, ADMIN):
        for word in words:
            calls = await answer_to(big_slack, user, word)
            assert not big_slack.fake.refused, (word, big_slack.fake.refused[-1].body)
            refused_views = [c for c in calls if c.method == "chat.postMessage" and "couldn't show that form" in
                             json.dumps(c.body)]
            assert not refused_views, word


async def test_a_receiver_is_found_by_typing_and_the_referral_goes_to_them(big_slack):
    await answer_to(big_slack, ME, "refer")
    (opened,) = big_slack.fake.of("views.open")
    modal = opened.body["view"]
    element = next(b for b in modal["blocks"] if b.get("block_id") == "receiver")["element"]
    assert element["type"] == "external_select" and "options" not in element
    target = name_of(1231)  # a doctor, in another team
    found = await suggest(big_slack, modal, "receiver", target.lower())
    chosen = next(o for o in found if o["text"]["text"].startswith(target))
    assert len(await big_slack.suggest(ME, modal, "receiver", "")) == 50  # first page with nothing typed
    answers = {"reason": "boundary", "urgency": "routine", "receiver": chosen, "note": "Weekly sessions."}
    status, body = await big_slack.interaction(submission_payload(ME, modal, answers))
    assert status == 200 and not body, body
    await big_slack.fake.wait_for("chat.postMessage", where=lambda b: "F-1" in json.dumps(b))
    assert not big_slack.fake.refused


async def test_sites_and_deputies_are_searched_not_listed(big_slack):
    for verb, field, typed, expected in (("chaperone", "site", "lambeth hosp", "Lambeth Hospital"),
                                         ("volunteer", "sites", "sutton", "Sutton"),
                                         ("away", "deputy", name_of(77).lower(), name_of(77))):
        before = len(big_slack.fake.of("views.open"))
        await answer_to(big_slack, ME, verb)
        modal = big_slack.fake.of("views.open")[before].body["view"]
        found = await suggest(big_slack, modal, field, typed)
        assert found and found[0]["text"]["text"].startswith(expected), (verb, found[:2])
    assert not big_slack.fake.refused


async def test_views_open_failing_for_another_reason_says_so_and_what_to_do(big_slack):
    big_slack.fake.error_for("views.open", "invalid_arguments")
    await big_slack.slash(ME, "refer", channel="D" + ME)
    (said,) = await big_slack.fake.wait_for("chat.postMessage", timeout=30)
    said = json.dumps(said.body)
    assert "couldn't show that form" in said and "try the command again" in said and "took too long" not in said
    big_slack.fake.error_for("views.open", "expired_trigger_id")
    await big_slack.slash(ME, "refer", channel="D" + ME)
    said = await big_slack.fake.wait_for("chat.postMessage", count=2, timeout=30)
    assert "took too long" in json.dumps(said[-1].body)
