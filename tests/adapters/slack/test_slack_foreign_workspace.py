"""Through the real server and slack_sdk: a request from a Slack workspace the organisation
does not list is refused whoever it names, even correctly signed (the app installed there too,
or a leaked signing secret). The manager is linked by email on first use, so before they ever
write, only the workspace check stands between their email and another workspace: neither
their own user id there nor another account with their email opens an escalation's
narrative, starts anything or gets linked. The manager, from the listed workspace, is the
control (the same press shows them the narrative); after that a second account in our own
workspace claiming their email is refused too.
(tests/features/test_authorisation_table.py has the same people against every button.)"""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from adapters.appkeys import BOT_KEY
from bot.machinery.storage.models import AuditEntry, Report
from bot.machinery.storage.models import Identity as LinkedIdentity
from bot.port.events import FormSubmitted, Identity
from tests.console_harness import apply_org
from tests.fake_slack import TEAM, FakeSlack, button_payload
from tests.slack_harness import slack  # noqa: F401 (fixture)

FOREIGN = "T0OTHER"
ROSA, MORGAN, MORGAN2, MALLORY = "UROSA", "UMORGAN", "UMORGAN2", "UMALLORY"
MANAGER_EMAIL = "morgan@clinic.invalid"
NARRATIVE = "he followed me to the bus stop after the session"
ORG = f"""
organisation: {{name: Test Clinic, timezone: Europe/London, slack_workspaces: [{TEAM}]}}
people:
  - {{key: rosa, name: Rosa Reporter, email: rosa@clinic.invalid,
     identities: [{{platform: slack, workspace: {TEAM}, user: {ROSA}}}]}}
  - {{key: morgan, name: Morgan Manager, email: {MANAGER_EMAIL}}}
teams:
  - {{key: ward, name: Ward, managers: [morgan], members: [rosa]}}
"""
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": NARRATIVE}


@pytest.fixture
async def fake():
    # Everyone Slack would say has the manager's email, confirmed: only the workspace differs.
    fake = await FakeSlack(users={ROSA: "rosa@clinic.invalid", MORGAN: MANAGER_EMAIL, MORGAN2: MANAGER_EMAIL,
                                  MALLORY: MANAGER_EMAIL}, teams={MALLORY: FOREIGN}).start()
    yield fake
    await fake.stop()


async def escalated(app) -> str:
    """The organisation applied and Rosa's report escalated to Morgan: the escalation's id."""
    await apply_org(app, ORG)
    await app[BOT_KEY].handle(FormSubmitted(Identity("slack", TEAM, ROSA), "report", UNSAFE))
    async with app[BOT_KEY].db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Report)) == 1
    return "1"


async def refusals(fake: FakeSlack, since: int, count: int) -> list:
    """The calls made since ``since``, once ``count`` of them say "I don't recognise you"."""
    for _ in range(100):
        new = fake.calls[since:]
        if sum("recognise you" in json.dumps(c.body).replace("&#39;", "'") for c in new) >= count:
            return new
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} refusals, got {[(c.method, c.body) for c in fake.calls[since:]]}")


async def traces(app) -> tuple[int, list[tuple[str, str]]]:
    """Narratives opened (audited), and every account linked to a person."""
    async with app[BOT_KEY].db.transaction() as tx:
        viewed = await tx.session.scalar(select(func.count()).select_from(AuditEntry)
                                         .where(AuditEntry.action == "report.viewed"))
        linked = (await tx.session.execute(select(LinkedIdentity.workspace, LinkedIdentity.user_id)
                                           .where(LinkedIdentity.platform == "slack"))).all()
    return viewed, sorted(tuple(row) for row in linked)


async def refused(client, sender, user: str, escalation: str, app, after) -> None:
    before = len(client.fake.calls)
    status, body = await sender.interaction(button_payload(user, "escalation.view", escalation, team=sender.team))
    assert status == 200, (user, body)
    status, body = await sender.slash(user, "status")
    assert status == 200 and NARRATIVE not in body, (user, body)
    new = await refusals(client.fake, before, 2)  # the press (its card updated) and the command
    assert NARRATIVE not in json.dumps([c.body for c in new]), user
    assert "views.open" not in [c.method for c in new], user
    assert await traces(app) == after, user  # nothing opened, nobody linked


async def test_another_workspace_and_a_second_account_are_refused_the_manager_is_not(slack):  # noqa: F811
    client, app = slack
    escalation = await escalated(app)
    ours = await traces(app)
    assert ours == (0, [(TEAM, ROSA)])  # the manager has not written yet: linked by email when they do
    foreign = client.as_team(FOREIGN)
    await refused(client, foreign, MORGAN, escalation, app, ours)  # their own user id, in another workspace
    await refused(client, foreign, MALLORY, escalation, app, ours)  # someone there with their email
    # The control: the same press from the listed workspace links the manager and opens the
    # narrative, audited.
    status, _ = await client.interaction(button_payload(MORGAN, "escalation.view", escalation))
    assert status == 200
    (dialog,) = await client.fake.wait_for("views.open")
    assert NARRATIVE in json.dumps(dialog.body)
    ours = await traces(app)
    assert ours == (1, [(TEAM, MORGAN), (TEAM, ROSA)])
    # A second account in our workspace with their email: refused, and until an admin decides
    # which account is theirs, neither speaks for them (bot/machinery/storage/identities.py).
    await refused(client, client, MORGAN2, escalation, app, (1, [(TEAM, ROSA)]))
