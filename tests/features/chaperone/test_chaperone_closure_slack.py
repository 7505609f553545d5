"""Chaperone closure through Slack: a request nobody could take ends with the requester told
what happened and asked "Is this resolved for you?"; [No, I still need someone] leads to a next
step."""

import json

from tests.fake_slack import button_payload
from tests.slack_harness import ASHA, fake, slack  # noqa: F401 (fixtures)

UNFILLED = "Nobody could chaperone your session"


def in_dm(user: str, needle: str):
    return lambda body: body.get("channel") == "D" + user and needle in json.dumps(body)


def slack_button(call, label: str) -> tuple[str, str]:
    for block in call.body.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("text", {}).get("text") == label:
                return element["action_id"].split("|")[0], element["value"]
    raise AssertionError(f"no button {label!r}")


async def test_unfilled_request_asks_and_no_leads_on_in_slack(slack, clock):  # noqa: F811
    client, _ = slack
    await client.slash(ASHA, "help", channel="D" + ASHA)
    await client.interaction(button_payload(ASHA, "chaperone.now", ""))
    await client.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Getting a colleague to you"))
    clock.advance(hours=1)  # nobody accepted
    (told,) = await client.fake.wait_for("chat.postMessage", where=in_dm(ASHA, UNFILLED))
    shown = json.dumps(told.body)
    assert "Is this resolved for you?" in shown and "call security" in shown  # it was urgent
    await client.interaction(button_payload(ASHA, *slack_button(told, "No, I still need someone"),
                                            ts="1700000000.111111"))
    (next_step,) = await client.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Let's find you someone"))
    assert "Get a colleague with me now" in json.dumps(next_step.body)
    assert "Ask for another time" in json.dumps(next_step.body)

