"""Referral end to end through Slack: the form is a modal, the manager approves from a DM,
the receiver accepts from theirs (the message updated in place), and the handoff note opens
only in a read-only modal."""

import json

import pytest

from tests.fake_slack import button_payload, submission_payload
from tests.slack_harness import slack_server

ASHA, MORGAN, LENA, SAM = "UASHA", "UMORGAN", "ULENA", "USAM"
NOTE = "Working on sleep; prefers mornings; knows the bus route to the clinic"


@pytest.fixture
async def slack(database_url, tmp_path, clock):
    async with slack_server(database_url, tmp_path, clock, {ASHA: "asha@demo.invalid", MORGAN: "morgan@demo.invalid",
                                 LENA: "lena@demo.invalid", SAM: "sam@demo.invalid"}) as client:
        yield client


def in_dm(user: str, needle: str):
    return lambda body: body.get("channel") == "D" + user and needle in json.dumps(body)


def button(call, label: str) -> tuple[str, str]:
    for block in call.body.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element["text"]["text"] == label:
                return element["action_id"].split("|")[0], element["value"]
    raise AssertionError(f"no button {label!r}")


async def test_refer_approve_accept_and_read_the_note_in_slack(slack):
    for user in (MORGAN, LENA, SAM):
        await slack.slash(user, "help", channel="D" + user)  # they have used the bot in Slack
    await slack.slash(ASHA, "refer", channel="D" + ASHA)
    (opened,) = await slack.fake.wait_for("views.open")
    modal = opened.body["view"]
    # The receiver is found by typing: Slack asks our options URL as Asha types.
    found = await slack.suggest(ASHA, modal, "receiver", "len")
    lena = next(o for o in found if o["text"]["text"].startswith("Dr Lena Ruiz"))
    answers = {"reason": "boundary", "urgency": "routine", "receiver": lena, "note": NOTE}
    status, body = await slack.interaction(submission_payload(ASHA, modal, answers))
    assert status == 200 and not body, body
    await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Referral started"))

    (approval,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(MORGAN, "needs your approval"))
    await slack.interaction(button_payload(MORGAN, *button(approval, "Approve")))

    (offer,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(LENA, "Would you take over a client?"))
    await slack.interaction(button_payload(LENA, *button(offer, "Read the handoff note")))
    note_modal = (await slack.fake.wait_for("views.open", count=2))[-1].body["view"]
    assert NOTE in json.dumps(note_modal) and "submit" not in note_modal

    await slack.interaction(button_payload(LENA, *button(offer, "Accept"), ts="1700000000.777777"))
    await slack.fake.wait_for("chat.update", where=in_dm(LENA, "you accepted it"))
    await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Dr Lena Ruiz accepted your referral"))

    await slack.interaction(button_payload(SAM, *button(offer, "Accept")))
    await slack.fake.wait_for("chat.update", where=in_dm(SAM, "can't find that referral"))
    messages = [c for c in slack.fake.calls if c.method in ("chat.postMessage", "chat.update")]
    assert all(NOTE not in json.dumps(c.body) for c in messages)
