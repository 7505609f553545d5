"""The Teams adapter end to end, on each engine: activities posted to /api/messages of the
real server, replies recorded by a fake Bot Connector on a free port (tests/teams_harness.py).
Proactive delivery is in test_teams_delivery.py, JWTs and tokens in test_teams_auth.py."""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY
from bot.machinery.storage.models import ConversationRef
from bot.port.delivery import Address
from bot.port.views import Notice
from tests.teams_harness import (
    APP_ID,
    BOT,
    NICKNAME,
    SECRET,
    TENANT,
    activity,
    card_of,
    count_reports,
    inputs,
    last_card_id,
    submit_data,
    texts,
)

# --- the report flow --------------------------------------------------------------------


async def test_report_flow_card_errors_in_place_then_the_script(teams, caplog):
    client, app = teams
    fake = client.fake
    caplog.set_level(logging.DEBUG)

    sent = await client.say("<at>Boundary Bot</at> report")
    assert [(r.method, r.path) for r in sent] == [("POST", "/v3/conversations/a:chat-asha/activities/" + sent[0].path.rsplit("/", 1)[1])]
    reply = sent[0].activity
    assert reply["type"] == "message" and reply["replyToId"].startswith("f:")
    assert reply["conversation"]["id"] == "a:chat-asha"
    assert reply["from"]["id"] == BOT["id"] and reply["recipient"]["id"] == "29:asha"
    form = card_of(sent[0])
    assert form["type"] == "AdaptiveCard" and form["version"] == "1.4"
    fields = inputs(form)
    # A handful of plain choices, all in view (issue 15: a short first step).
    assert fields["category"]["type"] == "Input.ChoiceSet" and fields["category"]["style"] == "expanded"
    assert fields["keep"]["style"] == "expanded"
    assert set(fields) == {"felt_unsafe", "category", "details", "condition", "keep"}  # a short first step
    assert fields["felt_unsafe"]["choices"] == [{"title": "Yes", "value": "yes"}, {"title": "No", "value": "no"}]
    assert fields["details"]["type"] == "Input.Text" and fields["details"]["isMultiline"] is True
    data = submit_data(form)
    assert data["bb"] == "form" and data["bb_form"] == "report" and form["actions"][0]["type"] == "Action.Submit"

    # The card's message id, as the connector gave it: Teams sends it back as replyToId.
    card_id = last_card_id(fake, "asha")

    # Half-filled: the card is updated in place with an error under each wrong field.
    value = {**data, "category": "THREAT", "details": SECRET}
    sent = await client.say(None, value=value, reply_to=card_id)
    assert [r.method for r in sent] == ["PUT"]
    assert sent[0].path == f"/v3/conversations/a:chat-asha/activities/{card_id}"
    updated = card_of(sent[0])
    assert sent[0].activity["id"] == card_id and sent[0].activity["type"] == "message"
    shown = texts(updated)
    assert "Please check the 1 highlighted answer" in shown
    kept = inputs(updated)
    assert kept["category"]["value"] == "THREAT"
    assert "value" not in kept["details"], "free text must not be posted back into the chat"
    assert "Please type it again" in shown
    assert await count_reports(app) == 0

    # Valid: the form's card closes (no answers in it) and the script arrives as a reply.
    value = {**data, "category": "THREAT", "setting": "home_visit", "occurrence": "first",
             "felt_unsafe": "no", "client_ref": NICKNAME, "details": SECRET, "factors": "affects_care"}
    sent = await client.say(None, value=value, reply_to=card_id)
    assert [r.method for r in sent] == ["PUT", "POST"]
    closed = texts(card_of(sent[0]))
    assert "Report privately" in closed and "Sent" in closed
    answer = card_of(sent[1])
    shown = texts(answer)
    assert "Your safety first" in shown and "Your report is saved privately." in shown
    assert sent[1].activity["replyToId"].startswith("f:")
    # The security number as a call link (Teams can dial), then the safety actions.
    assert answer["actions"][0] == {"type": "Action.OpenUrl", "title": "Call ext. 2222", "url": "tel:2222"}
    assert {a["type"] for a in answer["actions"][1:]} == {"Action.Submit"}
    assert await count_reports(app) == 1

    # Nothing anyone wrote went into a posted message or a log line.
    everything = json.dumps([r.body for r in fake.requests])
    assert SECRET not in json.dumps([r.body for r in fake.sent() if r.method == "PUT"][-1:])
    assert SECRET not in everything and NICKNAME not in everything
    assert SECRET not in caplog.text and NICKNAME not in caplog.text


async def test_a_button_reaches_the_core(teams):
    client, app = teams
    sent = await client.say("report", who="sam")
    data = submit_data(card_of(sent[0]))
    card_id = last_card_id(client.fake, "sam")
    sent = await client.say(None, who="sam", reply_to=card_id, value={
        **data, "category": "GIFT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"})
    buttons = {a["title"]: a for a in card_of(sent[-1])["actions"]}
    assert buttons["My reports"]["data"] == {"bb": "button", "action": "status.show", "value": ""}
    sent = await client.say(None, who="sam", value=buttons["My reports"]["data"])
    assert "You have 1 open report" in json.dumps([r.body for r in sent])

    # A card action that is not ours gets a polite answer, not an error.
    sent = await client.say(None, who="sam", value={"something": "else"})
    assert "no longer in use" in sent[-1].activity["text"]


async def test_verbs_help_and_status_and_a_person_outside_the_org(teams):
    client, _ = teams
    sent = await client.say("help")
    assert sent and "report" in json.dumps(sent[0].body).lower()
    sent = await client.say("status")
    assert "no open reports" in json.dumps(sent[0].body)
    # Eve's email is in no organisation file: she is told politely, and nothing is kept.
    sent = await client.say("report", who="eve")
    assert "don't recognise you" in sent[0].activity["text"]
    # A group chat or channel is refused: the bot works privately only.
    sent = await client.say("report", conversation_type="groupChat")
    assert "private chat" in sent[0].activity["text"]


async def test_the_member_email_is_looked_up_once_and_the_reference_saved_once(teams):
    client, app = teams
    await client.say("help")
    await client.say("status")
    gets = [r for r in client.fake.requests if r.method == "GET"]
    assert [r.path for r in gets] == ["/v3/conversations/a:chat-asha/members/29:asha"]
    async with app[BOT_KEY].db.transaction() as tx:
        ref = await tx.conversations.get("teams", TENANT, "aad-asha")
        rows = (await tx.session.scalars(select(ConversationRef))).all()
    assert ref["conversation_id"] == "a:chat-asha" and ref["service_url"] == client.fake.url
    assert ref["bot_id"] == BOT["id"] and ref["user_id"] == "29:asha"
    assert sorted(r.user_id for r in rows) == ["*", "aad-asha"]


async def test_installation_stores_a_reference_and_uninstalling_sends_nothing(teams):
    client, app = teams
    for kind in ("installationUpdate", "conversationUpdate"):
        extra = {"action": "add"} if kind == "installationUpdate" else {"membersAdded": [{"id": "29:morgan"}]}
        status, _ = await client.post(activity(client.fake, "morgan", kind=kind, **extra))
        assert status == 200
    async with app[BOT_KEY].db.transaction() as tx:
        assert (await tx.conversations.get("teams", TENANT, "aad-morgan"))["conversation_id"] == "a:chat-morgan"
    assert client.fake.sent() == [], "installation sends nothing"

    # Uninstalled (and reinstalled later): nothing is sent, the chat's reference stays, and
    # once the app is back messages reach the same chat.
    for action in ("remove", "remove-upgrade", "add-upgrade"):
        status, _ = await client.post(activity(client.fake, "morgan", kind="installationUpdate", action=action))
        assert status == 200
    status, _ = await client.post(activity(client.fake, "morgan", kind="conversationUpdate",
                                           membersRemoved=[{"id": BOT["id"]}]))
    assert status == 200 and client.fake.sent() == []
    await app[DELIVERERS_KEY]["teams"].send(Address("teams", TENANT, "aad-morgan"), Notice("Back"), "n-1")
    assert client.fake.sent()[-1].path == "/v3/conversations/a:chat-morgan/activities"


async def test_a_redelivered_activity_has_one_effect(teams):
    client, app = teams
    sent = await client.say("report")
    data = submit_data(card_of(sent[0]))
    body = activity(client.fake, value={**data, "category": "GIFT", "setting": "in_person",
                                       "occurrence": "first", "felt_unsafe": "no"})
    before = len(client.fake.sent())
    assert (await client.post(body))[0] == 200
    assert (await client.post(body))[0] == 200
    replies = client.fake.sent()[before:]
    assert len(replies) == 1 and "saved privately" in texts(card_of(replies[0]))
    assert await count_reports(app) == 1


# --- bad requests -------------------------------------------------------------------------


async def test_bad_requests_are_4xx_never_500(teams):
    client, _ = teams
    fake = client.fake
    assert (await client.post(None, raw=b"{not json"))[0] == 400
    assert (await client.post(None, raw=b"[1, 2]"))[0] == 400
    status, problem = await client.post({"type": "message", "text": "report"})
    assert status == 400 and "serviceUrl" in problem["error"] and "conversation.id" in problem["error"]
    status, _ = await client.post(activity(fake, text="report"), headers={"Content-Type": "text/plain"})
    assert status == 415
    status, _ = await client.post(None, raw=b"x" * 300_000)
    assert status == 413
    status, body = await client.post(activity(fake, kind="invoke", name="composeExtension/query", value={}))
    assert status == 400 and "does not handle" in body["message"]
    status, _ = await client.post(activity(fake, serviceUrl="file:///etc/passwd", text="help"))
    assert status == 400
    status, _ = await client.post(activity(fake, kind="somethingNew"))
    assert status == 200
    # Values JSON allows but no SDK model does: a lone surrogate, a channel id of separators.
    for broken in ({"channelId": ":"}, {"channelId": "\ud800"}, {"type": "\udfff"},
                   {"from": {"id": "29:asha\ud800"}}):
        status, problem = await client.post(None, raw=json.dumps(activity(fake, text="help", **broken)).encode())
        assert status == 400, broken
    # …and where they are not needed, they are left out rather than refused.
    status, _ = await client.post(activity(fake, text="help", locale="\ud800",
                                           channelData={"tenant": {"id": "\ud800"}}))
    assert status == 200
    assert [r.method for r in fake.sent()] == ["GET", "POST"]


async def test_a_connector_that_fails_is_retried_and_then_given_up_politely(teams):
    client, _ = teams
    await client.say("help")  # the member lookup is done and cached
    client.fake.fail(429, times=1, retry_after=0)
    client.fake.fail(500, times=1)
    sent = await client.say("help")
    assert [r.method for r in sent] == ["POST", "POST", "POST"]  # 429, 500, then delivered
    client.fake.fail(503, times=5)
    status, _ = await client.post(activity(client.fake, text="help"))
    assert status == 200  # logged; the Bot Connector is not asked to redeliver


# --- the app package -------------------------------------------------------------------------


def test_teams_package_has_the_manifest_commands_and_icons(tmp_path):
    import struct
    import zipfile

    from click.testing import CliRunner

    from adapters.cli import main

    out = tmp_path / "app.zip"
    result = CliRunner().invoke(main, ["teams-package", "--app-id", APP_ID, "--website",
                                       "https://boundary.example.org/", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        sizes = {name: struct.unpack(">II", archive.read(name)[16:24]) for name in ("color.png", "outline.png")}
        outline = archive.read("outline.png")
    assert sizes == {"color.png": (192, 192), "outline.png": (32, 32)}
    assert outline[25] == 6, "the outline icon has an alpha channel (transparent background)"
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal"]
    commands = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert commands == ["report", "script", "chaperone", "support", "volunteer", "refer", "escalate", "status",
                        "away", "help"]
    assert manifest["validDomains"] == ["boundary.example.org"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}

    bad = CliRunner().invoke(main, ["teams-package", "--app-id", "nope", "--website", "https://x.org/"])
    assert bad.exit_code == 1 and "GUID" in bad.output
