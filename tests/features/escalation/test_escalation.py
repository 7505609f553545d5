"""Manager escalation through the core, with the outbox and timers driven by a manual clock."""

import pytest
from sqlalchemy import select

from bot.features.escalation import flow, timers, wording
from bot.features.escalation.storage import Escalation
from bot.machinery.storage.models import AuditEntry, Notification
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Dialog, Form
from tests.world import World

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London}
people:
  - {key: rosa, name: Rosa Reporter, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: nell, name: Nell No-team, profession: doctor, identities: [{platform: web, user: nell}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
  - {key: dana, name: Dana Director, identities: [{platform: web, user: dana}]}
  - {key: olga, name: Olga Other-team, identities: [{platform: web, user: olga}]}
  - {key: sam, name: Sam Volunteer, volunteer: true, identities: [{platform: web, user: sam}]}
  - {key: alex, name: Alex Admin, admin: true, identities: [{platform: web, user: alex}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa, sam]
    escalation:
      levels:
        - {who: managers, wait: 15m}
        - {who: [dana], wait: 30m}
      repeat_last: 1
      remind_every: 4h
  - {key: other, name: Other Team, managers: [olga], members: [olga]}
"""

ROSA, NELL, MORGAN, DANA, OLGA, SAM, ALEX = (
    Identity("web", "demo", k) for k in ("rosa", "nell", "morgan", "dana", "olga", "sam", "alex")
)
SECRET = "he waited by my car after the session"
UNSAFE = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
          "details": SECRET}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    return World(db, sealer, library, clock)


async def the_escalation(world) -> Escalation:
    async with world.db.transaction() as tx:
        return (await tx.session.scalars(select(Escalation))).one()


async def unsafe_report(world, **changes):
    [card] = await world.bot.handle(FormSubmitted(ROSA, "report", {**UNSAFE, **changes}))
    await world.settle()
    return card


async def test_a_step_five_report_reaches_the_first_level_at_once(world):
    card = await unsafe_report(world)
    body = "\n".join(card.paragraphs)
    assert "I have alerted Morgan Manager now" in body
    [notice] = world.inbox("morgan")
    assert notice.title == "Escalation: threats or aggression"
    facts = dict(notice.facts)
    assert facts["Reporter"] == "Rosa Reporter" and facts["Where"] == "Home visit"
    assert facts["Status"] == "Waiting for a manager (level 1)"
    assert [b.label for b in notice.buttons] == ["Acknowledge", "Resolve…", "View details"]
    assert SECRET not in str(world.platform.sent)  # the narrative is never in a notice
    assert world.inbox("dana") == [] and world.inbox("olga") == []
    [status] = [v for v in await world.bot.handle(Command(ROSA, "status")) if isinstance(v, Card)]
    assert dict(status.facts)["Status"] == "E-1: Waiting for a manager (level 1)"


async def test_each_level_in_turn_then_the_last_repeated_then_admins(world):
    await unsafe_report(world)
    await world.later(minutes=14)
    assert world.inbox("dana") == []
    await world.later(minutes=1)
    assert len(world.inbox("dana")) == 1
    assert "Dana Director has been told about your escalation" in world.texts("rosa")[-1]
    await world.later(minutes=30)  # repeat_last: 1 → the director is told again
    assert len(world.inbox("dana")) == 2
    assert "again" in world.texts("rosa")[-1]
    await world.later(minutes=30)
    assert "No manager has acknowledged your escalation" in world.texts("rosa")[-1]
    assert "went through every level" in world.texts("alex")[0]
    await world.later(hours=5)
    escalations = [v for v in world.inbox("morgan") if v.title.startswith("Escalation")]
    assert len(world.inbox("dana")) == 2 and len(escalations) == 1  # it stops there
    assert (await the_escalation(world)).next_action_at is None


async def test_acknowledging_stops_the_climb_updates_every_copy_and_tells_the_reporter(world):
    await unsafe_report(world)
    await world.later(minutes=15)  # now with Morgan and Dana
    [answer] = await world.bot.handle(ButtonPressed(DANA, "escalation.ack", "1"))
    assert "You acknowledged E-1" in answer.text and "every 4 hours" in answer.text
    await world.settle()
    updated = {ref.data["user"]: view for ref, view, _ in world.platform.updated}
    assert set(updated) == {"morgan", "dana"}
    assert dict(updated["morgan"].facts)["Status"].startswith("Acknowledged at")
    assert "Acknowledge" not in [b.label for b in updated["morgan"].buttons]
    assert "Dana Director has acknowledged your escalation of R-1" in world.texts("rosa")[-1]
    await world.later(hours=1)
    assert len(world.inbox("dana")) == 1  # no more climbing
    [again] = await world.bot.handle(ButtonPressed(MORGAN, "escalation.ack", "1"))
    assert "already acknowledged by Dana Director" in again.text


async def test_reminders_until_resolved_and_resolve_stops_them(world):
    await unsafe_report(world)
    await world.bot.handle(ButtonPressed(MORGAN, "escalation.ack", "1"))
    await world.later(hours=4)
    reminders = [v for v in world.inbox("morgan") if v.title.startswith("Reminder: an escalation")]
    assert len(reminders) == 1
    await world.later(hours=4)
    assert len([v for v in world.inbox("morgan") if v.title.startswith("Reminder")]) == 2

    [form] = await world.bot.handle(ButtonPressed(MORGAN, "escalation.resolve", "1"))
    assert isinstance(form, Form) and form.state == "1"
    [again] = await world.bot.handle(FormSubmitted(MORGAN, wording.RESOLVE_FORM, {"note": ""}, state="1"))
    assert again.errors["note"] == "Please fill this in."
    [again] = await world.bot.handle(FormSubmitted(MORGAN, wording.RESOLVE_FORM, {"note": "call 07700 900123"}, state="1"))
    assert "a phone number" in again.errors["note"]
    [done] = await world.bot.handle(FormSubmitted(MORGAN, wording.RESOLVE_FORM, {"note": "Visits now in pairs."}, state="1"))
    assert "E-1 is resolved" in done.text
    await world.settle()
    assert "Morgan Manager has dealt with what you escalated (your report R-1)" in world.texts("rosa")[-1]
    await world.later(hours=12)
    assert len([v for v in world.inbox("morgan") if v.title.startswith("Reminder")]) == 2
    [status] = [v for v in await world.bot.handle(Command(ROSA, "status")) if isinstance(v, Card)]
    assert dict(status.facts)["Status"].startswith("E-1: Resolved at") and "by Morgan Manager" in dict(status.facts)["Status"]


async def test_details_only_in_a_dialog_only_for_the_policy_and_every_read_audited(world):
    await unsafe_report(world)
    [dialog] = await world.bot.handle(ButtonPressed(MORGAN, "escalation.view", "1"))
    assert isinstance(dialog, Dialog) and any(SECRET in p for p in dialog.paragraphs)
    for outsider in (OLGA, SAM, ALEX, NELL):
        for action in ("escalation.view", "escalation.ack", "escalation.resolve"):
            [refused] = await world.bot.handle(ButtonPressed(outsider, action, "1"))
            assert refused == wording.NOT_FOUND, (outsider, action)
        [refused] = await world.bot.handle(FormSubmitted(outsider, wording.RESOLVE_FORM, {"note": "x"}, state="1"))
        assert refused == wording.NOT_FOUND
    assert (await the_escalation(world)).status == "open"
    async with world.db.transaction() as tx:
        views = [e for e in (await tx.session.scalars(select(AuditEntry))).all() if e.action == "report.viewed"]
    assert len(views) == 1 and views[0].subject_id == 1
    async with world.db.transaction() as tx:
        morgan = await tx.people.by_key("morgan")
    assert views[0].actor_id == morgan.id


async def test_a_confidential_reporter_is_named_only_to_the_top_level(world):
    await unsafe_report(world, named="confidential")
    assert dict(world.inbox("morgan")[0].facts)["Reporter"].startswith("Confidential")
    await world.later(minutes=15)
    assert dict(world.inbox("dana")[0].facts)["Reporter"] == "Rosa Reporter"


async def test_the_escalate_verb_and_the_step_four_offer(world):
    [card] = await world.bot.handle(FormSubmitted(ROSA, "report", {
        "category": "ROMANTIC", "setting": "in_person", "occurrence": "persistent", "felt_unsafe": "no"}))
    assert "It can help to involve your manager now" in "\n".join(card.paragraphs)
    assert ("Escalate to my manager sends this report to Morgan Manager now; Dana Director if not "
            "acknowledged in 15 minutes.") in card.paragraphs
    offer = next(b for b in card.buttons if b.action == "report.escalate")
    [listing] = await world.bot.handle(Command(ROSA, "escalate"))
    assert [b.label for b in listing.buttons] == ["Escalate R-1"]
    [sent] = await world.bot.handle(ButtonPressed(ROSA, offer.action, offer.value))
    assert "R-1 has gone to Morgan Manager now." in sent.text
    [twice] = await world.bot.handle(Command(ROSA, "escalate", "R-1"))
    assert "already with your managers" in twice.text
    await world.settle()
    assert len(world.inbox("morgan")) == 1
    [nope] = await world.bot.handle(Command(ROSA, "escalate", "R-99"))
    assert "can't find an open report" in nope.text
    [others] = await world.bot.handle(ButtonPressed(SAM, "report.escalate", "1"))
    assert "can't find that report" in others.text


async def test_someone_in_no_team_is_told_to_act_directly(world):
    [card] = await world.bot.handle(FormSubmitted(NELL, "report", UNSAFE))
    body = "\n".join(card.paragraphs)
    assert "couldn't alert a manager" in body and "security" in body
    async with world.db.transaction() as tx:
        assert (await tx.session.scalars(select(Escalation))).all() == []


async def test_managers_see_their_escalations_in_status(world):
    await unsafe_report(world)
    views = await world.bot.handle(Command(MORGAN, "status"))
    assert "1 escalation waiting" in views[0].text and views[1].title.startswith("Escalation:")
    assert not any(isinstance(v, Card) and v.title.startswith("Escalation") for v in await world.bot.handle(Command(OLGA, "status")))


async def test_the_auditor_flags_a_stuck_escalation_to_admins(world):
    await unsafe_report(world)
    async with world.db.transaction() as tx:
        assert await tx.timers.cancel_for("escalation", 1) == 1  # simulate a lost timer
    world.clock.advance(minutes=15, seconds=30)
    async with world.db.transaction() as tx:
        assert await timers.audit_overdue(tx, world.clock.now()) == 0  # 30 s late: not yet
    world.clock.advance(seconds=31)
    async with world.db.transaction() as tx:
        assert await timers.audit_overdue(tx, world.clock.now()) == 1
    async with world.db.transaction() as tx:
        assert await timers.audit_overdue(tx, world.clock.now()) == 1  # still stuck...
    await world.settle()
    assert len([t for t in world.texts("alex") if "has not happened" in t]) == 1  # ...told once


async def test_stale_timers_do_nothing(world):
    await unsafe_report(world)
    await world.bot.handle(ButtonPressed(MORGAN, "escalation.ack", "1"))
    async with world.db.transaction() as tx:
        # a climb timer for the old generation, as if cancelling it had raced with firing
        await tx.timers.schedule("stale", flow.CLIMB, "escalation", 1, world.clock.now(), world.clock.now(),
                                 payload={"escalation_id": 1, "generation": 1})
    await world.settle()
    assert world.inbox("dana") == []
    assert (await the_escalation(world)).status == "acknowledged"
    async with world.db.transaction() as tx:
        keys = (await tx.session.scalars(select(Notification.key))).all()
    assert not any(":notice:" in k and k.endswith(":1:0") for k in keys)


async def test_earlier_notices_follow_the_climb(world):
    await unsafe_report(world)
    await world.later(minutes=15)
    [update] = world.updates("morgan")
    assert dict(update.facts)["Status"] == "Waiting for a manager (level 2)"
    assert "Acknowledge" in [b.label for b in update.buttons]  # Morgan can still acknowledge
