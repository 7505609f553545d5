"""A tenant switches engines: the same database, one setting, a restart. What the first engine
stored (conversation references, new 1:1 chats, messages to update, a form card waiting for
its answers) works on the second, in both directions."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import select

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY
from bot.machinery.storage.models import ConversationRef
from bot.port.delivery import Address
from bot.port.views import Card, Notice
from tests.teams_harness import TENANT, Client, card_of, last_card_id, serve, submit_data, texts


async def stored_references(app) -> dict[str, dict]:
    async with app[BOT_KEY].db.transaction() as tx:
        rows = (await tx.session.scalars(select(ConversationRef).where(ConversationRef.platform == "teams"))).all()
        return {row.user_id: dict(row.data) for row in rows}


@pytest.mark.parametrize("first, second", [("botbuilder", "agents"), ("agents", "botbuilder")])
async def test_switching_engines_keeps_every_stored_reference_working(database_url, tmp_path, clock, fake,
                                                                      first, second):
    # --- on the first engine: people talk to the bot; a new chat is opened; a form waits.
    runner, base, app = await serve(database_url, tmp_path, clock, fake, first)
    async with aiohttp.ClientSession(base) as http:
        client = Client(http, fake)
        await client.say("help", who="morgan")
        form = card_of((await client.say("report", who="asha"))[0])
        form_id = last_card_id(fake, "asha")
        deliverer = app[DELIVERERS_KEY]["teams"]
        await deliverer.send(Address("teams", TENANT, "aad-sam"), Notice("Welcome, Sam"), "n-1")
        to_update = await deliverer.send(Address("teams", TENANT, "aad-morgan"), Card("Escalation:", ("Waiting.",)), "n-2")
        before = await stored_references(app)
    await runner.cleanup()
    assert set(before) == {"*", "aad-morgan", "aad-asha", "aad-sam"}
    created = [r for r in fake.sent("POST") if r.path == "/v3/conversations"]
    assert len(created) == 1

    # --- restarted on the second engine, same database.
    runner, base, app = await serve(database_url, tmp_path, clock, fake, second)
    async with aiohttp.ClientSession(base) as http:
        client = Client(http, fake)
        deliverer = app[DELIVERERS_KEY]["teams"]
        mark = len(fake.requests)
        # A stored reference from a turn, and one from a chat the first engine opened.
        await deliverer.send(Address("teams", TENANT, "aad-morgan"), Notice("A reminder for Morgan"), "n-3")
        await deliverer.send(Address("teams", TENANT, "aad-sam"), Notice("A reminder for Sam"), "n-4")
        sent = fake.requests[mark:]
        assert [(r.method, r.path) for r in sent] == [
            ("POST", "/v3/conversations/a:chat-morgan/activities"),
            ("POST", f"/v3/conversations/{before['aad-sam']['conversation_id']}/activities"),
        ], "no new chat is opened for someone the first engine already reached"
        # A message the first engine sent is updated in place by the second.
        again = await deliverer.update(to_update, Card("Escalation:", ("Acknowledged by Morgan.",)), "n-5")
        assert again == to_update and fake.requests[-1].method == "PUT"
        assert fake.requests[-1].path == f"/v3/conversations/a:chat-morgan/activities/{to_update.data['activity_id']}"
        # The form the first engine posted is answered on the second: closed in place, then the script.
        answers = {**submit_data(form), "category": "GIFT", "setting": "in_person", "occurrence": "first",
                   "felt_unsafe": "no"}
        replies = await client.say(None, who="asha", value=answers, reply_to=form_id)
        assert [r.method for r in replies] == ["PUT", "POST"]
        assert replies[0].path == f"/v3/conversations/a:chat-asha/activities/{form_id}"
        assert "saved privately" in texts(card_of(replies[1]))
        await client.say("status", who="morgan")
        after = await stored_references(app)
    await runner.cleanup()
    assert after == before, "the second engine stores references exactly as the first did"
