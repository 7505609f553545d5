"""Referral closure through Slack (real slack_sdk, fake Slack): the receiver closes from their
DM with a note for the referrer in a modal; the referrer's DM says it is complete, the note
opens only in a read-only modal, and [No, reopen] reopens it."""

import json

from tests.fake_slack import button_payload, submission_payload
from tests.features.referral.test_slack_referral import (  # noqa: F401
    ASHA,
    LENA,
    MORGAN,
    NOTE,
    SAM,
    button,
    in_dm,
    slack,
)

TOLD = "First session booked for Thursday; they were glad of the handover"


async def test_close_with_a_note_then_the_referrer_reads_it_and_reopens(slack):
    for user in (MORGAN, LENA, SAM):
        await slack.slash(user, "help", channel="D" + user)
    await slack.slash(ASHA, "refer", channel="D" + ASHA)
    (opened,) = await slack.fake.wait_for("views.open")
    modal = opened.body["view"]
    lena = next(o for o in await slack.suggest(ASHA, modal, "receiver", "len") if o["text"]["text"].startswith("Dr Lena"))
    answers = {"reason": "boundary", "urgency": "routine", "receiver": lena, "note": NOTE}
    await slack.interaction(submission_payload(ASHA, modal, answers))
    (approval,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(MORGAN, "needs your approval"))
    await slack.interaction(button_payload(MORGAN, *button(approval, "Approve")))
    (offer,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(LENA, "Would you take over a client?"))
    await slack.interaction(button_payload(LENA, *button(offer, "Accept"), ts="1700000000.777777"))
    (checklist,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(LENA, "Close the referral"))

    await slack.interaction(button_payload(LENA, *button(checklist, "Close the referral")))
    close_modal = (await slack.fake.wait_for("views.open", count=2))[-1].body["view"]
    assert "What to tell the referrer (optional)" in json.dumps(close_modal)
    status, body = await slack.interaction(submission_payload(LENA, close_modal, {"for_referrer": TOLD}))
    assert status == 200 and not body, body

    (complete,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Your referral is complete"))
    text = json.dumps(complete.body)
    assert "Is this resolved for you?" in text and TOLD not in text
    await slack.interaction(button_payload(ASHA, *button(complete, "What was done")))
    note_modal = (await slack.fake.wait_for("views.open", count=3))[-1].body["view"]
    assert TOLD in json.dumps(note_modal) and "submit" not in note_modal

    await slack.interaction(button_payload(SAM, *button(complete, "No, reopen")))
    await slack.fake.wait_for("chat.update", where=in_dm(SAM, "can't find that referral"))
    await slack.interaction(button_payload(ASHA, *button(complete, "No, reopen"), ts="1700000000.888888"))
    await slack.fake.wait_for("chat.postMessage", where=in_dm(LENA, "is not resolved for them"))
    messages = [c for c in slack.fake.calls if c.method in ("chat.postMessage", "chat.update")]
    assert all(TOLD not in json.dumps(c.body) and NOTE not in json.dumps(c.body) for c in messages)


async def test_a_returned_referral_asks_is_this_resolved_and_no_tells_the_managers(slack):
    await slack.slash(MORGAN, "help", channel="D" + MORGAN)
    await slack.slash(ASHA, "refer", channel="D" + ASHA)
    (opened,) = await slack.fake.wait_for("views.open")
    modal = opened.body["view"]
    lena = next(o for o in await slack.suggest(ASHA, modal, "receiver", "len") if o["text"]["text"].startswith("Dr Lena"))
    await slack.interaction(submission_payload(ASHA, modal, {"reason": "boundary", "urgency": "routine",
                                                             "receiver": lena, "note": NOTE}))
    (approval,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(MORGAN, "needs your approval"))
    await slack.interaction(button_payload(MORGAN, *button(approval, "Return…")))
    return_modal = (await slack.fake.wait_for("views.open", count=2))[-1].body["view"]
    status, body = await slack.interaction(submission_payload(MORGAN, return_modal, {"reason": "Talk to me first"}))
    assert status == 200 and not body, body

    (returned,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Is this resolved for you?"))
    assert "No, reopen tells Morgan Reyes" in json.dumps(returned.body)
    await slack.interaction(button_payload(ASHA, *button(returned, "No, reopen"), ts="1700000000.999999"))
    (helped,) = await slack.fake.wait_for("chat.postMessage", where=in_dm(ASHA, "Your managers will help"))
    assert "Start again" in json.dumps(helped.body)
    await slack.fake.wait_for("chat.postMessage", where=in_dm(MORGAN, "a referral the referrer says is not resolved"))
