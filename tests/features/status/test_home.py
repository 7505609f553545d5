"""``home`` and ``status``: what waits for each person, with the time left, before their own
items; quick actions; the console button only for those who may use it."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.features.chaperone import FEATURE as CHAPERONE
from bot.features.status.home import time_left
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Notice
from tests.world import World, text_of

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London, sites: [North]}
people:
  - {key: rosa, name: Rosa Reporter, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
  - {key: dana, name: Dana Director, identities: [{platform: web, user: dana}]}
  - {key: sam, name: Sam Volunteer, profession: nurse, volunteer: true, identities: [{platform: web, user: sam}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa, sam]
    escalation:
      levels:
        - {who: managers, wait: 15m}
        - {who: [dana], wait: 30m}
"""
ROSA, MORGAN, SAM = (Identity("web", "demo", k) for k in ("rosa", "morgan", "sam"))
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": "waited by my car"}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    return World(db, sealer, library, clock)


def labels(view) -> list[str]:
    return [b.label for b in view.buttons] if isinstance(view, Card) else []


async def test_a_managers_home_and_status_list_the_escalation_waiting_for_them(world):
    await world.bot.handle(FormSubmitted(ROSA, "report", UNSAFE))
    await world.settle()
    await world.later(minutes=3)

    home = await world.bot.handle(Command(MORGAN, "home"))
    assert home[0] == Notice("Waiting for you: 1 item, the most urgent first.")
    assert home[1].title == "Acknowledge an escalation (Ward)"
    assert dict(home[1].facts)["Time left"] == "in 12 min: then it goes to the next person on the list"
    assert labels(home[1]) == ["Acknowledge", "Resolve…"]
    assert labels(home[-1]) == ["Words to say", "Report", "Chaperone", "My items", "Open the console"]
    assert "waited by my car" not in str(home)

    status = await world.bot.handle(Command(MORGAN, "status"))
    shown = " | ".join(text_of(v) for v in status)
    assert shown.startswith("1 escalation waiting for you") and "You have no open reports" not in shown
    assert "None of your own reports is open" in shown

    # Acknowledged: nothing waits any more (the escalation is still among the items).
    await world.bot.handle(ButtonPressed(MORGAN, "escalation.ack", "1"))
    home = await world.bot.handle(Command(MORGAN, "home"))
    assert home[0] == Notice("Nothing is waiting for you.")
    assert "Your open items (1)" in [v.title for v in home if isinstance(v, Card)]


async def test_a_clinicians_home_shows_their_items_and_quick_actions_without_the_console(world):
    await world.bot.handle(FormSubmitted(ROSA, "report", UNSAFE))
    home = await world.bot.handle(Command(ROSA, "home"))
    assert home[0] == Notice("Nothing is waiting for you.")
    mine = next(v for v in home if isinstance(v, Card) and v.title.startswith("Your open items"))
    assert "Threats or aggression" in mine.paragraphs  # plain words, no internal code
    assert labels(home[-1]) == ["Words to say", "Report", "Chaperone", "My items"]
    [form] = await world.bot.handle(ButtonPressed(ROSA, "status.run", "report"))
    assert form.form_id == "report"
    [refused] = await world.bot.handle(ButtonPressed(ROSA, "status.run", "delete"))
    assert "no longer does anything" in refused.text


async def test_a_volunteer_sees_a_chaperone_request_with_the_time_until_it_starts(world):
    start = world.clock.now() + timedelta(hours=3)
    local = start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    await world.bot.handle(FormSubmitted(ROSA, next(iter(CHAPERONE.forms)), {
        "date": f"{local:%Y-%m-%d}", "start": f"{local:%H:%M}", "minutes": "30", "setting": "in_person",
        "site": "North", "room": "Room 4", "urgent": "no"}))
    await world.settle()
    home = await world.bot.handle(Command(SAM, "home"))
    [item] = [v for v in home if isinstance(v, Card) and "Answer a chaperone request" in v.title]
    assert dict(item.facts)["Time left"] == "in 3 h: then the session starts"
    assert labels(item) == ["Accept", "Decline"]


def test_time_left_reads_naturally():
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert time_left(now + timedelta(seconds=30), now) == "now"
    assert time_left(now + timedelta(minutes=12), now) == "in 12 min"
    assert time_left(now + timedelta(hours=2, minutes=5), now) == "in 2 h 5 min"
    assert time_left(now + timedelta(days=3), now) == "in 3 days"
    assert time_left(now - timedelta(minutes=4), now) == "overdue by 4 min"
