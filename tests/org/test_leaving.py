"""Someone leaves (the directory deactivates them): nothing of theirs is lost and nothing that
waits on them is stuck. Through the core, outbox and timers, with a manual clock (Monday
5 January 2026, 09:00 UTC)."""

import pytest
from sqlalchemy import select

from bot.features.chaperone import wording as chaperone_wording
from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.features.escalation.storage import Escalation
from bot.features.referral import wording as referral_wording
from bot.features.referral.storage import Referral
from bot.machinery.storage.models import AuditEntry, Person, Report
from bot.org import directory, orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Notice
from tests.world import World

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London, sites: [North]}
people:
  - {key: rosa, name: Rosa Reporter, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
  - {key: dana, name: Dana Director, identities: [{platform: web, user: dana}]}
  - {key: sam, name: Sam Volunteer, profession: nurse, volunteer: true, identities: [{platform: web, user: sam}]}
  - {key: val, name: Val Volunteer, profession: nurse, volunteer: true, identities: [{platform: web, user: val}]}
  - {key: rita, name: Rita Receiver, profession: therapist, identities: [{platform: web, user: rita}]}
  - {key: theo, name: Theo Therapist, profession: therapist, identities: [{platform: web, user: theo}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa, sam, val]
    escalation:
      levels:
        - {who: managers, wait: 15m}
        - {who: [dana], wait: 30m}
  - {key: therapy, name: Therapy, managers: [dana], members: [rita, theo]}
"""
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": "he waited by my car"}


def who(key: str) -> Identity:
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    return World(db, sealer, library, clock)


async def leaves(world, key: str) -> int:
    async with world.db.transaction() as tx:
        person = await tx.people.by_key(key)
        return await directory.leave(tx, world.bot.features, person, world.clock.now())


async def the(world, model):
    async with world.db.transaction() as tx:
        return (await tx.session.scalars(select(model))).one()


async def actions(world) -> list[str]:
    async with world.db.transaction() as tx:
        return list((await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def test_an_escalation_waiting_on_a_manager_who_leaves_goes_to_the_next_level(world):
    await world.bot.handle(FormSubmitted(who("rosa"), "report", UNSAFE))
    await world.settle()
    assert world.inbox("morgan") and not world.inbox("dana")
    assert await leaves(world, "morgan") == 1
    await world.settle()
    assert world.inbox("dana"), "the next level is told at once, not after the wait"
    assert (await the(world, Escalation)).level == 1
    assert "escalation.moved_on_leave" in await actions(world)
    assert any("Dana Director" in str(v) for v in world.inbox("rosa"))  # the reporter sees who has it now


async def test_an_escalation_the_leaver_acknowledged_opens_again_one_level_up(world):
    await world.bot.handle(FormSubmitted(who("rosa"), "report", UNSAFE))
    await world.settle()
    escalation = await the(world, Escalation)
    await world.bot.handle(ButtonPressed(who("morgan"), "escalation.ack", str(escalation.id)))
    assert (await the(world, Escalation)).status == "acknowledged"
    await leaves(world, "morgan")
    await world.settle()
    after = await the(world, Escalation)
    assert after.status == "open" and after.acknowledged_by is None and after.level == 1
    assert world.inbox("dana")


async def test_a_chaperone_who_leaves_reopens_the_session_to_the_others(world):
    values = {"date": "2026-01-05", "start": "14:00", "minutes": "30", "setting": "in_person",
              "site": "North", "room": "Room 4", "urgent": "no"}
    await world.bot.handle(FormSubmitted(who("rosa"), chaperone_wording.FORM_ID, values))
    await world.settle()
    request = await the(world, ChaperoneRequest)
    await world.bot.handle(ButtonPressed(who("sam"), "chaperone.accept", str(request.id)))
    await world.settle()
    assert (await the(world, ChaperoneRequest)).status == "covered"
    assert await leaves(world, "sam") == 1
    await world.settle()
    reopened = await the(world, ChaperoneRequest)
    assert reopened.status == "open" and reopened.chaperone_id is None
    async with world.db.transaction() as tx:
        states = dict((await tx.session.execute(select(Person.key, ChaperoneOffer.status).join(
            ChaperoneOffer, ChaperoneOffer.volunteer_id == Person.id))).all())
    assert states == {"sam": "withdrawn", "val": "offered"}
    assert "Sam Volunteer can no longer chaperone" in str(world.inbox("rosa")[-1])


async def test_a_referral_to_someone_who_leaves_goes_to_their_team(world):
    async with world.db.transaction() as tx:
        rita = await tx.people.by_key("rita")
    await world.bot.handle(Command(who("rosa"), "refer"))
    await world.bot.handle(FormSubmitted(who("rosa"), referral_wording.FORM_ID, {
        "reason": "boundary", "urgency": "routine", "receiver": f"person:{rita.id}", "note": "handoff"}))
    await world.settle()
    assert world.inbox("rita") and not world.inbox("theo")
    assert await leaves(world, "rita") == 1
    await world.settle()
    referral = await the(world, Referral)
    assert referral.receiver_id is None and referral.status == "offered"
    assert world.inbox("theo"), "the leaver's team colleague is asked"


async def test_someone_who_left_keeps_their_reports_and_is_told_politely(world):
    await world.bot.handle(FormSubmitted(who("rosa"), "report", {**UNSAFE, "felt_unsafe": "no"}))
    await leaves(world, "rosa")
    [notice] = await world.bot.handle(Command(who("rosa"), "status"))
    assert isinstance(notice, Notice) and "no longer active" in notice.text
    async with world.db.transaction() as tx:
        assert len((await tx.session.scalars(select(Report))).all()) == 1
    assert "directory.person_left" in await actions(world)
    # Someone never known still gets the "I don't recognise you" answer.
    [unknown] = await world.bot.handle(Command(who("stranger"), "status"))
    assert "recognise" in unknown.text


async def test_a_peer_supporter_who_leaves_hands_the_conversation_back(db, sealer, library, clock):
    from bot.features.support.storage import SupportRequest
    from tests.support_harness import ORG as SUPPORT_ORG
    from tests.support_harness import ask, press

    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(SUPPORT_ORG), now=clock.now())
    world = World(db, sealer, library, clock)
    await ask(world)
    await press(world, "sol", "support.accept", "1")
    assert (await the(world, SupportRequest)).status == "accepted"
    assert await leaves(world, "sol") == 1
    await world.settle()
    request = await the(world, SupportRequest)
    assert request.status == "open" and request.supporter_id is None
    assert any("Sol Supporter" in t for t in world.texts("rosa")[-1:])  # Rosa is told
