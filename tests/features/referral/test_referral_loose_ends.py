"""Referral loose ends through the core on a manual clock (Monday 5 January 2026, 09:00 in
London): withdrawing, approval deadlines, a question back before accepting, snoozing a
reminder, and routine clocks that keep working hours and holidays."""

import pytest
from sqlalchemy import select

from bot.features.escalation.storage import Escalation
from bot.features.referral.storage import Referral
from bot.machinery.storage.models import Timer
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Dialog, Notice
from tests.world import World, text_of

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London, holidays: {country: GB, region: ENG}}
people:
  - {key: rosa, name: Rosa Referrer, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: rita, name: Rita Receiver, profession: therapist, identities: [{platform: web, user: rita}]}
  - {key: pia, name: Pia Pool, profession: therapist, identities: [{platform: web, user: pia}]}
  - {key: paul, name: Paul Pool, profession: therapist, identities: [{platform: web, user: paul}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
  - {key: chris, name: Chris Lead, identities: [{platform: web, user: chris}]}
teams:
  - key: ward
    name: Ward
    managers: [morgan]
    members: [rosa]
    hours: {days: "Mon-Fri 08:00-18:00"}
    escalation: {levels: [{who: managers, wait: 15m}, {who: [chris], wait: 30m}]}
    referral: {approval: required, approve_within: 1d, approval_fallback_after: 2h, answer_within: 1d}
  - {key: pool, name: Pool, managers: [chris], members: [pia, paul]}
"""
NOTE = "Prefers afternoon sessions"


def who(key):
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    return World(db, sealer, library, clock)


async def act(world, key, event, *args, **kw):
    views = await world.bot.handle(event(who(key), *args, **kw))
    await world.settle()
    return views


async def refer(world, to: str, **values):
    [form] = await act(world, "rosa", Command, "refer")
    receiver = next(f for f in form.fields if f.name == "receiver")
    # The receiver is found by typing (a name, or a team's name for its pool).
    found = await world.bot.search(who("rosa"), receiver.search, to.split(" intake pool")[0])
    target = next(o.value for o in found if o.label.startswith(to))
    return await act(world, "rosa", FormSubmitted, "referral",
                     {"reason": "boundary", "urgency": "routine", "receiver": target, "note": NOTE, **values})


async def the_referral(world) -> Referral:
    async with world.db.transaction() as tx:
        return (await tx.session.scalars(select(Referral))).one()


async def pending_timers(world) -> list[str]:
    async with world.db.transaction() as tx:
        return list((await tx.session.scalars(select(Timer.kind).where(Timer.subject_type == "referral",
                                                                       Timer.status == "pending"))).all())


async def test_withdrawing_tells_everyone_asked_and_stops_every_timer(world):
    [started] = await refer(world, "Pool intake pool")
    assert "they are reminded" in started.paragraphs[1] and "Tue 6 Jan, 09:00 (Europe/London)" in started.paragraphs[1]
    await act(world, "morgan", ButtonPressed, "referral.approve", "1")
    assert "Please answer within 1 working day (by Tue 6 Jan, 09:00 (Europe/London))" in text_of(world.inbox("pia")[-1])
    assert await pending_timers(world) == ["referral.remind"]

    [confirm] = await act(world, "rosa", ButtonPressed, "referral.withdraw", "1")
    assert confirm.title == "Withdraw this referral?"
    assert await act(world, "pia", ButtonPressed, "referral.withdraw_yes", "1") == [Notice(
        "I can't find that referral among yours. Type status to see your referrals.")]
    [done] = await act(world, "rosa", ButtonPressed, "referral.withdraw_yes", "1")
    assert done.text.startswith("Referral F-1 is withdrawn. 2 people have been told")
    for key in ("pia", "paul"):
        assert world.updates(key)[-1].title == "Referral: no longer waiting for you"
    assert await pending_timers(world) == []
    assert (await the_referral(world)).status == "withdrawn"
    [late] = await act(world, "pia", ButtonPressed, "referral.accept", "1")
    assert "no longer waiting for you" in late.text
    await world.later(days=3)
    assert not [t for t in world.texts("pia") if t.startswith("Reminder")]


async def test_withdrawing_after_acceptance_tells_the_receiver_and_closes_the_escalation(world):
    await refer(world, "Rita Receiver")
    await act(world, "morgan", ButtonPressed, "referral.approve", "1")
    await act(world, "rita", ButtonPressed, "referral.accept", "1")
    await act(world, "rosa", ButtonPressed, "referral.withdraw_yes", "1")
    assert world.texts("rita")[-1] == ("Rosa Referrer has withdrawn referral F-1: nothing more is needed from you. "
                                       "Thank you.")


async def test_an_approval_nobody_gives_is_reminded_then_the_next_level_is_asked(world):
    await refer(world, "Rita Receiver")
    await world.later(days=1)  # Tuesday 09:00: one working day
    assert any(t.startswith("Reminder: A referral needs your approval") for t in world.texts("morgan"))
    assert "Tue 6 Jan, 11:00 (Europe/London)" in world.texts("rosa")[-1]
    await world.later(hours=2)
    assert any("needs your approval" in t for t in world.texts("chris"))
    assert "Chris Lead has been asked to approve it as well" in world.texts("rosa")[-1]
    [approved] = await act(world, "chris", ButtonPressed, "referral.approve", "1")
    assert approved.text.startswith("You approved F-1")


async def test_the_receiver_asks_a_question_and_the_referrer_answers_before_accepting(world):
    await refer(world, "Rita Receiver")
    await act(world, "morgan", ButtonPressed, "referral.approve", "1")
    [form] = await act(world, "rita", ButtonPressed, "referral.ask", "1")
    [refused] = await act(world, "rita", FormSubmitted, "referral.ask", {"question": "call 07700 900123?"}, state="1")
    assert "question" in refused.errors
    [asked] = await act(world, "rita", FormSubmitted, "referral.ask", {"question": "Is a Tuesday slot fine?"},
                        state="1")
    assert asked.text.startswith("Your question has gone to the referrer")
    [card] = [v for v in world.inbox("rosa") if isinstance(v, Card) and "has a question" in v.title]
    assert "Tuesday" not in text_of(card)  # the words only in a private view
    read, answer = card.buttons
    [dialog] = await act(world, "rosa", ButtonPressed, "referral.question", read.value)
    assert isinstance(dialog, Dialog) and "Rita Receiver asked: Is a Tuesday slot fine?" in dialog.paragraphs
    assert await act(world, "morgan", ButtonPressed, "referral.question", read.value) == [Notice(
        "I can't find that referral among yours. Type status to see your referrals.")]
    await act(world, "rosa", ButtonPressed, "referral.answer", answer.value)
    [sent] = await act(world, "rosa", FormSubmitted, "referral.answer", {"answer": "Yes, Tuesdays suit them"},
                       state=answer.value)
    assert sent.text.startswith("Your answer has gone to them")
    [back] = [v for v in world.inbox("rita") if isinstance(v, Card) and "answered your question" in v.title]
    [dialog] = await act(world, "rita", ButtonPressed, "referral.question", back.buttons[0].value)
    assert "The referrer answered: Yes, Tuesdays suit them" in dialog.paragraphs
    [accepted] = await act(world, "rita", ButtonPressed, "referral.accept", "1")
    assert "You accepted the referral" in accepted.title


async def test_a_receiver_snoozes_a_reminder_twice_and_the_managers_are_still_told_on_time(world):
    await refer(world, "Rita Receiver")
    await act(world, "morgan", ButtonPressed, "referral.approve", "1")
    await world.later(days=1)  # Tuesday 09:00: reminded; managers at 13:00 (4 working hours)
    [reminder] = [v for v in world.inbox("rita") if isinstance(v, Card) and v.title.startswith("Reminder")]
    snooze = next(b for b in reminder.buttons if b.action == "referral.snooze")
    [snoozed] = await act(world, "rita", ButtonPressed, "referral.snooze", snooze.value)
    assert "again on Wed 7 Jan, 09:00 (Europe/London) (1 snooze left)" in snoozed.text
    await world.later(hours=4)
    async with world.db.transaction() as tx:
        assert (await tx.session.scalars(select(Escalation))).one().subject_type == "referral"
    await world.later(hours=20)
    reminders = [v for v in world.inbox("rita") if isinstance(v, Card) and v.title.startswith("Reminder")]
    assert len(reminders) == 2
    await act(world, "rita", ButtonPressed, "referral.snooze", "1")
    [refused] = await act(world, "rita", ButtonPressed, "referral.snooze", "1")
    assert "the most allowed" in refused.text


async def test_a_routine_answer_window_skips_the_weekend_and_public_holidays(world, clock):
    clock.advance(days=87, hours=7)  # Thursday 2 April 2026, 17:00 in London (BST); Good Friday next
    await refer(world, "Rita Receiver")
    await act(world, "morgan", ButtonPressed, "referral.approve", "1")
    offer = [v for v in world.inbox("rita") if isinstance(v, Card) and "Would you take over" in v.title][-1]
    assert "by Tue 7 Apr, 17:00 (Europe/London)" in offer.paragraphs[0]  # Friday and Monday are holidays
