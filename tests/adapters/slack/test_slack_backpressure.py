"""Slack's background work under load: bounded, with a clear "busy" beyond the bound and
nothing half-done; DM channel ids kept in the database."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from adapters.appkeys import BOT_KEY
from adapters.server import create_app
from adapters.slack import SLACK_KEY
from adapters.slack.work import BUSY
from tests.fake_slack import TEAM, button_payload
from tests.slack_harness import ASHA, fake, served, slack, slack_settings  # noqa: F401 (fixtures)


async def test_beyond_the_queue_a_command_is_answered_busy_and_nothing_is_done(database_url, tmp_path, clock, fake):
    app = create_app(slack_settings(database_url, tmp_path, fake, SLACK_WORKERS=1, SLACK_QUEUE_DEPTH=1), clock=clock)
    async with served(app, fake) as client:
        work = app[SLACK_KEY].work
        release = asyncio.Event()
        work.always(release.wait())  # the one worker is busy
        status, body = await client.slash(ASHA, "help")  # waits in the queue (depth 1)
        assert status == 200 and BUSY not in body
        status, body = await client.slash(ASHA, "report")
        assert status == 200 and BUSY in body
        assert "try again" in body  # the next step
        release.set()
        await app[SLACK_KEY].idle()
        assert len(fake.of("chat.postMessage")) == 1  # the help that waited; nothing of the refused one
        assert not fake.of("views.open")
        async with app[BOT_KEY].db.transaction() as tx:
            events = (await tx.session.execute(text("SELECT count(*) FROM inbound_events"))).scalar_one()
        assert events == 1
        status, body = await client.slash(ASHA, "report")  # room again
        assert BUSY not in body
        await fake.wait_for("views.open")


async def test_dm_channels_are_kept_in_the_database(slack):
    client, app = slack
    await client.slash(ASHA, "help")
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("conversations.open")) == 1
    async with app[BOT_KEY].db.transaction() as tx:
        stored = await tx.conversations.get("slack", TEAM, ASHA)
    assert stored == {"channel": "D" + ASHA}
    app[SLACK_KEY].deliverer._dm.clear()  # as after a restart, or on another instance
    await client.slash(ASHA, "help")
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("conversations.open")) == 1  # read from the database instead
    assert len(client.fake.of("chat.postMessage")) == 2


async def test_beyond_the_queue_a_press_is_told_busy_beside_it(database_url, tmp_path, clock, fake):
    app = create_app(slack_settings(database_url, tmp_path, fake, SLACK_WORKERS=1, SLACK_QUEUE_DEPTH=0), clock=clock)
    async with served(app, fake) as client:
        release = asyncio.Event()
        app[SLACK_KEY].work.always(release.wait())  # the one worker is busy, and nothing may wait
        payload = {**button_payload(ASHA, "status.show", ""), "response_url": f"{fake.url}/response/busy"}
        status, _ = await client.interaction(payload)
        assert status == 200
        hints = await fake.wait_for("response_url")
        assert [h.body["text"] for h in hints] == [BUSY]  # told at once, with the next step
        release.set()
        await app[SLACK_KEY].idle()
        assert not fake.of("chat.postMessage") and not fake.of("chat.update")  # nothing of it was done
