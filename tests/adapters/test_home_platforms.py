"""The home in Slack and Teams: a manager's App Home lists the escalation waiting for them,
with the time left and [Open the console]; Acknowledge from the Home publishes it again; a
long list stays within Slack's 100 blocks; Teams sends the home when the bot joins a personal
chat (and nothing when someone else joins a group)."""

import json

import pytest

from adapters.slack import blocks
from bot.port.views import Button, Card, Notice
from tests.fake_slack import button_payload, submission_payload
from tests.slack_harness import slack_server
from tests.teams_harness import BOT, activity, card_of, fake, teams, texts  # noqa: F401 (fixtures)

ASHA, MORGAN = "UASHA", "UMORGAN"
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes"}


@pytest.fixture
async def slack(database_url, tmp_path, clock):
    async with slack_server(database_url, tmp_path, clock,
                            {ASHA: "asha@demo.invalid", MORGAN: "morgan@demo.invalid"}) as client:
        yield client


async def test_a_managers_app_home_lists_what_waits_for_them(slack, clock):
    await slack.slash(MORGAN, "help", channel="D" + MORGAN)
    await slack.slash(ASHA, "report", channel="D" + ASHA)
    (opened,) = await slack.fake.wait_for("views.open")
    await slack.interaction(submission_payload(ASHA, opened.body["view"], UNSAFE))
    await slack.fake.wait_for("chat.postMessage", where=lambda b: b.get("channel") == "D" + MORGAN
                              and "Escalation:" in json.dumps(b))
    clock.advance(minutes=5)

    await slack.event({"type": "app_home_opened", "user": MORGAN, "channel": "D" + MORGAN, "tab": "home",
                       "event_ts": "1"})
    (home,) = await slack.fake.wait_for("views.publish")
    shown = json.dumps(home.body["view"])
    assert "Acknowledge an escalation (Outpatients)" in shown and "in 10 min" in shown
    assert "Open the console" in shown and "Words to say" in shown
    assert "You have no open reports" not in shown

    await slack.interaction(button_payload(MORGAN, "escalation.ack", "1", home=True))
    published = await slack.fake.wait_for("views.publish", count=2)
    assert "Nothing is waiting for you" in json.dumps(published[-1].body["view"])

    await slack.interaction(button_payload(MORGAN, "status.console", "", home=True))
    link = await slack.fake.wait_for("chat.postMessage", where=lambda b: b.get("channel") == "D" + MORGAN
                                     and "/console/" in json.dumps(b))
    assert link


def test_a_long_home_stays_within_slacks_100_blocks_and_keeps_the_help():
    views = [Notice("Waiting for you: 60 items, the most urgent first.")]
    views += [Card(f"Acknowledge escalation E-{i}", facts=(("Time left", "in 5 min"),),
                   buttons=(Button("Acknowledge", "escalation.ack", str(i)),)) for i in range(60)]
    home = blocks.home(views)
    assert len(home["blocks"]) <= 100
    shown = json.dumps(home)
    assert "Type `/boundary status` to see everything" in shown and "/boundary report" in shown


async def test_teams_sends_the_home_when_the_bot_joins_a_personal_chat(teams):
    client, _ = teams
    status, _ = await client.post(activity(client.fake, "asha", kind="conversationUpdate",
                                           membersAdded=[{"id": BOT["id"]}]))
    assert status == 200
    sent = client.fake.sent("POST")
    shown = " ".join(texts(card_of(s)) if s.activity.get("attachments") else str(s.activity.get("text"))
                     for s in sent)
    assert "Nothing is waiting for you" in shown and "What you can do" in shown and "Words to say" in shown

    before = len(client.fake.sent())
    await client.post(activity(client.fake, "asha", kind="conversationUpdate", conversation_type="groupChat",
                               membersAdded=[{"id": BOT["id"]}]))
    await client.post(activity(client.fake, "asha", kind="conversationUpdate", membersAdded=[{"id": "29:jo"}]))
    assert len(client.fake.sent()) == before
