"""Through the real server, on both Teams engines, with a valid Bot Connector token: an
activity from a Teams tenant the organisation does not list is refused whoever it names. The
manager is linked by email on first use, so before they ever write only the tenant check
stands between their email and another tenant: neither their own Azure AD id there nor
another account with their email opens an escalation's narrative, starts anything or gets
linked. The manager, from the listed tenant, is the control: the same press shows them the
narrative. (tests/adapters/slack/test_slack_foreign_workspace.py is the same for Slack.)"""

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
from tests.fake_connector import FakeConnector
from tests.teams_harness import TENANT, activity, token

FOREIGN = "tenant-2"
MANAGER_EMAIL = "morgan@clinic.invalid"
NARRATIVE = "he followed me to the bus stop after the session"
ORG = f"""
organisation: {{name: Test Clinic, timezone: Europe/London, teams_tenants: [{TENANT}]}}
people:
  - {{key: rosa, name: Rosa Reporter, email: rosa@clinic.invalid,
     identities: [{{platform: teams, workspace: {TENANT}, user: aad-rosa}}]}}
  - {{key: morgan, name: Morgan Manager, email: {MANAGER_EMAIL}}}
teams:
  - {{key: ward, name: Ward, managers: [morgan], members: [rosa]}}
"""
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": NARRATIVE}


@pytest.fixture
async def fake():
    # The connector confirms the manager's email for both accounts: only the tenant differs.
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:rosa", "aad-rosa", "rosa@clinic.invalid", "Rosa Reporter")
    connector.add_member("29:morgan", "aad-morgan", MANAGER_EMAIL, "Morgan Manager")
    connector.add_member("29:mallory", "aad-mallory", MANAGER_EMAIL, "Mallory Elsewhere", tenant=FOREIGN)
    yield connector
    await connector.stop()


async def traces(app) -> tuple[int, list[tuple[str, str]]]:
    """Narratives opened (audited), and every Teams account linked to a person."""
    async with app[BOT_KEY].db.transaction() as tx:
        viewed = await tx.session.scalar(select(func.count()).select_from(AuditEntry)
                                         .where(AuditEntry.action == "report.viewed"))
        linked = (await tx.session.execute(select(LinkedIdentity.workspace, LinkedIdentity.user_id)
                                           .where(LinkedIdentity.platform == "teams"))).all()
    return viewed, sorted(tuple(row) for row in linked)


async def send(client, key, who: str, tenant: str, **kw) -> str:
    """Post an activity from ``who`` in ``tenant``, signed by the Bot Connector; what the bot
    sent back to the connector for it."""
    before = len(client.fake.requests)
    body = activity(client.fake, who, conversation={"conversationType": "personal", "tenantId": tenant,
                                                    "id": f"a:chat-{who}"},
                    channelData={"tenant": {"id": tenant}}, **kw)
    status, answer = await client.post(body, headers={"Authorization": f"Bearer {token(key, service_url=client.fake.url)}"})
    assert status == 200, (who, tenant, answer)
    for _ in range(40 if answer is None else 0):  # a message's replies go through the connector
        if [r for r in client.fake.requests[before:] if r.path.startswith("/v3/") and r.method != "GET"]:
            break
        await asyncio.sleep(0.05)
    return json.dumps([answer, *(r.body for r in client.fake.requests[before:])])


async def test_another_tenant_is_refused_with_the_managers_id_or_email(secured):
    client, app, key = secured
    await apply_org(app, ORG)
    await app[BOT_KEY].handle(FormSubmitted(Identity("teams", TENANT, "aad-rosa"), "report", UNSAFE))
    async with app[BOT_KEY].db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Report)) == 1
    ours = await traces(app)
    assert ours == (0, [(TENANT, "aad-rosa")])  # the manager has not written yet
    # [View details] opens a dialog: Teams asks for it with a task/fetch invoke
    view = {"kind": "invoke", "name": "task/fetch", "value": {"data": {
        "bb": "button", "action": "escalation.view", "value": "1", "msteams": {"type": "task/fetch"}}}}
    for who in ("morgan", "mallory"):  # their own id in another tenant; someone there with their email
        for kw in (view, {"text": "status"}):
            said = await send(client, key, who, FOREIGN, **kw)
            assert NARRATIVE not in said and "recognise you" in said.replace("\\u2019", "'"), (who, kw, said)
            assert await traces(app) == ours, (who, kw)  # nothing opened, nobody linked
    # The control: the same press from the listed tenant links the manager by email and
    # shows the narrative, audited.
    said = await send(client, key, "morgan", TENANT, **view)
    assert NARRATIVE in said
    assert await traces(app) == (1, [(TENANT, "aad-morgan"), (TENANT, "aad-rosa")])
