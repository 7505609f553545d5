"""Escalation end to end through Teams (on each engine): a clinician's unsafe report reaches the manager's
Teams chat as a card, climbs a level, stops when acknowledged from the card, and the
narrative opens only in a task-module dialog."""

import asyncio
import json

from tests.teams_harness import (
    SECRET,
    action,
    activity,
    card_of,
    last_card_id,
    submit_data,
    texts,
    wait_for,
)


async def test_unsafe_report_reaches_the_manager_climbs_and_stops(teams, clock):
    client, app = teams
    client.fake.add_member("29:chris", "aad-chris", "chris@demo.invalid", "Chris Osei")
    for who in ("morgan", "chris"):
        await client.say("help", who=who)  # they have the app: the bot can write to them

    sent = await client.say("report")
    data = submit_data(card_of(sent[0]))
    card_id = last_card_id(client.fake, "asha")
    sent = await client.say(None, reply_to=card_id, value={
        **data, "category": "THREAT", "setting": "home_visit", "occurrence": "first",
        "felt_unsafe": "yes", "details": SECRET})
    assert "I have alerted Morgan Reyes now" in texts(card_of(sent[-1]))

    notice = await wait_for(client, "morgan", "Escalation:")
    morgan_card = card_of(notice)
    [notice_id] = [aid for (conversation, aid), body in client.fake.activities.items()
                   if conversation == "a:chat-morgan" and "Escalation:" in json.dumps(body)]

    assert "Dr Asha Patel" in texts(morgan_card) and "Waiting for a manager" in texts(morgan_card)
    assert {a["title"] for a in morgan_card["actions"]} == {"Acknowledge", "Resolve…", "View details"}

    clock.advance(minutes=15)
    await wait_for(client, "chris", "Escalation:")
    await wait_for(client, "asha", "has been told about your escalation")

    # The clinical lead acknowledges from the card: every copy updates in place.
    chris_card = card_of(await wait_for(client, "chris", "Escalation:"))
    await client.say(None, who="chris", value=action(chris_card, "Acknowledge")["data"])
    update = await wait_for(client, "morgan", "Acknowledged at", method="PUT")
    assert update.path == f"/v3/conversations/a:chat-morgan/activities/{notice_id}"
    assert "Acknowledge" not in {a["title"] for a in card_of(update)["actions"]}
    await wait_for(client, "asha", "has acknowledged your escalation of R")

    clock.advance(hours=1)
    await asyncio.sleep(0.6)  # a few scheduler ticks: nothing more climbs
    assert sum("Escalation:" in json.dumps(r.body) for r in client.fake.requests
               if r.method == "POST" and "a:chat-chris" in r.path) == 1

    # View details opens a task module; the words never go through the connector.
    view = action(morgan_card, "View details")
    assert view["data"]["msteams"] == {"type": "task/fetch"}
    status, body = await client.post(activity(client.fake, "morgan", kind="invoke", name="task/fetch",
                                              value={"data": view["data"]}))
    assert status == 200 and body["task"]["type"] == "continue"
    dialog = body["task"]["value"]["card"]["content"]
    assert SECRET in texts(dialog) and "never posted in chat" in texts(dialog)
    assert SECRET not in json.dumps([r.body for r in client.fake.requests])

    # Someone outside the team's policy gets nothing, even replaying the button.
    status, body = await client.post(activity(client.fake, "sam", kind="invoke", name="task/fetch",
                                              value={"data": view["data"]}))
    assert status == 200 and SECRET not in json.dumps(body) and "can't find that escalation" in json.dumps(body)


async def test_closure_reaches_the_reporter_in_teams(teams):
    client, _ = teams
    await client.say("help", who="morgan")
    sent = await client.say("report")
    data = submit_data(card_of(sent[0]))
    card_id = last_card_id(client.fake, "asha")
    await client.say(None, reply_to=card_id, value={**data, "category": "THREAT", "felt_unsafe": "yes"})
    morgan_card = card_of(await wait_for(client, "morgan", "Escalation:"))
    sent = await client.say(None, who="morgan", value=action(morgan_card, "Resolve…")["data"])
    form = card_of(sent[-1])
    shared = "Visits to this client are now always in pairs."
    form_id = last_card_id(client.fake, "morgan")
    await client.say(None, who="morgan", reply_to=form_id, value={
        **submit_data(form), "note": "Agreed pairs with the team.", "for_reporter": shared})
    closed = card_of(await wait_for(client, "asha", "Your escalation is resolved"))
    assert "Is this resolved for you?" in texts(closed) and shared not in json.dumps(closed)
    what = action(closed, "What was done")
    assert what["data"]["msteams"] == {"type": "task/fetch"}  # opens a dialog
    status, body = await client.post(activity(client.fake, "asha", kind="invoke", name="task/fetch",
                                              value={"data": what["data"]}))
    assert status == 200 and shared in texts(body["task"]["value"]["card"]["content"])
    sent = await client.say(None, value=action(closed, "Yes")["data"])
    assert "Thank you for letting me know" in json.dumps([s.body for s in sent])
