"""Someone who left writes to the bot in Slack: a polite "no longer active", nothing started."""

from __future__ import annotations

from adapters.appkeys import BOT_KEY
from bot.org import directory
from tests.slack_harness import ASHA, fake, slack, texts  # noqa: F401  (fixtures)


async def test_a_leaver_is_told_their_account_is_no_longer_active(slack):  # noqa: F811
    client, app = slack
    await client.slash(ASHA, "status")  # first use: linked to Asha by her Slack email
    await client.fake.wait_for("chat.postMessage", where=lambda b: b["channel"] == "D" + ASHA)
    bot = app[BOT_KEY]
    async with bot.db.transaction() as tx:
        await directory.leave(tx, bot.features, await tx.people.by_key("asha"), bot.clock.now())
    client.fake.calls.clear()
    await client.slash(ASHA, "report")
    (dm,) = await client.fake.wait_for("chat.postMessage", where=lambda b: b["channel"] == "D" + ASHA)
    assert "no longer active here" in texts(dm) and "admin" in texts(dm)
    assert not client.fake.of("views.open")  # no form opens for someone who left
