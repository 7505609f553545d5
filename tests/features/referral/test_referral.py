"""Referral handoff through the core, with the outbox and timers driven by a manual clock."""

import asyncio

import pytest
from sqlalchemy import select

from bot.features.escalation.storage import Escalation
from bot.features.referral import flow, wording
from bot.features.referral.storage import Referral
from bot.machinery.storage.models import AuditEntry
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Dialog, Form, Notice
from tests.world import World

ORG = """
organisation: {name: Test Clinic, timezone: Europe/London}
people:
  - {key: rosa, name: Rosa Referrer, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: rita, name: Rita Receiver, profession: therapist, identities: [{platform: web, user: rita}]}
  - {key: morgan, name: Morgan Manager, profession: nurse, identities: [{platform: web, user: morgan}]}
  - {key: olga, name: Olga Other-manager, profession: doctor, identities: [{platform: web, user: olga}]}
  - {key: sam, name: Sam Volunteer, profession: nurse, volunteer: true, identities: [{platform: web, user: sam}]}
  - {key: alex, name: Alex Admin, admin: true, identities: [{platform: web, user: alex}]}
POOL
teams:
  - {key: ward, name: Ward, managers: [morgan], members: [rosa, sam]}
  - {key: strict, name: Strict, managers: [olga], members: [rita],
     referral: {approval: required, answer_within: 1d, urgent_within: 2h}}
  - {key: cmh, name: Community mental health, managers: [olga], members: [POOLKEYS]}
"""
POOL_SIZE = 22
POOL = "\n".join(
    f"  - {{key: p{i}, name: Pool Person {i:02d}, profession: therapist, identities: [{{platform: web, user: p{i}}}]}}"
    for i in range(POOL_SIZE)
)
ORG = ORG.replace("POOL\n", POOL + "\n").replace("POOLKEYS", ", ".join(f"p{i}" for i in range(POOL_SIZE)))

ROSA, RITA, MORGAN, OLGA, SAM, ALEX = (Identity("web", "demo", k) for k in ("rosa", "rita", "morgan", "olga", "sam", "alex"))
NOTE = "Prefers afternoon sessions; working on sleep and panic"
DECLINE_WHY = "My list is full until spring"
RETURN_WHY = "Talk to me first about the safety plan"


def who(key: str) -> Identity:
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    return World(db, sealer, library, clock)


async def ids(world) -> dict[str, int]:
    async with world.db.transaction() as tx:
        return {p.key: p.id for p in await tx.people.active()}


async def team_id(world, key: str) -> int:
    async with world.db.transaction() as tx:
        from bot.machinery.storage.models import Team

        return (await tx.session.scalars(select(Team.id).where(Team.key == key))).one()


async def refer(world, by=ROSA, *, to: str, **values):
    [form] = await world.bot.handle(Command(by, "refer"))
    assert isinstance(form, Form)
    submitted = {"reason": "boundary", "urgency": "routine", "receiver": to, "note": NOTE, **values}
    views = await world.bot.handle(FormSubmitted(by, wording.FORM_ID, submitted))
    await world.settle()
    return views


async def state(world) -> Referral:
    async with world.db.transaction() as tx:
        return (await tx.session.scalars(select(Referral))).one()


def everything_sent(world) -> str:
    return str(world.platform.sent) + str(world.platform.updated)


async def test_refer_to_a_colleague_who_accepts_then_the_checklist_until_closed(world):
    people = await ids(world)
    [card] = await refer(world, to=f"person:{people['rita']}")
    assert card.title == "Referral started" and wording.SOUND_PRACTICE in card.paragraphs
    assert "Rita Receiver has been asked" in card.paragraphs[1]
    [offer] = world.inbox("rita")
    assert offer.title == "Would you take over a client?"
    assert [b.label for b in offer.buttons] == ["Accept", "Decline…", "Read the handoff note", "Ask a question…"]
    assert dict(offer.facts)["From"] == "Rosa Referrer" and dict(offer.facts)["Urgency"] == "Routine"

    [checklist] = await world.bot.handle(ButtonPressed(RITA, "referral.accept", "1"))
    assert checklist.title == "You accepted the referral"
    await world.settle()
    [(_, updated, _)] = world.platform.updated
    assert updated.title == "Referral: you accepted it"
    told = world.inbox("rosa")[-1]
    assert told.title == "Rita Receiver accepted your referral"
    assert dict(told.facts)["Client told"] == "Not yet"

    # The referrer ticks "client told" (how, from a short choice), the receiver the rest.
    [form] = await world.bot.handle(ButtonPressed(ROSA, "referral.told", "1"))
    [again] = await world.bot.handle(FormSubmitted(ROSA, wording.TOLD_FORM, {}, state="1"))
    assert again.errors == {"how": "Please choose an option."}
    world.clock.advance(hours=1)
    [card] = await world.bot.handle(FormSubmitted(ROSA, wording.TOLD_FORM, {"how": "in_person"}, state="1"))
    assert dict(card.facts)["Client told"] == "Done 5 Jan 2026, 10:00 by Rosa Referrer (in person)"
    await world.bot.handle(ButtonPressed(RITA, "referral.tick", "1:summary_handed"))
    await world.bot.handle(ButtonPressed(RITA, "referral.tick", "1:appointment_booked"))
    await world.settle()
    assert world.inbox("rosa")[-1].title == "Rita Receiver ticked “First appointment with the new clinician booked” on the referral"
    statuses = [v for v in await world.bot.handle(Command(RITA, "status")) if isinstance(v, Card)]
    assert [c.title for c in statuses] == ["Referral checklist"]
    [closed] = await world.bot.handle(ButtonPressed(ROSA, "referral.tick", "1:closed"))
    assert closed.title == "The referral is closed" and not [b for b in closed.buttons if b.action == "referral.tick"]
    assert (await state(world)).status == "closed"
    assert not any("Referral" in getattr(v, "title", "") for v in await world.bot.handle(Command(ROSA, "status")))
    # The sound-practice line reaches the referrer once, in the first message only.
    assert sum(wording.SOUND_PRACTICE in str(v) for v in world.inbox("rosa")) == 0
    assert NOTE not in everything_sent(world)


async def test_decline_goes_back_with_the_reason_in_a_dialog_and_another_colleague_is_chosen(world):
    people = await ids(world)
    await refer(world, to=f"person:{people['rita']}")
    [form] = await world.bot.handle(ButtonPressed(RITA, "referral.decline", "1"))
    assert form.form_id == wording.DECLINE_FORM and form.state == "1"
    [again] = await world.bot.handle(FormSubmitted(RITA, wording.DECLINE_FORM, {"reason": "ring 07700 900123"}, state="1"))
    assert "a phone number" in again.errors["reason"] and again.values == {"reason": "ring 07700 900123"}
    [done] = await world.bot.handle(FormSubmitted(RITA, wording.DECLINE_FORM, {"reason": DECLINE_WHY}, state="1"))
    assert "The referrer has been told" in done.text
    await world.settle()
    back = world.inbox("rosa")[-1]
    assert back.title == "Your referral was declined" and dict(back.facts)["Declined by"] == "Rita Receiver"
    assert DECLINE_WHY not in everything_sent(world)
    [dialog] = await world.bot.handle(ButtonPressed(ROSA, "referral.note", "1"))
    assert isinstance(dialog, Dialog) and any(DECLINE_WHY in p for p in dialog.paragraphs)
    # Rita declined: she can no longer open the note or accept.
    [refused] = await world.bot.handle(ButtonPressed(RITA, "referral.note", "1"))
    assert isinstance(refused, Notice) and NOTE not in refused.text
    [late] = await world.bot.handle(ButtonPressed(RITA, "referral.accept", "1"))
    assert "choosing someone else" in late.text

    [reroute] = await world.bot.handle(ButtonPressed(ROSA, "referral.reroute", "1"))
    [bad] = await world.bot.handle(FormSubmitted(ROSA, wording.REROUTE_FORM, {"receiver": "person:9999"}, state="1"))
    assert bad.errors["receiver"] == "Please choose one of the options."
    [sent] = await world.bot.handle(FormSubmitted(ROSA, wording.REROUTE_FORM, {"receiver": f"person:{people['sam']}"}, state="1"))
    assert "Sam Volunteer has been asked" in sent.text
    await world.settle()
    assert world.inbox("sam")[-1].title == "Would you take over a client?"
    await world.bot.handle(ButtonPressed(SAM, "referral.accept", "1"))
    assert (await state(world)).accepted_by == people["sam"]
    assert sum(wording.SOUND_PRACTICE in str(v) for v in world.inbox("rosa")) == 0


async def test_a_pool_asks_everyone_and_exactly_one_of_many_concurrent_accepts_wins(world):
    cmh = await team_id(world, "cmh")
    [card] = await refer(world, to=f"team:{cmh}", urgency="urgent")
    assert f"The {POOL_SIZE} people in the Community mental health intake pool have been asked" in card.paragraphs[1]
    assert all(len(world.inbox(f"p{i}")) == 1 for i in range(POOL_SIZE))

    answers = await asyncio.gather(*(
        world.bot.handle(ButtonPressed(who(f"p{i}"), "referral.accept", "1")) for i in range(POOL_SIZE)
    ))
    winners = [a for [a] in answers if isinstance(a, Card)]
    losers = [a for [a] in answers if isinstance(a, Notice)]
    assert len(winners) == 1 and len(losers) == POOL_SIZE - 1
    assert all("was already accepted by Pool Person" in n.text for n in losers)
    await world.settle()
    updated = [view.title for _, view, _ in world.platform.updated]
    assert updated.count("Referral: taken by a colleague") == POOL_SIZE - 1
    assert updated.count("Referral: you accepted it") == 1
    async with world.db.transaction() as tx:
        audit = [e.action for e in (await tx.session.scalars(select(AuditEntry))).all()]
    assert audit.count("referral.accepted") == 1


async def test_approval_first_then_return_with_a_reason(world):
    people = await ids(world)
    rita = Identity("web", "demo", "rita")  # in the Strict team: approval required
    [form] = await world.bot.handle(Command(rita, "refer"))
    assert "approval" not in [f.name for f in form.fields] and "manager's approval first" in form.intro
    [card] = await world.bot.handle(FormSubmitted(rita, wording.FORM_ID, {
        "reason": "objectivity", "urgency": "routine", "receiver": f"person:{people['rosa']}", "note": NOTE}))
    assert "gone to Olga Other-manager for approval" in card.paragraphs[1]
    await world.settle()
    assert world.inbox("rosa") == []  # not asked before approval
    [ask] = world.inbox("olga")
    assert ask.title == "A referral needs your approval"
    [dialog] = await world.bot.handle(ButtonPressed(OLGA, "referral.note", "1"))
    assert any(NOTE in p for p in dialog.paragraphs)
    for outsider in (MORGAN, SAM, ALEX):  # another team's manager, a volunteer, an admin
        [refused] = await world.bot.handle(ButtonPressed(outsider, "referral.approve", "1"))
        assert refused == wording.NOT_FOUND
    [form] = await world.bot.handle(ButtonPressed(OLGA, "referral.return", "1"))
    [done] = await world.bot.handle(FormSubmitted(OLGA, wording.RETURN_FORM, {"reason": RETURN_WHY}, state="1"))
    assert "You returned F-1" in done.text
    await world.settle()
    back = world.inbox("rita")[-1]
    assert back.title == "Your referral was returned by Olga Other-manager"
    assert [b.label for b in back.buttons] == ["Read why", "Start again", "Yes", "No, reopen"]
    assert world.platform.updated[-1][1].title == "Referral: Returned by Olga Other-manager"
    [dialog] = await world.bot.handle(ButtonPressed(rita, "referral.note", "1"))
    assert any(RETURN_WHY in p for p in dialog.paragraphs)
    assert RETURN_WHY not in everything_sent(world) and NOTE not in everything_sent(world)
    assert world.inbox("rosa") == []


async def test_approval_then_the_receiver_is_asked(world):
    people = await ids(world)
    rita = Identity("web", "demo", "rita")
    await world.bot.handle(FormSubmitted(rita, wording.FORM_ID, {
        "reason": "wellbeing", "urgency": "urgent", "receiver": f"person:{people['rosa']}", "note": NOTE}))
    await world.settle()
    [approved] = await world.bot.handle(ButtonPressed(OLGA, "referral.approve", "1"))
    assert "You approved F-1; it has gone to Rosa Referrer" in approved.text
    await world.settle()
    assert world.inbox("rosa")[-1].title == "Would you take over a client?"
    assert "Olga Other-manager approved referral F-1" in world.texts("rita")[-1]
    [twice] = await world.bot.handle(ButtonPressed(OLGA, "referral.approve", "1"))
    assert "no longer waiting for you" in twice.text


async def test_no_answer_reminder_then_the_managers_via_an_escalation_and_stale_timers_do_nothing(world):
    cmh = await team_id(world, "cmh")
    await refer(world, to=f"team:{cmh}", urgency="urgent")
    await world.later(hours=1, minutes=59)
    assert len(world.inbox("p0")) == 1
    await world.later(minutes=1)  # the urgent window (2h): a reminder
    assert world.inbox("p0")[-1].title.startswith("Reminder: Would you take over a client?")
    assert "I've reminded the Community mental health intake pool" in world.texts("rosa")[-1]
    await world.later(minutes=59)
    assert world.inbox("morgan") == []
    await world.later(minutes=1)  # an hour after the reminder: the referrer's manager
    [notice] = world.inbox("morgan")
    assert notice.title == "Escalation: an unanswered referral"
    assert dict(notice.facts)["What"] == ("Referral F-1 (urgent) to the Community mental health intake pool "
                                          "has had no answer for 3 hours")
    assert "Morgan Manager has been told (E-1)" in world.texts("rosa")[-1]
    assert NOTE not in everything_sent(world)
    # The manager sees the escalation, not the referral.
    [refused] = await world.bot.handle(ButtonPressed(MORGAN, "referral.note", "1"))
    assert refused == wording.NOT_FOUND
    async with world.db.transaction() as tx:
        assert (await tx.session.scalars(select(Escalation.subject_id))).all() == [1]
    await world.later(days=3)
    assert len(world.inbox("p0")) == 2  # no more reminders; the escalation follows its own policy
    assert all(v.title == "Escalation: an unanswered referral" for v in world.inbox("morgan"))

    # A stale timer (an older generation) does nothing.
    await world.bot.handle(ButtonPressed(who("p3"), "referral.accept", "1"))
    await world.settle()
    before = len(world.platform.sent)
    async with world.db.transaction() as tx:
        now = world.clock.now()
        await tx.timers.schedule("stale", flow.REMIND, "referral", 1, now, now,
                                 payload={"referral_id": 1, "generation": 1})
    await world.settle()
    assert len(world.platform.sent) == before
    assert (await state(world)).status == "accepted"


async def test_a_routine_window_is_one_working_day(world):
    people = await ids(world)
    world.clock.advance(days=4)  # Friday 9 Jan 2026, 09:00
    await refer(world, to=f"person:{people['rita']}")
    await world.later(days=2, hours=23)  # Monday 08:00: not yet
    assert len(world.inbox("rita")) == 1
    await world.later(hours=1)  # Monday 09:00 (London = UTC in January)
    assert world.inbox("rita")[-1].title.startswith("Reminder:")


async def test_outsiders_cannot_see_or_act_even_replaying_buttons_and_forms(world):
    people = await ids(world)
    await refer(world, to=f"person:{people['rita']}")
    for outsider in (SAM, MORGAN, OLGA, ALEX, who("p1")):
        for action in ("referral.accept", "referral.decline", "referral.note", "referral.approve", "referral.return",
                       "referral.reroute", "referral.told", "referral.tick"):
            value = "1:closed" if action == "referral.tick" else "1"
            [refused] = await world.bot.handle(ButtonPressed(outsider, action, value))
            assert refused == wording.NOT_FOUND, (outsider, action)
        for form_id, values in ((wording.DECLINE_FORM, {"reason": "x"}), (wording.RETURN_FORM, {"reason": "x"}),
                                (wording.REROUTE_FORM, {"receiver": "person:1"}), (wording.TOLD_FORM, {"how": "phone"})):
            [refused] = await world.bot.handle(FormSubmitted(outsider, form_id, values, state="1"))
            assert refused == wording.NOT_FOUND, (outsider, form_id)
        statuses = await world.bot.handle(Command(outsider, "status"))
        assert not any("F-1" in str(v) for v in statuses)
    [nothing] = await world.bot.handle(ButtonPressed(SAM, "referral.accept", "not-a-number"))
    assert nothing == wording.NOT_FOUND
    # The receiver cannot tick the checklist before accepting, nor re-route it.
    [refused] = await world.bot.handle(ButtonPressed(RITA, "referral.reroute", "1"))
    assert refused == wording.NOT_FOUND
    assert (await state(world)).status == "offered"
    # Only the receiver's reads are audited, never the author's.
    await world.bot.handle(ButtonPressed(ROSA, "referral.note", "1"))
    await world.bot.handle(ButtonPressed(RITA, "referral.note", "1"))
    async with world.db.transaction() as tx:
        reads = [e for e in (await tx.session.scalars(select(AuditEntry))).all() if e.action == "referral.note_viewed"]
    assert [e.actor_id for e in reads] == [people["rita"]]


async def test_the_form_checks_identifiers_keeps_what_was_typed_and_links_my_report(world):
    people = await ids(world)
    [card] = await world.bot.handle(FormSubmitted(ROSA, "report", {
        "category": "ROMANTIC", "setting": "in_person", "occurrence": "persistent", "felt_unsafe": "no"}))
    offer = next(b for b in card.buttons if b.action == "referral.start")
    assert offer.label == "Refer to a colleague"
    [form] = await world.bot.handle(ButtonPressed(ROSA, offer.action, offer.value))
    assert form.values == {"report": "1"} and form.fields[0].name == "report"
    typed = {"report": "1", "reason": "boundary", "receiver": f"person:{people['rita']}",
             "note": "Born 3 March 1990, call 07700 900123"}
    [again] = await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, typed))
    assert set(again.errors) == {"urgency", "note"} and "a date" in again.errors["note"]
    assert again.values == typed
    [self_referral] = await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, {
        **typed, "urgency": "routine", "note": NOTE, "receiver": f"person:{people['rosa']}"}))
    assert self_referral.errors == {"receiver": "Please choose one of the options."}
    # Someone without that report cannot link it: the field isn't theirs, so it is ignored.
    [card] = await world.bot.handle(FormSubmitted(SAM, wording.FORM_ID, {**typed, "urgency": "routine", "note": NOTE}))
    assert card.title == "Referral started"
    [card] = await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, {**typed, "urgency": "routine", "note": NOTE}))
    assert card.title == "Referral started"
    async with world.db.transaction() as tx:
        rows = (await tx.session.scalars(select(Referral).order_by(Referral.id))).all()
    assert [r.report_id for r in rows] == [None, 1]
    assert all(NOTE.encode() not in r.note_sealed for r in rows)


async def test_a_ticked_step_keeps_its_first_date(world):
    people = await ids(world)
    await refer(world, to=f"person:{people['rita']}")
    await world.bot.handle(ButtonPressed(RITA, "referral.accept", "1"))
    await world.bot.handle(ButtonPressed(RITA, "referral.tick", "1:summary_handed"))
    world.clock.advance(hours=2)
    [again] = await world.bot.handle(ButtonPressed(ROSA, "referral.tick", "1:summary_handed"))
    assert again.text == "That step of F-1 was already ticked by Rita Receiver."
    assert (await state(world)).summary_handed_by == people["rita"]


def test_invalid_referral_policies_are_refused_with_file_entry_and_field():
    bad = """
organisation: {name: X}
people: [{key: a, name: A}]
teams:
  - {key: t, name: T, members: [a], referral: {approval: always, answer_within: 12d, urgent_within: 1m, colour: red}}
  - {key: u, name: U, members: [a], referral: {approval: required}}
"""
    with pytest.raises(orgfile.OrgFileError) as caught:
        orgfile.parse(bad, "org.yaml")
    assert caught.value.problems == [
        "org.yaml: teams[0] (key 't').referral.approval: Input should be 'required' or 'not_required'",
        "org.yaml: teams[0] (key 't').referral.answer_within: answer_within in days must be between 1 and 10 working days",
        "org.yaml: teams[0] (key 't').referral.urgent_within: urgent_within must be between 15 minutes and 14 days",
        "org.yaml: teams[0] (key 't').referral.colour: Extra inputs are not permitted",
        "org.yaml: teams[1] (key 'u'): referral.approval: 'required', but the team has no managers to approve",
    ]
