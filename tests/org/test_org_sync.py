"""`boundary-bot org sync`: people from Slack's users.list (through slack_sdk against the fake
Slack) and Microsoft Graph's users (over aiohttp against a fake Graph), matched by confirmed
email, shown as a dry-run diff, applied with an audit entry; leavers deactivated."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from adapters import directory_sources as sources
from bot.features import registry
from bot.machinery.crypto import generate_key
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import AuditEntry, Identity, Person
from bot.org import orgfile, sync
from tests.cli_harness import run
from tests.fake_graph import CLIENT_ID, CLIENT_SECRET, TENANT, FakeGraph
from tests.fake_slack import BOT_TOKEN, TEAM, FakeSlack

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London}
people:
  - {key: asha, name: Asha Patel, email: asha@trust.example, profession: doctor, admin: true}
  - {key: sam, name: Sam Okafor, email: sam@trust.example, volunteer: true}
teams:
  - {key: ward, name: Ward, managers: [asha], members: [sam]}
"""


def slack_member(user: str, name: str, email: str | None, *, confirmed=True, deleted=False, bot=False) -> dict:
    return {"id": user, "team_id": TEAM, "name": name.lower(), "deleted": deleted, "is_bot": bot,
            "is_email_confirmed": confirmed, "profile": {"real_name": name, **({"email": email} if email else {})}}


SLACK_DIRECTORY = [
    slack_member("UASHA", "Asha Patel", "Asha@Trust.example"),
    slack_member("UROBIN", "Robin New", "robin@trust.example"),
    slack_member("UPAT", "Pat Unconfirmed", "pat@trust.example", confirmed=False),
    slack_member("UBOT1", "Some Bot", None, bot=True),
    slack_member("UGONE", "Gone Person", "gone@trust.example", deleted=True),
]
GRAPH_USERS = [
    {"id": "oid-asha", "displayName": "Dr Asha Patel", "mail": "asha@trust.example", "accountEnabled": True},
    {"id": "oid-kim", "displayName": "Kim Graph", "mail": "kim@trust.example", "accountEnabled": True},
    {"id": "oid-sam", "displayName": "Sam Okafor", "mail": "sam@trust.example", "accountEnabled": False},
    {"id": "oid-guest", "displayName": "A Guest", "mail": "guest@else.example", "userType": "Guest"},
]


async def test_sources_page_through_slack_and_graph():
    slack = await FakeSlack(directory=SLACK_DIRECTORY).start()
    graph = await FakeGraph(users=GRAPH_USERS, throttle_next=1).start()
    slack.fail_next(1, 429, retry_after=1, method="users.list")  # rate limited once: waits, goes on
    try:
        listed = await sources.slack_people(BOT_TOKEN, slack.api_url, page_size=2)
        assert len(slack.of("users.list")) == 4  # 5 members, 2 a page, one call refused
        token = await sources.graph_token(TENANT, CLIENT_ID, CLIENT_SECRET, graph.url)
        listed += await sources.graph_people(token, TENANT, graph.url + "/v1.0")
        assert graph.pages_served == 2  # after one throttled request
    finally:
        await slack.stop()
        await graph.stop()
    emails = {(e.source, e.email) for e in listed}
    assert ("slack", "asha@trust.example") in emails and ("slack", None) in emails  # Pat: not confirmed
    assert not any(e.display_name == "Some Bot" or e.display_name == "A Guest" for e in listed)
    assert next(e for e in listed if e.account_id == "oid-sam").active is False


async def test_plan_apply_and_a_second_run_changes_nothing(db, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    slack = await FakeSlack(directory=SLACK_DIRECTORY).start()
    try:
        listed = await sources.slack_people(BOT_TOKEN, slack.api_url, page_size=2)
    finally:
        await slack.stop()
    async with db.transaction() as tx:
        planned = await sync.plan(tx, listed, ("slack",))
        text = "\n".join(planned.lines())
        assert "+ create Robin New <robin@trust.example>" in text
        assert "skipped 1 account(s) without a confirmed email" in text
        assert "Pat" not in text and "Gone" not in text
        await sync.apply(tx, registry(), planned, clock.now())
    async with db.transaction() as tx:
        people = {p.key: p for p in (await tx.session.scalars(select(Person))).all()}
        robin = next(p for p in people.values() if p.email == "robin@trust.example")
        assert robin.source == "directory" and robin.active
        assert people["asha"].is_admin and people["asha"].directory_active is True  # the file's role stays
        linked = {(i.platform, i.user_id) for i in (await tx.session.scalars(select(Identity))).all()}
        assert {("slack", "UASHA"), ("slack", "UROBIN")} <= linked
        assert "directory.synced" in (await tx.session.scalars(select(AuditEntry.action))).all()
        again = await sync.plan(tx, listed, ("slack",))
        assert not again.changed
        # Robin leaves Slack: the next sync deactivates them; the file's people are untouched.
        gone = [e for e in listed if e.email != "robin@trust.example"]
        leaving = await sync.plan(tx, gone, ("slack",))
        assert [p.key for p in leaving.deactivate] == [robin.key]
        await sync.apply(tx, registry(), leaving, clock.now())
        assert robin.active is False and people["sam"].active


async def test_org_sync_on_the_command_line_dry_run_then_apply(tmp_path, database_url):
    db = Database(database_url)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    await db.dispose()
    slack = await FakeSlack(directory=SLACK_DIRECTORY).start()
    graph = await FakeGraph(users=GRAPH_USERS).start()
    env = dict(DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY=generate_key(), SLACK_BOT_TOKEN=BOT_TOKEN,
               SLACK_API_URL=slack.api_url, MicrosoftAppId=CLIENT_ID, MicrosoftAppPassword=CLIENT_SECRET,
               MicrosoftAppTenantId=TENANT, BOUNDARY_TEAMS_LOGIN_URL=graph.url,
               BOUNDARY_GRAPH_URL=graph.url + "/v1.0")
    try:
        dry = await asyncio.to_thread(run, ["org", "sync", "--dry-run"], tmp_path, **env)
        assert dry.returncode == 0, dry.stderr
        assert "would change (dry run" in dry.stdout and "+ create Kim Graph <kim@trust.example>" in dry.stdout
        # Sam's only account (Graph) is disabled: he leaves; Asha (file) is adopted, not duplicated.
        assert "- deactivate sam (Sam Okafor): gone or disabled in slack/graph" in dry.stdout
        assert "<asha@trust.example>" not in dry.stdout and "update asha" in dry.stdout
        done = await asyncio.to_thread(run, ["org", "sync"], tmp_path, **env)
        assert done.returncode == 0, done.stderr
        again = await asyncio.to_thread(run, ["org", "sync", "--dry-run"], tmp_path, **env)
        assert "no changes" in again.stdout, again.stdout
    finally:
        await slack.stop()
        await graph.stop()
    db = Database(database_url)
    async with db.transaction() as tx:
        people = {p.email: p for p in (await tx.session.scalars(select(Person))).all()}
    await db.dispose()
    assert {"kim@trust.example", "robin@trust.example"} <= set(people)
    assert people["sam@trust.example"].active is False and people["asha@trust.example"].active
    assert people["asha@trust.example"].display_name == "Asha Patel"  # Slack's name (first source) wins
