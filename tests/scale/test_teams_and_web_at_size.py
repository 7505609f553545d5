"""Every verb in Teams and the web chat with 20,000 people: no card over Teams' size limit
(the fake connector refuses it, as Teams does), typeahead finds people by typing in Teams, and
the web chat's search box does the same."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from adapters.teams import cards
from bot.features import registry
from tests.big_org import big_database_url, big_template, name_of  # noqa: F401  (fixtures)
from tests.teams_harness import Client, card_of, inputs, serve
from tests.web_harness import post, visible

WHO = "big00421"  # a doctor in a team with a manager (Teams knows them as aad-big00421)


@pytest.fixture
async def big_teams(big_database_url, tmp_path, clock, fake, teams_engine):
    runner, base, app = await serve(big_database_url, tmp_path, clock, fake, teams_engine)
    async with aiohttp.ClientSession(base) as http:
        yield Client(http, fake), base
    await runner.cleanup()


async def test_every_verb_fits_in_teams_and_the_receiver_is_found_by_typing(big_teams):
    client, _ = big_teams
    for verb in registry().verbs:
        sent = await client.say(verb.name, who=WHO)
        assert sent, verb.name
        assert not client.fake.refused, verb.name
        for request in sent:
            if request.activity.get("attachments"):
                assert cards.size_of(card_of(request)) <= cards.CARD_MAX_BYTES, verb.name
    form = card_of((await client.say("refer", who=WHO))[0])
    receiver = inputs(form)["receiver"]
    assert receiver["choices.data"] == {"type": "Data.Query", "dataset": "referral.receiver"}
    assert receiver["choices"] == []
    target = name_of(1231)
    for _ in range(40):  # right after start-up the index may still be building: type again
        if found := await client.search(form, "receiver", target.lower()[:-1], who=WHO):
            break
        await asyncio.sleep(0.5)
    assert found[0]["title"].startswith(target)
    assert len(await client.search(form, "receiver", "a", who=WHO)) == 15  # Teams shows 15 at most


async def test_the_web_chat_finds_people_and_sites_by_typing(big_teams):
    _, base = big_teams
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        await post(browser, "/chat/as", {"person": "asha"})
        page = await post(browser, "/chat/say", {"text": "refer"})
        assert page.count('name="receiver"') == 0  # nothing listed until something is typed
        entry = page.rsplit('name="_entry" value="', 1)[1].split('"', 1)[0]
        target = name_of(1231)
        page = await post(browser, "/chat/find", {"_form": "referral", "_entry": entry, "_find": "receiver",
                                                  "receiver__q": target.lower()})
        assert target in visible(page) and page.count('name="receiver"') <= 20
        async with browser.get("/chat/search", params={"picker": "chaperone.site", "q": "enfield clinic"}) as r:
            found = (await r.json())["options"]
        assert found and found[0]["label"].startswith("Enfield Community Clinic")
