"""A small organisation with peer supporters and contacts, and helpers to drive the support
feature through the whole bot on a manual clock (Monday 5 January 2026, 09:00 in London).

Test modules import the fixtures they use from here (``from tests.support_harness import world``).
"""

from __future__ import annotations

import pytest

from bot.features.support.wording import FORM_ID
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card
from tests.world import World

ORG = """
organisation:
  name: Test Clinic
  timezone: Europe/London
  region: UK
  sites: [North, South]
  contacts:
    employee_assistance: {name: Staff Support Line, phone: 0800 000 111, note: 24 hours}
    crisis_line: {name: Crisis Text Line, phone: "85258"}
people:
  - {key: rosa, name: Rosa Requester, email: rosa@clinic.invalid, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
  - {key: chris, name: Chris Lead, identities: [{platform: web, user: chris}]}
  - {key: sol, name: Sol Supporter, identities: [{platform: web, user: sol}]}
  - {key: tam, name: Tam Supporter, identities: [{platform: web, user: tam}]}
  - {key: una, name: Una Elsewhere, identities: [{platform: web, user: una}]}
  - {key: alex, name: Alex Admin, admin: true, identities: [{platform: web, user: alex}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa]
    escalation: {levels: [{who: managers, wait: 15m}, {who: [chris], wait: 30m}]}
  - {key: theatre, name: Theatre, managers: [chris], members: [una]}
peer_support:
  wave_size: 1
  wave_every: 30m
  widen_after: 2h
  give_up_after: 1d
  supporters:
    - {who: sol}
    - {who: tam, availability: "Mon-Fri 08:00-18:00"}
    - {who: morgan}                 # Rosa's own manager: never asked for Rosa
    - {who: una, teams: [theatre]}  # supports Theatre only
"""


def who(key: str) -> Identity:
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    return World(db, sealer, library, clock)


async def ask(world, person: str = "rosa", **values):
    answers = {"how": "chat", "soon": "few_days", **values}
    views = await world.bot.handle(FormSubmitted(who(person), FORM_ID, answers))
    await world.settle()
    return views


async def press(world, person: str, action: str, value: str = ""):
    views = await world.bot.handle(ButtonPressed(who(person), action, value))
    await world.settle()
    return views


async def say(world, person: str, text: str):
    verb, _, args = text.partition(" ")
    views = await world.bot.handle(Command(who(person), verb, args))
    await world.settle()
    return views


def offers_in(world, person: str) -> list[Card]:
    return [v for v in world.inbox(person) if isinstance(v, Card) and v.title == "A colleague would like peer support"]
