"""Through the real server and slack_sdk: an email Slack has not confirmed as the account's
own never links the account to a person (tests/features/test_authorisation_table.py has the
other workspaces and the second accounts)."""

from __future__ import annotations

from sqlalchemy import text

from adapters.appkeys import BOT_KEY
from tests.slack_harness import ASHA, SAM, fake, slack, texts  # noqa: F401 (fixtures)


async def test_an_unconfirmed_email_links_nobody_and_a_confirmed_one_does(slack):
    client, app = slack
    client.fake.unconfirmed.add(SAM)  # sam@demo.invalid is in the organisation, but Slack has not confirmed it
    await client.slash(SAM, "report")
    (dm,) = await client.fake.wait_for("chat.postMessage", where=lambda b: b["channel"] == "D" + SAM)
    assert "I don't recognise you" in texts(dm)
    await client.slash(ASHA, "report")
    await client.fake.wait_for("views.open")
    async with app[BOT_KEY].db.transaction() as tx:
        linked = (await tx.session.execute(text(
            "select user_id, linked_by from identities where platform='slack'"))).all()
        audited = (await tx.session.execute(text(
            "select count(*) from audit_log where action='identity.linked'"))).scalar()
    assert [tuple(row) for row in linked] == [(ASHA, "email")] and audited == 1
