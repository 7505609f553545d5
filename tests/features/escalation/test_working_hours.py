"""Working hours and holidays: a non-urgent escalation raised outside the team's hours waits
for the next working moment (and says who and when); a safety one goes at once; waits count
working time; the reporter can send a waiting one now. The clock starts on Monday 5 January
2026, 09:00 in London."""

import pytest
from sqlalchemy import select

from bot.features.escalation.storage import Escalation
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Notice
from tests.world import World, text_of

ORG = """
organisation:
  name: Test Clinic
  timezone: Europe/London
  holidays: {country: GB, region: ENG}
  closed: [2026-01-13]
people:
  - {key: rosa, name: Rosa Reporter, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: morgan, name: Morgan Manager, timezone: America/New_York, identities: [{platform: web, user: morgan}]}
  - {key: dana, name: Dana Director, identities: [{platform: web, user: dana}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa]
    hours: {days: "Mon-Fri 08:00-18:00"}
    escalation:
      levels: [{who: managers, wait: 15m}, {who: [dana], wait: 30m}]
"""
ROSA, MORGAN = Identity("web", "demo", "rosa"), Identity("web", "demo", "morgan")
ROUTINE = {"category": "ROMANTIC", "setting": "in_person", "occurrence": "repeated", "felt_unsafe": "no"}
UNSAFE = {"category": "THREAT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "yes"}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    return World(db, sealer, library, clock)


async def escalate_routine(world) -> list:
    await world.bot.handle(FormSubmitted(ROSA, "report", ROUTINE))
    views = await world.bot.handle(Command(ROSA, "escalate", "R-1"))
    await world.settle()
    return views


def notices_to(world, who: str) -> list[Card]:
    return [v for v in world.inbox(who) if isinstance(v, Card) and v.title.startswith("Escalation:")]


async def test_saturday_evening_waits_for_monday_morning_and_says_who_and_when(world, clock):
    clock.advance(days=5, hours=10)  # Saturday 10 January, 19:00 in London
    [card] = await escalate_routine(world)
    assert card.title == "Your report will go to your managers at Mon 12 Jan, 08:00 (Europe/London)"
    assert "Mon 08:00-18:00" in card.paragraphs[0] and "Morgan Manager is told" in card.paragraphs[0]
    assert card.buttons[0].action == "escalation.now"
    status = " ".join(text_of(v) for v in await world.bot.handle(Command(ROSA, "status")))
    assert "Waiting for working hours: goes out Mon 12 Jan, 08:00 (Europe/London)" in status

    await world.later(hours=36, minutes=59)  # Monday 07:59
    assert notices_to(world, "morgan") == []
    await world.later(minutes=1)  # Monday 08:00 in London
    [notice] = notices_to(world, "morgan")
    # Morgan reads the deadline in his own zone (New York), and that it counts working time.
    assert notice.paragraphs[0].startswith("Please acknowledge by Mon 12 Jan, 03:15 (America/New_York)")
    assert "of working time" in notice.paragraphs[0]
    assert any("Morgan Manager has now been told" in t for t in world.texts("rosa"))


async def test_a_safety_escalation_on_saturday_evening_goes_at_once(world, clock):
    clock.advance(days=5, hours=10)
    await world.bot.handle(FormSubmitted(ROSA, "report", UNSAFE))
    await world.settle()
    [notice] = notices_to(world, "morgan")
    assert "Please acknowledge by Sat 10 Jan, 14:15 (America/New_York) (15 minutes)" in notice.paragraphs[0]
    await world.later(minutes=15)  # safety waits count plain time: Dana is told at 19:15
    assert notices_to(world, "dana")


async def test_waits_count_working_time_and_skip_holidays_and_closures(world, clock):
    clock.advance(hours=8, minutes=55)  # Monday 17:55
    await escalate_routine(world)
    assert notices_to(world, "morgan")
    await world.later(minutes=20)  # 18:15: out of hours, so no climb yet
    assert notices_to(world, "dana") == []
    await world.later(hours=13, minutes=54)  # Tuesday 08:09
    assert notices_to(world, "dana") == []
    await world.later(minutes=1)  # 08:10: five minutes of the wait were on Monday, ten on Tuesday
    [climbed] = notices_to(world, "dana")
    assert "Please acknowledge by Tue 6 Jan, 08:40 (Europe/London)" in climbed.paragraphs[0]
    async with world.db.transaction() as tx:
        escalation = (await tx.session.scalars(select(Escalation))).one()
    assert escalation.level == 1

    clock.advance(days=6, hours=10, minutes=45)  # Monday 12 Jan, 19:00; Tuesday 13 is a closure day
    await world.bot.handle(FormSubmitted(ROSA, "report", ROUTINE))
    [card] = await world.bot.handle(Command(ROSA, "escalate", "R-2"))
    assert "Wed 14 Jan, 08:00 (Europe/London)" in card.title


async def test_public_holidays_are_not_working_days(world, clock):
    clock.advance(days=87, hours=10)  # Thursday 2 April 2026, 20:00 in London (BST); Good Friday next
    [card] = await escalate_routine(world)
    assert "Tue 7 Apr, 08:00 (Europe/London)" in card.title  # Good Friday and Easter Monday skipped


async def test_the_reporter_can_send_a_waiting_escalation_now(world, clock):
    clock.advance(days=5, hours=10)
    [card] = await escalate_routine(world)
    [sent] = await world.bot.handle(ButtonPressed(ROSA, "escalation.now", card.buttons[0].value))
    await world.settle()
    assert sent == Notice("E-1 has gone to your managers now. I'll tell you when it is acknowledged.")
    assert notices_to(world, "morgan")
    [again] = await world.bot.handle(ButtonPressed(ROSA, "escalation.now", card.buttons[0].value))
    assert "already gone out" in again.text
    [nope] = await world.bot.handle(ButtonPressed(MORGAN, "escalation.now", card.buttons[0].value))
    assert "can't find that escalation" in nope.text
