"""A requester in Slack, volunteers in Slack and in Teams, one server: the request reaches
both platforms, the Teams volunteer accepts from the card, the Slack volunteer's message
turns to "covered" in place, and the requester is told in Slack. Teams runs on each engine."""

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
from tests.teams_harness import card_of, point_at_fakes
from tests.teams_harness import wait_for as wait_for_teams

ASHA, SAM = "UASHA", "USAM"


@pytest.fixture
async def platforms(database_url, tmp_path, clock, teams_engine):
    slack_api = await FakeSlack(users={ASHA: "asha@demo.invalid", SAM: "sam@demo.invalid"}).start()
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:priya", "aad-priya", "priya@demo.invalid", "Priya Nair")
    connector.add_member("29:morgan", "aad-morgan", "morgan@demo.invalid", "Morgan Reyes")
    app = create_app(slack_settings(database_url, tmp_path, slack_api, BOUNDARY_TEAMS_ENGINE=teams_engine), clock=clock)
    point_at_fakes(app, connector)
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


async def request(slack, **changes) -> None:
    before = len(slack.fake.of("views.open"))
    await slack.slash(ASHA, "chaperone", channel="D" + ASHA)
    opened = (await slack.fake.wait_for("views.open", count=before + 1))[-1]
    answers = {"date": "2026-01-05", "start": "14:00", "minutes": "30", "setting": "in_person",
               "site": "Main building", "room": "Room 2", "urgent": "no", **changes}
    status, body = await slack.interaction(submission_payload(ASHA, opened.body["view"], answers))
    assert status == 200, body


async def test_slack_requester_teams_volunteer_slack_volunteer(platforms, clock):
    slack, teams = platforms
    await teams.say("help", who="priya")  # Priya uses the bot in Teams
    await teams.say("help", who="morgan")  # and so does Morgan, the manager
    await slack.slash(SAM, "help", channel="D" + SAM)  # Sam in Slack
    await slack.fake.wait_for("chat.postMessage")

    await request(slack)

    await slack.fake.wait_for(
        "chat.postMessage", where=lambda b: b.get("channel") == "D" + SAM and "Chaperone needed" in json.dumps(b))
    priya_offer = card_of(await wait_for_teams(teams, "priya", "Chaperone needed"))
    accept = next(a for a in priya_offer["actions"] if a["title"] == "Accept")
    await teams.say(None, who="priya", value=accept["data"])

    # Sam's offer, edited in place in his DM: covered, no buttons left.
    covered = await slack.fake.wait_for(
        "chat.update", where=lambda b: b.get("channel") == "D" + SAM and "Covered by a colleague" in json.dumps(b))
    assert "chaperone.accept" not in json.dumps(covered[0].body)
    await slack.fake.wait_for(
        "chat.postMessage", where=lambda b: b.get("channel") == "D" + ASHA and "Priya Nair will be your chaperone" in json.dumps(b))

    # Reminders, fifteen minutes before, on each person's own platform.
    clock.advance(hours=4, minutes=45)
    await slack.fake.wait_for("chat.postMessage", where=lambda b: b.get("channel") == "D" + ASHA
                              and "Soon: your chaperoned session" in json.dumps(b))
    await wait_for_teams(teams, "priya", "Soon: your chaperoned session")

    # A request Asha cancels: the Slack and the Teams volunteer are both told in place.
    await request(slack, start="16:00")
    await wait_for_teams(teams, "priya", "16:00")
    await slack.interaction(button_payload(ASHA, "chaperone.cancel", "2", ts="1700000000.999999"))
    await slack.fake.wait_for("chat.update", where=lambda b: b.get("channel") == "D" + SAM
                              and "Cancelled" in json.dumps(b) and "16:00" in json.dumps(b))
    await wait_for_teams(teams, "priya", "Cancelled", method="PUT")

    # An evening request nobody can take reaches Morgan in Teams as an escalation.
    await request(slack, start="20:00")
    clock.advance(hours=5, minutes=46)
    notice = card_of(await wait_for_teams(teams, "morgan", "an unfilled chaperone request"))
    assert {a["title"] for a in notice["actions"]} == {"Acknowledge", "Resolve…"}
