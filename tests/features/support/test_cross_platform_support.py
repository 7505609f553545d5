"""Peer support across Slack and Teams on one server: Asha asks from Slack, Jordan (Teams)
accepts from his card, Tom's Slack offer turns to "taken" in place, Asha is told in Slack,
sets a check-in, is asked two days later and stops it. Then the other way round: Lena asks
from Teams, Tom accepts in Slack, and Lena's check-in reaches her in Teams. Morgan, Asha's
manager, sees nothing of it on either platform."""

import json

import aiohttp
import pytest
from aiohttp import web

from adapters.server import create_app
from tests.conftest import free_port
from tests.fake_connector import FakeConnector
from tests.fake_slack import FakeSlack, SlackClient, button_payload, submission_payload
from tests.slack_harness import slack_settings
from tests.teams_harness import Client as TeamsClient
from tests.teams_harness import action, card_of, inputs, submit_data
from tests.teams_harness import wait_for as wait_for_teams

ASHA, TOM, MORGAN = "UASHA", "UTOM", "UMORGAN"


@pytest.fixture
async def platforms(database_url, tmp_path, clock):
    slack_api = await FakeSlack(users={ASHA: "asha@demo.invalid", TOM: "tom@demo.invalid",
                                       MORGAN: "morgan@demo.invalid"}).start()
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:jordan", "aad-jordan", "jordan@demo.invalid", "Jordan Lee")
    connector.add_member("29:lena", "aad-lena", "lena@demo.invalid", "Lena Ruiz")
    app = create_app(slack_settings(database_url, tmp_path, slack_api), clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as slack_http, aiohttp.ClientSession(base) as teams_http:
        yield SlackClient(base, slack_http, slack_api), TeamsClient(teams_http, connector)
    await runner.cleanup()
    await connector.stop()
    await slack_api.stop()


def to(user: str, needle: str):
    return lambda body: body.get("channel") == "D" + user and needle in json.dumps(body)


def button(call, action_id: str) -> dict:
    return next(e for b in call.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"].split("|")[0] == action_id)


async def test_ask_in_slack_accept_in_teams_check_in_and_stop(platforms, clock):
    slack, teams = platforms
    await teams.say("help", who="jordan")
    for user in (TOM, MORGAN):
        await slack.slash(user, "help", channel="D" + user)

    await slack.slash(ASHA, "support", channel="D" + ASHA)
    [opened] = await slack.fake.wait_for("views.open")
    assert "Talk to a peer supporter" in json.dumps(opened.body["view"])
    status, body = await slack.interaction(submission_payload(ASHA, opened.body["view"], {
        "how": "phone", "soon": "today", "phone": "07700 900123", "shared": "I keep replaying it"}))
    assert status == 200, body
    await slack.fake.wait_for("chat.postMessage", where=to(ASHA, "Peer support requested"))

    await slack.fake.wait_for("chat.postMessage", where=to(TOM, "A colleague would like peer support"))
    offer = card_of(await wait_for_teams(teams, "jordan", "A colleague would like peer support"))
    assert "Asha" not in json.dumps(offer)
    sent = await teams.say(None, who="jordan", value=action(offer, "Accept")["data"])
    assert "You're supporting Dr Asha Patel" in json.dumps([r.body for r in sent])
    assert "07700" not in json.dumps([r.body for r in sent])  # the number opens only in the private view

    covered = await slack.fake.wait_for("chat.update", where=to(TOM, "Another supporter has taken this one"))
    assert "support.accept" not in json.dumps(covered[0].body)
    told = (await slack.fake.wait_for("chat.postMessage", where=to(ASHA, "Jordan Lee will be in touch")))[0]

    check_in = button(told, "support.check_in")
    await slack.interaction(button_payload(ASHA, "support.check_in", check_in["value"], ts="1700000000.000100"))
    # Slack runs the handler after the acknowledgement: wait for the answer before time moves.
    await slack.fake.wait_for("chat.postMessage", where=to(ASHA, "ask how you're doing on Tue 6 Jan, 09:00"))
    clock.advance(days=1)
    asked = (await slack.fake.wait_for("chat.postMessage", where=to(ASHA, "How are you doing?")))[0]
    stop = button(asked, "support.stop")
    await slack.interaction(button_payload(ASHA, "support.stop", stop["value"], ts="1700000000.000200"))
    await slack.fake.wait_for("chat.update", where=to(ASHA, "stopped checking in"))  # the card, replaced

    everything_morgan_got = [c.body for c in slack.fake.calls if c.body.get("channel") == "D" + MORGAN]
    assert everything_morgan_got  # he has the bot (his help card)...
    assert "S-1" not in json.dumps(everything_morgan_got)  # ...and nothing of Asha's request
    assert "Asha" not in json.dumps(everything_morgan_got)


async def test_ask_in_teams_accept_in_slack_check_in_reaches_teams(platforms, clock):
    slack, teams = platforms
    await slack.slash(TOM, "help", channel="D" + TOM)
    sent = await teams.say("support", who="lena")
    form = card_of(sent[0])
    assert "Talk to a peer supporter" in json.dumps(form) and {"how", "soon", "shared"} <= set(inputs(form))
    card_id = [k for k in teams.fake.activities if k[0] == "a:chat-lena"][-1][1]
    sent = await teams.say(None, who="lena", reply_to=card_id,
                           value={**submit_data(form), "how": "chat", "soon": "few_days"})
    assert "Peer support requested" in json.dumps([r.body for r in sent])

    offer = (await slack.fake.wait_for("chat.postMessage", where=to(TOM, "A colleague would like peer support")))[0]
    accept = button(offer, "support.accept")
    await slack.interaction(button_payload(TOM, "support.accept", accept["value"], ts="1700000000.000300"))
    told = card_of(await wait_for_teams(teams, "lena", "Tom Brennan will be in touch"))
    sent = await teams.say(None, who="lena", value=action(told, "Check in with me: in two days")["data"])
    assert "I'll ask how you're doing on Wed 7 Jan" in json.dumps([r.body for r in sent])
    clock.advance(days=2)
    asked = card_of(await wait_for_teams(teams, "lena", "How are you doing?"))
    sent = await teams.say(None, who="lena", value=action(asked, "Stop checking in")["data"])
    assert "stopped checking in" in json.dumps([r.body for r in sent])
