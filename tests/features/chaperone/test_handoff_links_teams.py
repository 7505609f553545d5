"""Hand-offs that connect in Teams (fake Bot Connector, each engine): the safety card's
[Get a colleague with me now] reaches a volunteer; when they accept, both get [Message …] (the
Teams 1:1 chat deep link) and [Add to calendar] (an .ics the server serves, signed for that
person, with no note, link or client detail in it)."""

from urllib.parse import urlsplit

from tests.teams_harness import action, card_of, fake, teams, texts, wait_for  # noqa: F401 (fixtures)


async def test_a_colleague_now_then_message_and_calendar_in_teams(teams):  # noqa: F811
    client, _ = teams
    await client.say("help", who="sam")  # Sam has the app: the bot can write to him
    sent = await client.say(None, value={"bb": "button", "action": "chaperone.now", "value": ""})
    assert "Getting a colleague to you" in texts(card_of(sent[-1]))
    offer = card_of(await wait_for(client, "sam", "Chaperone needed"))
    sent = await client.say(None, who="sam", value=action(offer, "Accept")["data"])
    accepted = card_of(sent[-1])
    assert "has been told it's you" in texts(accepted)
    links = {a["title"]: a["url"] for a in accepted["actions"] if a["type"] == "Action.OpenUrl"}
    assert links["Message Asha"] == "https://teams.microsoft.com/l/chat/0/0?users=asha%40demo.invalid"
    covered = card_of(await wait_for(client, "asha", "will be your chaperone"))
    theirs = {a["title"]: a["url"] for a in covered["actions"] if a["type"] == "Action.OpenUrl"}
    assert theirs["Message Sam"] == "https://teams.microsoft.com/l/chat/0/0?users=sam%40demo.invalid"

    for url, other in ((links["Add to calendar"], "Chaperoning for Dr Asha Patel"),
                       (theirs["Add to calendar"], "Chaperone session with Sam Okafor")):
        async with client.http.get(urlsplit(url).path) as response:
            assert response.status == 200 and response.content_type == "text/calendar"
            body = await response.text()
        assert "BEGIN:VEVENT" in body and f"SUMMARY:{other}" in body and "DTSTART:" in body
    # Someone else's address, or a forged one, is simply not there.
    path = urlsplit(links["Add to calendar"]).path
    forged = path.rsplit("/", 1)[0] + "/" + "0" * 32 + ".ics"
    async with client.http.get(forged) as response:
        assert response.status == 404
