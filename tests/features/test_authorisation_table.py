"""Authorisation as a table: every button, form and verb in tests/features/authorisation_cases.py
pressed by every role, each cell's answer written there. A refused press must change nothing
(no audit entry, no notification) and show nothing sensitive; an allowed one gets a fresh
subject so that cells do not disturb each other. Runs on SQLite and PostgreSQL (it uses the
database, so it is a storage test)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from adapters.appkeys import BOT_KEY
from bot.app import UNKNOWN_PERSON
from bot.features.chaperone.storage import ChaperoneRequest
from bot.features.escalation.storage import Escalation
from bot.features.referral.storage import Referral
from bot.features.volunteer.storage import VolunteerProfile
from bot.machinery.outbox import DeliveryWorker
from bot.machinery.ratelimit import Rate, TokenBuckets
from bot.machinery.storage.models import AuditEntry, Notification, Person, Report
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Dialog, Notice
from tests.console_harness import Browser, apply_org, console_server, force_session
from tests.fake_deliverer import ScriptedPlatform
from tests.features.authorisation_cases import (
    CASES,
    CONSOLE_CASES,
    CONSOLE_ROLES,
    REFUSED_IDENTITIES,
    ROLES,
)
from tests.world import World, text_of

pytestmark = pytest.mark.storage

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London, sites: [North], slack_workspaces: [T1],
               teams_tenants: [tenant-1]}
people:
  - {key: rosa, name: Rosa Reporter, email: rosa@clinic.invalid, profession: nurse,
     identities: [{platform: slack, workspace: T1, user: UROSA}]}
  - {key: carl, name: Carl Clinician, email: carl@clinic.invalid, profession: doctor,
     identities: [{platform: slack, workspace: T1, user: UCARL}]}
  - {key: vera, name: Vera Volunteer, email: vera@clinic.invalid, volunteer: true,
     identities: [{platform: slack, workspace: T1, user: UVERA}]}
  - {key: vic, name: Vic Volunteer, email: vic@clinic.invalid, volunteer: true,
     identities: [{platform: slack, workspace: T1, user: UVIC}]}
  - {key: morgan, name: Morgan Manager, email: morgan@clinic.invalid,
     identities: [{platform: slack, workspace: T1, user: UMORGAN}, {platform: teams, workspace: tenant-1, user: aad-morgan}]}
  - {key: olga, name: Olga Other, email: olga@clinic.invalid, identities: [{platform: slack, workspace: T1, user: UOLGA}]}
  - {key: alex, name: Alex Admin, email: alex@clinic.invalid, admin: true,
     identities: [{platform: slack, workspace: T1, user: UALEX}]}
  - {key: audrey, name: Audrey Auditor, email: audrey@clinic.invalid, auditor: true,
     identities: [{platform: slack, workspace: T1, user: UAUDREY}]}
  - {key: ray, name: Ray Removed, email: ray@clinic.invalid, identities: [{platform: slack, workspace: T1, user: URAY}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa, carl, vera, vic, ray]
    escalation: {levels: [{who: managers, wait: 15m}], remind_every: 4h}
  - {key: other, name: Other Team, managers: [olga], members: [olga]}
"""
MANAGER_EMAIL = "morgan@clinic.invalid"
WHO = dict(zip(ROLES, (
    Identity("slack", "T1", "UROSA"), Identity("slack", "T1", "UCARL"), Identity("slack", "T1", "UVERA"),
    Identity("slack", "T1", "UVIC"), Identity("slack", "T1", "UMORGAN"), Identity("slack", "T1", "UOLGA"),
    Identity("slack", "T1", "UALEX"), Identity("slack", "T1", "UAUDREY"), Identity("slack", "T1", "URAY"),
    Identity("slack", "T1", "UNOBODY"),
    Identity("slack", "T2", "UMORGAN", MANAGER_EMAIL),
    Identity("slack", "T2", "UOTHER", MANAGER_EMAIL),
    Identity("slack", "T1", "UMORGAN2", MANAGER_EMAIL),
    Identity("teams", "tenant-2", "aad-morgan", MANAGER_EMAIL),
), strict=True))
NARRATIVE = "he waited by my car after the session"
NOTE, LINK = "side door by the pharmacy", "https://meet.example.org/join/abc"
HANDOFF = "prefers afternoon sessions and a calm room"
SECRETS = (NARRATIVE, NOTE, LINK, HANDOFF)
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": NARRATIVE}
PLAIN = {"category": "CONTACT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no",
         "factors": ["unwanted"], "details": NARRATIVE}
TELEHEALTH = {"start": "14:00", "minutes": "30", "setting": "telehealth",
              "join_link": LINK, "note": NOTE, "urgent": "no"}
CLOSED = ("already", "no longer", "nothing to", "withdrawn", "cancelled", "deleted", "isn't waiting", "is not waiting")


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
        vera = await tx.people.by_key("vera")
        await tx.session.execute(update(VolunteerProfile).where(VolunteerProfile.person_id == vera.id)
                                 .values(active=False))  # so she is never asked
        await tx.session.execute(update(Person).where(Person.key == "ray").values(active=False))
    world = World(db, sealer, library, clock)
    world.platform = ScriptedPlatform("slack")
    world.worker = DeliveryWorker(db, {"slack": world.platform}, clock)
    # The table presses far faster than a person: it is not what the rate limit is for.
    world.bot.actions = world.bot.submissions = TokenBuckets(clock, Rate(capacity=10**6, per_second=10**6))
    return world


async def newest(world, table) -> int:
    async with world.db.transaction() as tx:
        return await tx.session.scalar(select(func.max(table.id)))


async def press(world, role: str, action: str, value: str) -> list:
    who = WHO[role]
    if action.startswith("verb:"):
        return await world.bot.handle(Command(who, action.removeprefix("verb:")))
    if action.startswith("form:"):
        return await world.bot.handle(FormSubmitted(who, action.removeprefix("form:"), {"note": "talked it over"},
                                                    state=value))
    action, _, suffix = action.partition(":")
    return await world.bot.handle(ButtonPressed(who, action, f"{value}:{suffix}" if suffix else value))


async def build(world, state: str) -> str:
    """A fresh subject in ``state``; the value its buttons carry."""
    kind, _, stage = state.partition(" ")
    if kind == "nothing":
        return ""
    if kind == "report":
        await world.bot.handle(FormSubmitted(WHO["own"], "report", PLAIN))
        report = str(await newest(world, Report))
        if stage != "filed":
            await press(world, "own", {"withdrawn": "report.withdraw", "deleted": "report.delete"}[stage], report)
        return report
    if kind == "referral":
        async with world.db.transaction() as tx:
            carl = await tx.people.by_key("carl")
        await world.bot.handle(FormSubmitted(WHO["own"], "referral", {
            "reason": "boundary", "urgency": "routine", "receiver": f"person:{carl.id}", "note": HANDOFF}))
        referral = str(await newest(world, Referral))
        if stage in ("accepted", "withdrawn"):
            await press(world, "cli" if stage == "accepted" else "own",
                        "referral.accept" if stage == "accepted" else "referral.withdraw_yes", referral)
        return referral
    if kind == "escalation":
        await world.bot.handle(FormSubmitted(WHO["own"], "report", UNSAFE))
        escalation, report = str(await newest(world, Escalation)), str(await newest(world, Report))
        if stage in ("acknowledged", "resolved"):
            await press(world, "mgr", "escalation.ack", escalation)
        if stage == "resolved":
            await press(world, "mgr", "form:escalation.resolve", escalation)
        if stage == "report withdrawn":
            await press(world, "own", "report.withdraw", report)
        if stage == "report deleted":
            await press(world, "own", "report.delete", report)
        return escalation
    # a day of its own, so that the volunteer is never busy with an earlier one
    world.builds = getattr(world, "builds", 0) + 1
    day = (world.clock.now().date() + timedelta(days=1 + world.builds)).isoformat()
    await world.bot.handle(FormSubmitted(WHO["own"], "chaperone", {**TELEHEALTH, "date": day}))
    request = str(await newest(world, ChaperoneRequest))
    if stage in ("covered", "cancelled"):
        await press(world, "vas", "chaperone.accept", request)
    if stage == "cancelled":
        await press(world, "own", "chaperone.cancel", request)
    return request


def answer(views: list, changed: bool) -> str:
    text = " ".join(text_of(v) if not isinstance(v, Dialog) else " ".join((v.title, *v.paragraphs))
                    for v in views)
    if views == [UNKNOWN_PERSON]:
        return "U"
    if any(isinstance(v, Dialog) for v in views) and any(secret in text for secret in SECRETS):
        return "S"
    if changed or len(views) != 1 or not isinstance(views[0], Notice):
        return "Y"
    if "can't find" in text:
        return "N"
    if any(word in text.lower() for word in CLOSED):
        return "X"
    return "Y"


async def footprint(world) -> tuple[int, int]:
    async with world.db.transaction() as tx:
        # (a second account claiming the manager's email is audited as held: that is the point)
        return (await tx.session.scalar(select(func.count()).select_from(AuditEntry)
                                        .where(AuditEntry.action.not_like("identity.%"))),
                await tx.session.scalar(select(func.count()).select_from(Notification)))


@pytest.mark.parametrize(("name", "state", "action", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_every_role(world, name, state, action, expected):
    wanted = dict(zip(ROLES, (expected + " " + REFUSED_IDENTITIES).split(), strict=True))
    got: dict[str, str] = {}
    shared = await build(world, state)
    before = await footprint(world)
    for role in [r for r in ROLES if wanted[r] in "NUX"]:  # refusals share one subject: none may touch it
        views = await press(world, role, action, shared)
        got[role] = answer(views, changed=False)
        assert not any(secret in repr(views) for secret in SECRETS), (name, role)
    assert await footprint(world) == before or not any(wanted[r] in "NUX" for r in ROLES), name
    for role in [r for r in ROLES if wanted[r] in "YS"]:
        value = await build(world, state)
        before = await footprint(world)
        views = await press(world, role, action, value)
        got[role] = answer(views, changed=await footprint(world) != before)
    assert " ".join(got[r] for r in ROLES) == " ".join(wanted[r] for r in ROLES), name


@pytest.mark.parametrize(("name", "method", "target", "expected"), CONSOLE_CASES, ids=[c[0] for c in CONSOLE_CASES])
async def test_every_role_in_the_console(database_url, tmp_path, clock, name, method, target, expected):
    keys = dict(zip(CONSOLE_ROLES, ("rosa", "carl", "vera", "vic", "morgan", "olga", "alex", "audrey", "ray", None),
                    strict=True))
    got = {}
    async with console_server(database_url, tmp_path, clock) as (base, app):
        await apply_org(app, ORG)
        bot = app[BOT_KEY]
        secrets = {role: await force_session(app, key, clock.now()) for role, key in keys.items() if key}
        async with bot.db.transaction() as tx:
            await tx.session.execute(update(Person).where(Person.key == "ray").values(active=False))
        path, _, what = target.partition(" ")
        for role in CONSOLE_ROLES:  # the manager acts last, on something nobody else could touch
            if role == "mgr":
                continue
            got[role] = await _console_cell(bot, base, secrets.get(role), method, path, what)
        got["mgr"] = await _console_cell(bot, base, secrets["mgr"], method, path, what)
    assert " ".join(got[r] for r in CONSOLE_ROLES) == expected, name


async def _console_cell(bot, base, secret, method, path, what) -> str:
    browser = Browser(base)
    try:
        if secret:
            browser.use_session(secret)
            await browser.get("/console/")  # a CSRF token, for those allowed a page at all
        if method == "GET":
            status, body = await browser.get(path, allow_redirects=False)
        elif path == "/console/work/press":
            async with bot.db.transaction() as tx:
                escalation = await tx.session.scalar(select(func.max(Escalation.id)))
            if escalation is None:
                await bot.handle(FormSubmitted(Identity("slack", "T1", "UROSA"), "report", UNSAFE))
                async with bot.db.transaction() as tx:
                    escalation = await tx.session.scalar(select(func.max(Escalation.id)))
            status, body = await browser.post(path, {"action": what, "value": str(escalation)})
        else:
            day = "2026-01-05"
            narratives = {"narratives": "yes", "reason": "an inquiry"} if what == "reports" else {}
            status, body = await browser.post(path, {"kind": what, "format": "json", "from": day, "to": day,
                                                     **narratives})
    finally:
        await browser.close()
    if status == 200 and NARRATIVE in body:
        return "S"
    if status == 200 and "can't find" in html.unescape(body):
        return "N"
    return str(status)
