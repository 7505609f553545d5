"""Away from chat: a manager sets days away and who stands in; escalations, approvals and
referrals reach the deputy meanwhile, audited; the organisation file's standing deputy is
used when none is named; snoozing a reminder has a limit. The clock starts on Monday 5
January 2026, 09:00 in London."""

from datetime import date

import pytest
from sqlalchemy import select

from bot.features import away
from bot.machinery.storage.models import AuditEntry
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Form, Notice
from tests.world import World, text_of

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London}
people:
  - {key: rosa, name: Rosa Reporter, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: lena, name: Lena Receiver, profession: therapist, identities: [{platform: web, user: lena}]}
  - {key: morgan, name: Morgan Manager, deputy: chris, identities: [{platform: web, user: morgan}]}
  - {key: chris, name: Chris Standing, identities: [{platform: web, user: chris}]}
  - {key: dana, name: Dana Deputy, identities: [{platform: web, user: dana}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa]
    escalation: {levels: [{who: managers, wait: 15m}], remind_every: 4h}
    referral: {approval: required}
"""
ROUTINE = {"category": "ROMANTIC", "setting": "in_person", "occurrence": "repeated", "felt_unsafe": "no"}


def who(key):
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    return World(db, sealer, library, clock)


async def act(world, key, event_type, *args):
    views = await world.bot.handle(event_type(who(key), *args))
    await world.settle()
    return views


async def set_away(world, deputy: str | None, first="2026-01-05", last="2026-01-09"):
    [form] = await act(world, "morgan", Command, "away")
    assert isinstance(form, Form)
    field = next(f for f in form.fields if f.name == "deputy")
    found = await world.bot.search(who("morgan"), field.search, deputy) if deputy else []
    values = {"first_day": first, "last_day": last,
              "deputy": next(o.value for o in found if o.label.split(" · ")[0] == deputy) if deputy else None}
    return await act(world, "morgan", FormSubmitted, "away", values)


def escalation_notices(world, key):
    return [v for v in world.inbox(key) if isinstance(v, Card) and v.title.startswith("Escalation:")]


async def test_an_escalation_for_a_manager_on_leave_reaches_the_deputy_who_may_act(world):
    [card] = await set_away(world, "Dana Deputy")
    assert card.title == "You're set as away" and "until the end of Fri 9 Jan" in card.paragraphs[0]
    assert "has named you to stand in for them" in world.texts("dana")[-1]

    await act(world, "rosa", FormSubmitted, "report", ROUTINE)
    await act(world, "rosa", Command, "escalate", "R-1")
    assert escalation_notices(world, "morgan") == []
    [notice] = escalation_notices(world, "dana")
    assert ("Standing in for", "Morgan Manager (away)") in notice.facts
    [ack] = await act(world, "dana", ButtonPressed, "escalation.ack", "1")
    assert ack.text.startswith("You acknowledged E-1")
    async with world.db.transaction() as tx:
        routed = (await tx.session.scalars(select(AuditEntry).where(AuditEntry.action == "away.routed"))).all()
    assert [(a.subject_type, a.subject_id) for a in routed] == [("escalation", 1)]


async def test_without_a_named_deputy_the_standing_deputy_stands_in_and_back_ends_it(world):
    [card] = await set_away(world, None)
    assert "Chris Standing gets what would come to you" in card.paragraphs[0]
    status = " ".join(text_of(v) for v in await act(world, "chris", Command, "status"))
    assert "You're standing in" in status and "Morgan Manager" in status
    [back] = await act(world, "morgan", Command, "away", "back")
    assert back == Notice("Welcome back. Everything comes to you again.")
    assert "Morgan Manager is back" in world.texts("chris")[-1]
    await act(world, "rosa", FormSubmitted, "report", ROUTINE)
    await act(world, "rosa", Command, "escalate", "R-1")
    assert escalation_notices(world, "morgan") and not escalation_notices(world, "chris")


async def test_approvals_and_referrals_go_to_the_deputy(world):
    await set_away(world, "Dana Deputy")
    [form] = await act(world, "rosa", Command, "refer")
    receiver = next(f for f in form.fields if f.name == "receiver")
    lena = next(o.value for o in await world.bot.search(who("rosa"), receiver.search, "Lena")
                if o.label.split(" · ")[0] == "Lena Receiver")
    await act(world, "rosa", FormSubmitted, "referral", {"reason": "boundary", "urgency": "routine",
                                                         "receiver": lena, "note": "Weekly sessions."})
    assert not [t for t in world.texts("morgan") if "needs your approval" in t]
    assert [t for t in world.texts("dana") if "needs your approval" in t]
    [approved] = await act(world, "dana", ButtonPressed, "referral.approve", "1")
    assert "You approved F-1" in approved.text


async def test_bad_days_are_refused_with_a_reason_and_the_console_can_call_the_core(world, clock):
    [form] = await set_away(world, "Dana Deputy", first="2026-01-09", last="2026-01-05")
    assert isinstance(form, Form) and "can't be before" in form.errors["last_day"]
    async with world.db.transaction() as tx:
        morgan, dana = await tx.people.by_key("morgan"), await tx.people.by_key("dana")
        with pytest.raises(away.AwayError):
            await away.set_away(tx, morgan, date(2026, 1, 1), date(2026, 1, 2), dana, clock.now())
        period = await away.set_away(tx, morgan, date(2026, 1, 6), date(2026, 1, 7), dana, clock.now(),
                                     by=dana, source="console")
        assert period.source == "console"
        assert await away.deputy_for(tx, morgan.id, clock.now()) is None  # not yet: from tomorrow


async def test_a_reminder_can_be_snoozed_three_times_then_no_more(world):
    await act(world, "rosa", FormSubmitted, "report", ROUTINE)
    await act(world, "rosa", Command, "escalate", "R-1")
    await act(world, "morgan", ButtonPressed, "escalation.ack", "1")
    for left in (2, 1, 0):
        await world.later(hours=24)
        reminder = [v for v in world.inbox("morgan") if isinstance(v, Card) and v.title.startswith("Reminder")][-1]
        snooze = next(b for b in reminder.buttons if b.action == "escalation.snooze")
        [snoozed] = await act(world, "morgan", ButtonPressed, "escalation.snooze", snooze.value)
        assert snoozed.text.endswith(f"{left} snooze{'s' if left != 1 else ''} left.")
    await world.later(hours=24)
    reminder = [v for v in world.inbox("morgan") if isinstance(v, Card) and v.title.startswith("Reminder")][-1]
    assert not [b for b in reminder.buttons if b.action == "escalation.snooze"]
    [refused] = await act(world, "morgan", ButtonPressed, "escalation.snooze", "1")
    assert "the most allowed" in refused.text


async def test_a_safety_reminder_cannot_be_snoozed(world):
    await act(world, "rosa", FormSubmitted, "report", {**ROUTINE, "category": "THREAT", "felt_unsafe": "yes"})
    await act(world, "morgan", ButtonPressed, "escalation.ack", "1")
    await world.later(hours=4)
    reminder = [v for v in world.inbox("morgan") if isinstance(v, Card) and v.title.startswith("Reminder")][-1]
    assert not [b for b in reminder.buttons if b.action == "escalation.snooze"]
    [refused] = await act(world, "morgan", ButtonPressed, "escalation.snooze", "1")
    assert "about safety" in refused.text
