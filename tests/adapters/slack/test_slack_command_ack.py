"""A slash command's acknowledgement waits for the core (up to adapters.slack.adapter's
DECISION_WAIT) and says where the answer is going; a command the core has finished needs no
pending row, and one acknowledged before that is recorded first (adapters/slack/pending.py)."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select, text

from adapters.appkeys import BOT_KEY
from adapters.slack import SLACK_KEY
from adapters.slack.adapter import ANSWER_IN_DM, DECISION_WAIT, DM_FAILED, NOT_TAKEN, SENT_TO_DM
from bot.machinery.storage.models import PendingPress
from tests.fake_slack import button_payload
from tests.slack_harness import ASHA, fake, slack  # noqa: F401 (fixtures)


async def pending_rows(app) -> int:
    async with app[BOT_KEY].db.transaction() as tx:
        return await tx.session.scalar(select(func.count()).select_from(PendingPress))


async def test_a_command_done_before_its_ack_leaves_no_pending_row(slack):
    client, app = slack
    status, body = await client.slash(ASHA, "help")
    assert status == 200 and json.loads(body) == {"text": ANSWER_IN_DM}
    assert await pending_rows(app) == 0  # the core's turn, committed before the ack, is the record
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("chat.postMessage")) == 1
    assert not client.fake.of("response_url")


async def test_a_slow_command_is_recorded_before_its_ack_and_says_where_its_answer_went_later(slack):
    client, app = slack
    client.fake.delays["users.info"] = DECISION_WAIT + 1.0  # the core cannot start in time
    began = time.monotonic()
    status, body = await client.slash(ASHA, "help")
    assert status == 200 and body == ""
    assert DECISION_WAIT <= time.monotonic() - began < 3.0  # well inside Slack's three seconds
    assert await pending_rows(app) == 1  # a restart now would still carry it out
    await app[SLACK_KEY].idle()
    assert len(client.fake.of("chat.postMessage")) == 1
    hints = await client.fake.wait_for("response_url")
    assert [h.body["text"] for h in hints] == [SENT_TO_DM]
    for _ in range(40):  # forgotten once carried out (deleted in a batch a moment later)
        if await pending_rows(app) == 0:
            break
        await app[SLACK_KEY].pending.flush()
    assert await pending_rows(app) == 0


async def test_a_dm_that_fails_after_the_ack_promised_it_is_owned_up_to(slack):
    client, app = slack
    client.fake.error_for("chat.postMessage", "channel_not_found")
    status, body = await client.slash(ASHA, "help")
    assert json.loads(body) == {"text": ANSWER_IN_DM}
    await app[SLACK_KEY].idle()
    hints = await client.fake.wait_for("response_url")
    assert [h.body["text"] for h in hints] == [DM_FAILED]
    assert "try the command again" in DM_FAILED  # the next step


async def test_a_command_that_opens_a_form_is_acknowledged_with_nothing_to_read(slack):
    client, app = slack
    status, body = await client.slash(ASHA, "chaperone")
    assert status == 200 and body == ""  # the modal is the answer
    await client.fake.wait_for("views.open")
    await app[SLACK_KEY].idle()
    assert not client.fake.of("response_url")


async def test_a_press_that_cannot_be_recorded_is_answered_and_nothing_is_done(slack):
    client, app = slack
    db = app[BOT_KEY].db
    async with db.transaction() as tx:  # the database refuses the record (a real failure, not a stub)
        await tx.session.execute(text("ALTER TABLE pending_presses RENAME TO pending_presses_away"))
    try:
        payload = {**button_payload(ASHA, "status.show", ""), "response_url": f"{client.fake.url}/response/p"}
        status, _ = await client.interaction(payload)
        assert status == 200  # Slack is answered at once all the same
        hints = await client.fake.wait_for("response_url")
        assert [h.body["text"] for h in hints] == [NOT_TAKEN]
        assert "nothing was done" in NOT_TAKEN and "try again" in NOT_TAKEN  # what happened, and the next step
        await app[SLACK_KEY].idle()
        assert not client.fake.of("chat.postMessage") and not client.fake.of("chat.update")
    finally:
        async with db.transaction() as tx:
            await tx.session.execute(text("ALTER TABLE pending_presses_away RENAME TO pending_presses"))
