"""Chaperone closure through Teams (each engine): a request nobody could take ends with the
requester told what happened and asked "Is this resolved for you?"; [No, I still need someone]
leads to a next step, and [Yes] is thanked."""

import json

from tests.teams_harness import action, card_of, texts, wait_for

UNFILLED = "Nobody could chaperone your session"


async def test_unfilled_request_asks_and_both_answers_work_in_teams(teams, clock):
    client, _ = teams
    sent = await client.say(None, value={"bb": "button", "action": "chaperone.now", "value": ""})
    assert "Getting a colleague to you" in texts(card_of(sent[-1]))
    clock.advance(hours=1)  # nobody accepted
    told = card_of(await wait_for(client, "asha", UNFILLED))
    assert "Is this resolved for you?" in texts(told)
    assert {a["title"] for a in told["actions"]} >= {"Yes", "No, I still need someone"}
    sent = await client.say(None, value=action(told, "No, I still need someone")["data"])
    shown = json.dumps([r.body for r in sent])
    assert "Let's find you someone" in shown and "Get a colleague with me now" in shown
    sent = await client.say(None, value=action(told, "Yes")["data"])
    assert "Thank you for letting me know" in json.dumps([r.body for r in sent])
