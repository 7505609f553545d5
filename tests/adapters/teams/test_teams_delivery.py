"""Proactive Teams messages on each engine: through a stored conversation reference, in a new
1:1 chat, updates in place, and how the connector's failures reach the outbox."""

from __future__ import annotations

import pytest

from adapters.appkeys import DELIVERERS_KEY
from bot.port.delivery import Address, MessageRef, RetryLater, Undeliverable
from bot.port.views import Button, Card, Notice
from tests.teams_harness import BOT, TENANT, card_of, texts


async def test_proactive_message_through_a_stored_reference_and_update(teams):
    client, app = teams
    await client.say("help", who="morgan")
    deliverer = app[DELIVERERS_KEY]["teams"]
    assert deliverer.platform == "teams"
    card = Card("Escalation E-1", ("Asha reported something at step 4.",), buttons=(Button("Acknowledge", "esc.ack", "1"),))
    before = len(client.fake.sent())
    ref = await deliverer.send(Address("teams", TENANT, "aad-morgan"), card, "n-1")
    sent = client.fake.sent()[before:]
    assert [(r.method, r.path) for r in sent] == [("POST", "/v3/conversations/a:chat-morgan/activities")]
    assert "replyToId" not in sent[0].activity and sent[0].activity["type"] == "message"
    assert ref == MessageRef("teams", {"service_url": client.fake.url, "conversation_id": "a:chat-morgan",
                                       "activity_id": ref.data["activity_id"]})
    assert ref.data["activity_id"]

    again = await deliverer.update(ref, Card("Escalation E-1", ("Acknowledged by Morgan.",)), "n-2")
    assert again == ref
    put = client.fake.sent()[-1]
    assert put.method == "PUT" and put.path == f"/v3/conversations/a:chat-morgan/activities/{ref.data['activity_id']}"
    assert put.activity["id"] == ref.data["activity_id"] and "Acknowledged" in texts(card_of(put))


async def test_proactive_message_to_someone_never_talked_to(teams):
    client, app = teams
    deliverer = app[DELIVERERS_KEY]["teams"]
    # Nobody in the tenant has used the bot: there is no service URL to use.
    with pytest.raises(Undeliverable, match="never been used"):
        await deliverer.send(Address("teams", TENANT, "aad-sam"), Notice("hello"), "n-0")

    await client.say("help")  # Asha uses the bot: the tenant's service URL is now known
    ref = await deliverer.send(Address("teams", TENANT, "aad-sam"), Notice("A chaperone request"), "n-1")
    create, send = client.fake.sent()[-2:]
    assert (create.method, create.path) == ("POST", "/v3/conversations")
    assert create.body == {"bot": {"id": BOT["id"]}, "members": [{"id": "aad-sam"}], "isGroup": False,
                           "tenantId": TENANT, "channelData": {"tenant": {"id": TENANT}}}
    assert send.path == f"/v3/conversations/{ref.data['conversation_id']}/activities"
    assert send.activity["text"] == "A chaperone request"
    # The new conversation is remembered: the next message needs no new chat.
    await deliverer.send(Address("teams", TENANT, "aad-sam"), Notice("Reminder"), "n-2")
    assert client.fake.sent()[-1].path == send.path

    # Someone who has not installed the app cannot be reached: a clear, permanent failure.
    client.fake.add_member("29:kim", "aad-kim", "kim@demo.invalid", "Kim", installed=False)
    with pytest.raises(Undeliverable, match="not installed"):
        await deliverer.send(Address("teams", TENANT, "aad-kim"), Notice("hello"), "n-3")


async def test_delivery_failures_map_to_retry_or_undeliverable(teams):
    client, app = teams
    await client.say("help", who="morgan")
    deliverer = app[DELIVERERS_KEY]["teams"]
    to = Address("teams", TENANT, "aad-morgan")
    client.fake.fail(429, retry_after=7)
    with pytest.raises(RetryLater) as caught:
        await deliverer.send(to, Notice("x"), "k")
    assert caught.value.after == 7
    client.fake.fail(502)
    with pytest.raises(RetryLater):
        await deliverer.send(to, Notice("x"), "k")
    for status in (400, 403, 404):
        client.fake.fail(status)
        with pytest.raises(Undeliverable):
            await deliverer.send(to, Notice("x"), "k")
    before = len(client.fake.sent())
    client.fake.fail(500)
    with pytest.raises(RetryLater):
        await deliverer.send(to, Notice("x"), "k")
    assert len(client.fake.sent()) == before + 1, "the deliverer does not retry on its own"


