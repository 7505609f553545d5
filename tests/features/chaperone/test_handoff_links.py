"""Hand-offs that connect (issue 15), through Slack (real slack_sdk against the fake Slack):
[Get a colleague with me now] reaches a volunteer at once; when they accept, each side gets a
[Message …] button that opens a direct message with the other in Slack, and the chaperone's
card carries the requester's note."""

import json

from adapters.slack import SLACK_KEY
from tests.fake_slack import TEAM, button_payload
from tests.slack_harness import ASHA, SAM, fake, slack  # noqa: F401 (fixtures)


def in_dm(user: str, needle: str):
    return lambda body: body.get("channel") == "D" + user and needle in json.dumps(body)


def dm_link(user: str) -> str:
    """Slack's documented redirect into the direct message with ``user`` in our workspace."""
    return f"https://slack.com/app_redirect?team={TEAM}&channel={user}"


def link_buttons(body: dict) -> dict[str, str]:
    return {e["text"]["text"]: e["url"] for b in body.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"] if e.get("url")}


async def test_a_colleague_now_then_message_each_other_in_slack(slack):  # noqa: F811
    client, app = slack
    await client.slash(SAM, "help", channel="D" + SAM)  # Sam uses the bot in Slack
    await client.interaction(button_payload(ASHA, "chaperone.now", ""))
    await client.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Getting a colleague to you"))
    (offer,) = await client.fake.wait_for("chat.postMessage", where=in_dm(SAM, "Chaperone needed"))
    accept = next(e for b in offer.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"].startswith("chaperone.accept"))
    await client.interaction(button_payload(SAM, "chaperone.accept", accept["value"]))
    (covered,) = await client.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "will be your chaperone"))
    assert link_buttons(covered.body)["Message Sam"] == dm_link(SAM)
    assert link_buttons(covered.body)["Add to calendar"].endswith(".ics")
    (accepted,) = await client.fake.wait_for("chat.postMessage", where=in_dm(SAM, "has been told it's you"))
    assert link_buttons(accepted.body)["Message Asha"] == dm_link(ASHA)
    # Pressing a link button opens the link; the card it was on stays as it was.
    before = len(client.fake.of("chat.update"))
    await client.interaction(button_payload(ASHA, "chaperone.message", ""))
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("chat.update")) == before
