"""The console's audit log and its exports hide a confidential reporter from everyone chat
would not name them to: shown as "a confidential reporter" in their entries about the report
and its escalations, not found by a search for their name, and named only to the people at
the top level of the policy once the escalation has climbed there."""

import json

import pytest

from bot.features.console import auditlog, exports
from bot.features.console.access import access_for
from bot.org import orgfile
from bot.port.events import FormSubmitted, Identity
from tests.world import World

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London}
people:
  - {key: rosa, name: Rosa Reporter, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
  - {key: alex, name: Alex Admin, admin: true, identities: [{platform: web, user: alex}]}
  - {key: audrey, name: Audrey Auditor, auditor: true, identities: [{platform: web, user: audrey}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa]
    escalation: {levels: [{who: managers, wait: 15m}, {who: [alex], wait: 30m}]}
"""
CONFIDENTIAL = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
                "details": "he followed me to the car park", "named": "confidential"}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    world = World(db, sealer, library, clock)
    await world.bot.handle(FormSubmitted(Identity("web", "demo", "rosa"), "report", CONFIDENTIAL))
    await world.settle()
    return world


async def actors(world, viewer: str, **query) -> list[str]:
    async with world.db.transaction() as tx:
        person = await tx.people.by_key(viewer)
        found = await auditlog.page(tx, auditlog.AuditQuery(**query), person.id)
    return [f"{row.actor} {row.action}" for row in found.rows]


async def exported(world, viewer: str) -> str:
    async with world.db.transaction() as tx:
        person = await tx.people.by_key(viewer)
        day = world.clock.now().date()
        done = await exports.run(tx, world.bot.sealer, await access_for(tx, person),
                                 exports.ExportRequest("audit", "json", day, day), world.clock.now())
    return json.dumps(json.loads(done.body))


async def test_below_the_top_level_the_reporter_is_masked_in_the_log_and_the_export(world):
    for viewer in ("alex", "audrey"):  # alex is the top level, but it has not climbed there yet
        shown = await actors(world, viewer)
        assert any(s.startswith("a confidential reporter report.") for s in shown), shown
        assert not any("Rosa" in s for s in shown), (viewer, shown)
        assert await actors(world, viewer, person="rosa") == []  # her name finds nothing it hides
        export = await exported(world, viewer)
        assert "Rosa" not in export and "a confidential reporter" in export


async def test_the_top_level_sees_the_name_once_it_has_climbed_there_and_nobody_else_does(world):
    await world.later(minutes=16)
    assert any(s.startswith("Rosa Reporter (rosa) ") for s in await actors(world, "alex"))
    assert "Rosa Reporter" in await exported(world, "alex")
    assert not any("Rosa" in s for s in await actors(world, "audrey"))
    assert "Rosa" not in await exported(world, "audrey")


async def test_a_report_that_is_not_confidential_shows_its_reporter(world):
    plain = {**CONFIDENTIAL, "named": "named", "felt_unsafe": "no", "category": "CONTACT", "factors": ["unwanted"]}
    world.clock.advance(seconds=30)
    await world.bot.handle(FormSubmitted(Identity("web", "demo", "rosa"), "report", plain))
    assert any(s.startswith("Rosa Reporter (rosa) report.") for s in await actors(world, "alex"))
