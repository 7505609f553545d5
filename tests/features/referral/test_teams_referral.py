"""Referral end to end through Teams (on each engine): the referrer's form is an Adaptive Card, the manager
approves from a card, the receiver accepts from the card, which is updated in place; the
handoff note opens only in a task-module dialog."""

import json

from tests.teams_harness import (
    action,
    activity,
    card_of,
    last_card_id,
    submit_data,
    texts,
    wait_for,
)

NOTE = "Working on sleep; prefers mornings; knows the bus route to the clinic"


async def test_refer_approve_and_accept_from_teams_cards(teams):
    client, app = teams
    client.fake.add_member("29:lena", "aad-lena", "lena@demo.invalid", "Lena Ruiz")
    for who in ("morgan", "lena", "sam"):
        await client.say("help", who=who)  # they have the app: the bot can write to them

    sent = await client.say("refer")
    form = card_of(sent[0])
    assert "Refer a client to a colleague" in texts(form)
    # The receiver is found by typing: Teams asks the bot as Asha types (dynamic typeahead).
    receivers = {c["title"].split(" · ")[0]: c["value"] for c in await client.search(form, "receiver", "lena")}
    card_id = last_card_id(client.fake, "asha")
    sent = await client.say(None, reply_to=card_id, value={
        **submit_data(form), "reason": "boundary", "urgency": "routine",
        "receiver": receivers["Dr Lena Ruiz"], "note": NOTE})
    started = texts(card_of(sent[-1]))
    assert "Referral started" in started and "gone to Morgan Reyes for approval" in started

    approval = card_of(await wait_for(client, "morgan", "A referral needs your approval"))
    await client.say(None, who="morgan", value=action(approval, "Approve")["data"])

    offer_request = await wait_for(client, "lena", "Would you take over a client?")
    offer = card_of(offer_request)
    [offer_id] = [aid for (conversation, aid), body in client.fake.activities.items()
                  if conversation == "a:chat-lena" and "Would you take over a client?" in json.dumps(body)]
    assert {a["title"] for a in offer["actions"]} == {"Accept", "Decline…", "Read the handoff note", "Ask a question…"}

    # The note opens in a task module, for the receiver only.
    note = action(offer, "Read the handoff note")
    assert note["data"]["msteams"] == {"type": "task/fetch"}
    status, body = await client.post(activity(client.fake, "lena", kind="invoke", name="task/fetch",
                                              value={"data": note["data"]}))
    assert status == 200 and NOTE in texts(body["task"]["value"]["card"]["content"])
    status, body = await client.post(activity(client.fake, "sam", kind="invoke", name="task/fetch",
                                              value={"data": note["data"]}))
    assert status == 200 and NOTE not in json.dumps(body) and "can't find that referral" in json.dumps(body)

    # Accept from the card: the card is updated in place, the referrer told.
    sent = await client.say(None, who="lena", value=action(offer, "Accept")["data"])
    assert "You accepted the referral" in json.dumps([r.body for r in sent])
    update = await wait_for(client, "lena", "you accepted it", method="PUT")
    assert update.path == f"/v3/conversations/a:chat-lena/activities/{offer_id}"
    assert "Accept" not in {a["title"] for a in card_of(update)["actions"]}
    told = card_of(await wait_for(client, "asha", "Dr Lena Ruiz accepted your referral"))
    assert "Close the referral" in {a["title"] for a in told["actions"]}

    # Replaying the accept as someone else does nothing.
    sent = await client.say(None, who="sam", value=action(offer, "Accept")["data"])
    assert "can't find that referral" in json.dumps([r.body for r in sent])
    assert NOTE not in json.dumps([r.body for r in client.fake.requests])


async def test_a_declined_referral_asks_is_this_resolved_and_no_tells_the_managers(teams):
    client, app = teams
    client.fake.add_member("29:lena", "aad-lena", "lena@demo.invalid", "Lena Ruiz")
    for who in ("morgan", "lena"):
        await client.say("help", who=who)
    sent = await client.say("refer")
    form = card_of(sent[0])
    receivers = {c["title"].split(" · ")[0]: c["value"] for c in await client.search(form, "receiver", "lena")}
    await client.say(None, reply_to=last_card_id(client.fake, "asha"), value={
        **submit_data(form), "reason": "boundary", "urgency": "routine", "receiver": receivers["Dr Lena Ruiz"],
        "note": NOTE})
    approval = card_of(await wait_for(client, "morgan", "needs your approval"))
    await client.say(None, who="morgan", value=action(approval, "Approve")["data"])
    offer = card_of(await wait_for(client, "lena", "Would you take over a client?"))
    sent = await client.say(None, who="lena", value=action(offer, "Decline…")["data"])
    decline = next(card_of(s) for s in sent if s.activity.get("attachments") and "Why can" in json.dumps(s.body))
    await client.say(None, who="lena", reply_to=last_card_id(client.fake, "lena"),
                     value={**submit_data(decline), "reason": "No capacity until spring"})

    declined = card_of(await wait_for(client, "asha", "Is this resolved for you?"))
    assert "No, reopen tells Morgan Reyes" in texts(declined)
    assert {"Choose someone else", "Yes", "No, reopen"} <= {a["title"] for a in declined["actions"]}
    sent = await client.say(None, value=action(declined, "No, reopen")["data"])
    assert "Your managers will help" in json.dumps([r.body for r in sent])
    await wait_for(client, "morgan", "a referral the referrer says is not resolved")
