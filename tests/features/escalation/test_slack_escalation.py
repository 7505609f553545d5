"""Escalation end to end through Slack: the manager's notice arrives as a DM, they
acknowledge from it (every copy updated in place), and the narrative opens only in a modal."""

import json

import pytest

from tests.fake_slack import button_payload, submission_payload
from tests.slack_harness import slack_server

ASHA, MORGAN, SAM = "UASHA", "UMORGAN", "USAM"
SECRET = "he blocked the doorway when I tried to leave"


@pytest.fixture
async def slack(database_url, tmp_path, clock):
    async with slack_server(database_url, tmp_path, clock, {ASHA: "asha@demo.invalid", MORGAN: "morgan@demo.invalid",
                                 SAM: "sam@demo.invalid"}) as client:
        yield client


def in_dm(user: str, needle: str):
    return lambda body: body.get("channel") == "D" + user and needle in json.dumps(body)


async def test_unsafe_report_to_manager_acknowledge_and_details_in_a_modal(slack):
    await slack.slash(MORGAN, "help", channel="D" + MORGAN)  # Morgan has used the bot in Slack
    await slack.slash(ASHA, "report", channel="D" + ASHA)
    (opened,) = await slack.fake.wait_for("views.open")
    answers = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
               "details": SECRET}
    status, _ = await slack.interaction(submission_payload(ASHA, opened.body["view"], answers))
    assert status == 200
    await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "I have alerted Morgan Reyes now"))
    (notice,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(MORGAN, "Escalation:"))
    assert "escalation.ack" in json.dumps(notice.body)

    await slack.interaction(button_payload(MORGAN, "escalation.ack", "1"))
    await slack.fake.wait_for("chat.update", where=in_dm(MORGAN, "Acknowledged at"))
    await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "has acknowledged your escalation"))

    await slack.interaction(button_payload(MORGAN, "escalation.view", "1"))
    views = await slack.fake.wait_for("views.open", count=2)
    details = views[-1].body["view"]
    assert details["type"] == "modal" and SECRET in json.dumps(details) and "submit" not in details
    posted = [c for c in slack.fake.calls if c.method in ("chat.postMessage", "chat.update", "chat.postEphemeral")]
    assert posted and all(SECRET not in json.dumps(c.body) for c in posted)

    # Sam is not in the team's policy: the same button shows him nothing.
    await slack.slash(SAM, "help", channel="D" + SAM)
    await slack.interaction(button_payload(SAM, "escalation.view", "1"))
    # (a one-line answer to a button replaces the card it was pressed on, in his own DM)
    await slack.fake.wait_for("chat.update", where=in_dm(SAM, "can't find that escalation"))
    assert all(SECRET not in json.dumps(c.body) for c in slack.fake.of("views.open")[2:])


async def test_closure_reaches_the_reporter_in_slack_and_opens_privately(slack):
    await slack.slash(MORGAN, "help", channel="D" + MORGAN)
    await slack.slash(ASHA, "report", channel="D" + ASHA)
    (opened,) = await slack.fake.wait_for("views.open")
    answers = {"category": "THREAT", "felt_unsafe": "yes", "details": SECRET}
    await slack.interaction(submission_payload(ASHA, opened.body["view"], answers))
    await slack.fake.wait_for("chat.postMessage", where=in_dm(MORGAN, "Escalation:"))

    await slack.interaction(button_payload(MORGAN, "escalation.resolve", "1"))
    views = await slack.fake.wait_for("views.open", count=2)
    form = views[-1].body["view"]
    shared = "Visits to this client are now always in pairs."
    await slack.interaction(submission_payload(MORGAN, form, {"note": "Agreed pairs with the team.",
                                                              "for_reporter": shared}))
    (closed,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Your escalation is resolved"))
    assert shared not in json.dumps(closed.body)  # the words open privately, never in chat
    labels = [e["text"]["text"] for b in closed.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["What was done", "Yes", "No, reopen"]
    await slack.interaction(button_payload(ASHA, "escalation.told", "1"))
    views = await slack.fake.wait_for("views.open", count=3)
    assert shared in json.dumps(views[-1].body["view"]) and "Agreed pairs" not in json.dumps(views[-1].body["view"])
