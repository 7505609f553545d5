"""Chaperone requests and the volunteer roster, through the core, with a manual clock.

The clock starts on Monday 5 January 2026 at 09:00 UTC (09:00 in London)."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.features.chaperone import wording
from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.features.volunteer.availability import parse_windows
from bot.features.volunteer.storage import VolunteerProfile
from bot.machinery.storage.models import Person
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Dialog, Form, Notice
from tests.world import World, text_of

VOLUNTEERS = [f"v{i}" for i in range(1, 8)]
ORG = """
organisation: {name: Test Clinic, timezone: Europe/London, sites: [North, South]}
people:
  - {key: rosa, name: Rosa Requester, profession: nurse, identities: [{platform: web, user: rosa}]}
  - {key: morgan, name: Morgan Manager, identities: [{platform: web, user: morgan}]}
""" + "".join(
    f"  - {{key: {v}, name: Volunteer {v.upper()}, profession: nurse, volunteer: true,"
    f" identities: [{{platform: web, user: {v}}}]}}\n" for v in VOLUNTEERS
) + """teams:
  - {key: ward, name: Ward, managers: [morgan], members: [rosa, v1, v2, v3, v4, v5, v6, v7]}
"""
ROSA = Identity("web", "demo", "rosa")
MORGAN = Identity("web", "demo", "morgan")


def who(key: str) -> Identity:
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    return World(db, sealer, library, clock)


def form(**changes) -> dict:
    values = {"date": "2026-01-05", "start": "14:00", "minutes": "30", "setting": "in_person",
              "site": "North", "room": "Room 4", "urgent": "no"}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


async def ask(world, **changes):
    views = await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, form(**changes)))
    await world.settle()
    return views


async def offers(world) -> dict[str, str]:
    async with world.db.transaction() as tx:
        rows = (await tx.session.execute(
            select(Person.key, ChaperoneOffer.status).join(ChaperoneOffer, ChaperoneOffer.volunteer_id == Person.id)
        )).all()
    return dict(rows)


async def the_request(world) -> ChaperoneRequest:
    async with world.db.transaction() as tx:
        return (await tx.session.scalars(select(ChaperoneRequest))).one()


async def set_profile(world, key, **values):
    async with world.db.transaction() as tx:
        person = await tx.people.by_key(key)
        await tx.session.execute(update(VolunteerProfile).where(VolunteerProfile.person_id == person.id).values(**values))


# --- the form -------------------------------------------------------------------------------


async def test_the_form_and_its_checks(world):
    [shown] = await world.bot.handle(Command(ROSA, "chaperone"))
    assert isinstance(shown, Form) and shown.form_id == wording.FORM_ID
    assert [o.value for o in next(f for f in shown.fields if f.name == "site").options] == ["North", "South"]
    cases = [
        (form(start="08:00"), "start", "already passed"),
        (form(date="2026-06-05"), "date", "at most 60 days"),
        (form(site=None), "site", "which site"),
        (form(setting="telehealth", join_link="zoom.example/abc"), "join_link", "https://"),
        (form(note="call her on 07700 900123"), "note", "a phone number"),
        (form(minutes="17"), "minutes", "choose one of the options"),
        ({"setting": "in_person"}, "date", "fill this in"),
    ]
    for values, field, message in cases:
        [again] = await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, values))
        assert isinstance(again, Form), field
        assert message in again.errors[field], (field, again.errors)
        assert again.values == values  # nothing typed is lost
    async with world.db.transaction() as tx:
        assert (await tx.session.scalars(select(ChaperoneRequest))).all() == []


# --- matching -------------------------------------------------------------------------------


async def test_matching_rules(world):
    await set_profile(world, "v1", active=False)  # paused
    await set_profile(world, "v2", settings=["telehealth"])  # wrong setting
    await set_profile(world, "v3", sites=["South"])  # wrong site
    await set_profile(world, "v4", professions=["doctor"])  # only for doctors
    await set_profile(world, "v5", windows=[w.to_json() for w in parse_windows("Mon 08:00-14:15")])  # ends too early
    await set_profile(world, "v6", unavailable=["2026-01-05"])  # away that day
    [card] = await ask(world, urgent="yes")
    assert await offers(world) == {"v7": "offered"}
    assert "asked 1 matching volunteer" in card.paragraphs[0]
    # v7 is now booked 14:00-14:30: an overlapping request does not go to them.
    await world.bot.handle(ButtonPressed(who("v7"), "chaperone.accept", "1"))
    await set_profile(world, "v1", active=True)
    await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, form(start="14:15", urgent="yes")))
    async with world.db.transaction() as tx:
        second = (await tx.session.scalars(select(ChaperoneOffer).where(ChaperoneOffer.request_id == 2))).all()
        keys = {(await tx.session.get(Person, o.volunteer_id)).key for o in second}
    assert keys == {"v1"}


async def test_routine_requests_go_in_waves_urgent_ones_all_at_once(world):
    [card] = await ask(world)
    assert len(await offers(world)) == 5
    assert "2 more will be asked in turn" in card.paragraphs[0]
    offered = [v for v in VOLUNTEERS if world.inbox(v)]
    assert len(offered) == 5 and all(world.inbox(v)[0].title.startswith("Chaperone needed") for v in offered)
    await world.later(minutes=9)
    assert len(await offers(world)) == 5
    await world.later(minutes=1)
    assert len(await offers(world)) == 7
    await world.bot.handle(FormSubmitted(ROSA, wording.FORM_ID, form(start="16:00", urgent="yes")))
    async with world.db.transaction() as tx:
        assert len((await tx.session.scalars(select(ChaperoneOffer).where(ChaperoneOffer.request_id == 2))).all()) == 7


async def test_when_everyone_asked_declines_the_next_wave_goes_now(world):
    await ask(world)
    first_wave = [k for k, s in (await offers(world)).items() if s == "offered"]
    for key in first_wave:
        [thanks] = await world.bot.handle(ButtonPressed(who(key), "chaperone.decline", "1"))
        assert "Thank you" in thanks.text
    states = await offers(world)
    assert sorted(s for s in states.values()) == ["declined"] * 5 + ["offered"] * 2


# --- accepting ------------------------------------------------------------------------------


async def test_the_first_accept_wins_others_see_covered_late_clicks_are_thanked(world):
    await ask(world, urgent="yes", setting="telehealth", site=None, room=None, join_link="https://meet.example/abc")
    offer_text = " ".join(text_of(v) for k in VOLUNTEERS for v in world.inbox(k))
    assert "meet.example" not in offer_text  # the link never goes to everyone asked
    [mine] = await world.bot.handle(ButtonPressed(who("v3"), "chaperone.accept", "1"))
    assert mine.title.startswith("You're chaperoning for") and "Join link: https://meet.example/abc" in mine.paragraphs
    [late] = await world.bot.handle(ButtonPressed(who("v5"), "chaperone.accept", "1"))
    assert "already covered by a colleague" in late.text
    await world.settle()
    states = await offers(world)
    assert states["v3"] == "accepted" and all(states[k] == "covered" for k in VOLUNTEERS if k != "v3")
    covered_cards = [v for k in VOLUNTEERS if k != "v3" for v in world.updates(k)]
    assert covered_cards and all("Covered by a colleague" in c.paragraphs[0] for c in covered_cards)
    assert all(not c.buttons for c in covered_cards)
    [told] = world.inbox("rosa")
    assert "Volunteer V3 will be your chaperone" in told.paragraphs[0]
    assert "meet.example" not in text_of(told)
    request = await the_request(world)
    assert request.status == "covered"
    [refused] = await world.bot.handle(ButtonPressed(MORGAN, "chaperone.accept", "1"))
    assert refused == wording.NOT_ASKED


async def test_fifty_simultaneous_accepts_one_winner(db, sealer, library, clock):
    many = [f"w{i:02d}" for i in range(50)]
    org = "organisation: {name: X, timezone: Europe/London, sites: [North]}\npeople:\n"
    org += "  - {key: rosa, name: Rosa, identities: [{platform: web, user: rosa}]}\n"
    org += "".join(f"  - {{key: {k}, name: {k}, volunteer: true, identities: [{{platform: web, user: {k}}}]}}\n" for k in many)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(org), now=clock.now())
    world = World(db, sealer, library, clock)
    await ask(world, urgent="yes")
    assert len(await offers(world)) == 50
    answers = await asyncio.gather(*(world.bot.handle(ButtonPressed(who(k), "chaperone.accept", "1")) for k in many))
    winners = [a for a in answers if isinstance(a[0], Card) and a[0].title.startswith("You're chaperoning for")]
    assert len(winners) == 1
    assert sum("already covered" in a[0].text for a in answers if isinstance(a[0], Notice)) == 49
    states = await offers(world)
    assert list(states.values()).count("accepted") == 1 and list(states.values()).count("covered") == 49
    request = await the_request(world)
    assert request.status == "covered" and request.chaperone_id is not None


# --- time passing ---------------------------------------------------------------------------


async def test_reminders_follow_up_and_the_record(world):
    await ask(world, urgent="yes", note="Meet at the nurses' station")
    await world.bot.handle(ButtonPressed(who("v2"), "chaperone.accept", "1"))
    await world.later(hours=4, minutes=44)  # 13:44
    assert not any("Soon" in t for t in world.texts("rosa"))
    await world.later(minutes=1)  # 13:45: fifteen minutes before
    assert any(t.startswith("Soon: your chaperoned session") for t in world.texts("rosa"))
    assert any(t.startswith("Soon: your chaperoned session") for t in world.texts("v2"))
    [dialog] = await world.bot.handle(ButtonPressed(who("v2"), "chaperone.details", "1"))
    assert isinstance(dialog, Dialog) and "Meet at the nurses' station" in " ".join(dialog.paragraphs)
    assert all("nurses' station" not in text_of(v) for _, v, _ in world.platform.sent)
    [nope] = await world.bot.handle(ButtonPressed(who("v5"), "chaperone.details", "1"))
    assert nope == wording.NOT_FOUND
    await world.later(minutes=45)  # 14:30: the session is over
    follow = next(v for v in world.inbox("rosa") if v.title == "Who observed your session?")
    yes = next(b for b in follow.buttons if b.value == "1:observed")
    assert yes.label == "Yes, Volunteer V2 was there"
    [forged] = await world.bot.handle(ButtonPressed(who("v2"), "chaperone.record", "1:observed"))
    assert forged == wording.NOT_FOUND
    [recorded] = await world.bot.handle(ButtonPressed(ROSA, yes.action, yes.value))
    assert "Volunteer V2 was with you for the session." in text_of(recorded)
    request = await the_request(world)
    assert (request.status, request.outcome) == ("done", "observed")
    views = await world.bot.handle(Command(MORGAN, "status"))
    record = next(v for v in views if isinstance(v, Card) and v.title.startswith("Chaperoned sessions in your teams"))
    assert "Rosa Requester, observed by Volunteer V2" in record.facts[0][1] and "in person" in record.facts[0][1]
    for key in ("rosa", "v2"):
        cards = [v for v in await world.bot.handle(Command(who(key), "status")) if isinstance(v, Card)]
        assert any("Recorded — observed by Volunteer V2" in dict(c.facts).get("Status", "") for c in cards), key


async def test_unfilled_widen_then_the_manager_then_expired(world):
    from bot.machinery.storage.models import Team
    from bot.org.policy import ChaperonePolicy

    slow = ChaperonePolicy(wave_every=timedelta(hours=2))
    async with world.db.transaction() as tx:
        await tx.session.execute(update(Team).values(chaperone_policy=slow.to_json()))
    await ask(world, start="11:00")  # deadline 10:30, escalation 10:40, start 11:00
    assert len(await offers(world)) == 5
    await world.later(minutes=89)
    assert len(await offers(world)) == 5  # the next wave would only go at 11:00
    await world.later(minutes=1)  # 10:30: the deadline widens to everyone who matches
    assert len(await offers(world)) == 7
    assert not world.inbox("morgan")
    await world.later(minutes=10)  # 10:40: then the manager is told
    [notice] = world.inbox("morgan")
    assert notice.title == "Escalation: an unfilled chaperone request"
    assert "Chaperone request C-1" in dict(notice.facts)["What"] and "7 volunteers asked" in dict(notice.facts)["What"]
    assert any("I've told Morgan Manager" in t for t in world.texts("rosa"))
    await world.later(minutes=20)  # 11:00: the session starts
    assert (await the_request(world)).status == "unfilled"
    assert any("No volunteer was free for your session" in t for t in world.texts("rosa"))
    assert all(s == "expired" for s in (await offers(world)).values())


async def test_cancel_tells_everyone_asked_and_the_chaperone(world):
    await ask(world, urgent="yes")
    await world.bot.handle(ButtonPressed(who("v1"), "chaperone.accept", "1"))
    [refused] = await world.bot.handle(ButtonPressed(who("v1"), "chaperone.cancel", "1"))
    assert refused == wording.NOT_FOUND
    [done] = await world.bot.handle(ButtonPressed(ROSA, "chaperone.cancel", "1"))
    assert done.text == ("Your chaperone request is cancelled. 7 volunteers have been told. "
                         "Type chaperone whenever you need someone with you.")
    await world.settle()
    assert any("cancelled C-1" in t for t in world.texts("v1"))
    assert all(s == "cancelled" for s in (await offers(world)).values())
    await world.later(hours=6)
    assert not any("Soon" in t for t in world.texts("rosa") + world.texts("v1"))
    [late] = await world.bot.handle(ButtonPressed(who("v2"), "chaperone.accept", "1"))
    assert "was cancelled" in late.text


async def test_withdraw_reopens_and_asks_again(world):
    await ask(world)
    await world.bot.handle(ButtonPressed(who("v1"), "chaperone.accept", "1"))
    [no] = await world.bot.handle(ButtonPressed(who("v2"), "chaperone.withdraw", "1"))
    assert "can't find that request among those you are chaperoning" in no.text
    [gone] = await world.bot.handle(ButtonPressed(who("v1"), "chaperone.withdraw", "1"))
    assert "You've withdrawn from C-1" in gone.text
    await world.settle()
    assert any("can no longer chaperone C-1" in t for t in world.texts("rosa"))
    states = await offers(world)
    assert states["v1"] == "withdrawn" and sum(s == "offered" for s in states.values()) == 6
    [mine] = await world.bot.handle(ButtonPressed(who("v6"), "chaperone.accept", "1"))
    assert mine.title.startswith("You're chaperoning for")


# --- volunteering ---------------------------------------------------------------------------


async def test_volunteering_form_pause_and_resume(world):
    [shown] = await world.bot.handle(Command(who("v1"), "volunteer"))
    assert shown.values["days"] == ["Mon", "Tue", "Wed", "Thu", "Fri"] and shown.values["start"] == "08:00"
    bad = dict(shown.values, start="18:00", end="09:00", unavailable="next tuesday")
    [again] = await world.bot.handle(FormSubmitted(who("v1"), "volunteer", bad))
    assert "after the start" in again.errors["end"] and "not a date" in again.errors["unavailable"]
    good = {"active": "yes", "settings": ["telehealth"], "days": ["Sat"], "start": "09:00", "end": "12:00",
            "sites": [], "professions": ["nurse"], "unavailable": "2026-01-10"}
    [saved] = await world.bot.handle(FormSubmitted(who("v1"), "volunteer", good))
    facts = dict(saved.facts)
    assert facts["When"] == "Sat 09:00-12:00 (Europe/London)" and facts["Away"] == "2026-01-10"
    [paused] = await world.bot.handle(Command(who("v1"), "volunteer", "off"))
    assert "Paused" in paused.text
    async with world.db.transaction() as tx:
        assert (await tx.session.get(VolunteerProfile, (await tx.people.by_key("v1")).id)).active is False
    [resumed] = await world.bot.handle(Command(who("v1"), "volunteer", "on"))
    assert "again" in resumed.paragraphs[0]
    [fresh] = await world.bot.handle(Command(ROSA, "volunteer"))  # anyone may opt in
    assert isinstance(fresh, Form)


async def test_the_button_on_a_step_three_report_opens_the_form_with_the_report(world):
    [card] = await world.bot.handle(FormSubmitted(ROSA, "report", {
        "category": "SEXUAL:remark", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}))
    button = next(b for b in card.buttons if b.action == "chaperone.for_report")
    [shown] = await world.bot.handle(ButtonPressed(ROSA, button.action, button.value))
    assert isinstance(shown, Form) and shown.values["report"] == "1"
    [other] = await world.bot.handle(ButtonPressed(who("v1"), button.action, button.value))
    assert "report" not in other.values  # someone else's report is not offered


async def test_when_nobody_is_left_to_ask_the_manager_is_told_at_the_deadline(world):
    await ask(world, start="11:00")
    await world.later(minutes=10)  # the second wave: all seven asked
    await world.later(minutes=80)  # 10:30
    [notice] = world.inbox("morgan")
    assert notice.title == "Escalation: an unfilled chaperone request"


async def test_status_shows_my_volunteering_with_a_pause_and_resume_toggle(world):
    views = await world.bot.handle(Command(who("v1"), "status"))
    card = next(v for v in views if isinstance(v, Card) and v.title == "Your chaperone availability")
    pause = next(b for b in card.buttons if b.action == "volunteer.toggle")
    assert pause.label == "Pause"
    await world.bot.handle(ButtonPressed(who("v1"), pause.action, pause.value))
    views = await world.bot.handle(Command(who("v1"), "status"))
    card = next(v for v in views if isinstance(v, Card) and v.title == "Your chaperone availability")
    assert dict(card.facts)["Taking requests"] == "Paused"
    assert next(b for b in card.buttons if b.action == "volunteer.toggle").label == "Resume"
    assert not any(isinstance(v, Card) and v.title == "Your chaperone availability"
                   for v in await world.bot.handle(Command(ROSA, "status")))


async def test_a_late_accept_settles_the_escalation_and_the_manager_sees_why(world):
    await ask(world, start="11:00")
    await world.later(minutes=10)
    await world.later(minutes=80)  # 10:30: everyone asked, so the manager is told
    assert world.inbox("morgan")
    [mine] = await world.bot.handle(ButtonPressed(who("v4"), "chaperone.accept", "1"))
    assert mine.title.startswith("You're chaperoning for")
    await world.settle()
    [update] = world.updates("morgan")
    facts = dict(update.facts)
    assert facts["Status"].startswith("Resolved") and "since then: Volunteer V4 accepted" in facts["What"]
    assert not [b for b in update.buttons if b.action in ("escalation.ack", "escalation.resolve")]
    await world.later(hours=2)
    assert len(world.inbox("morgan")) == 1  # no climbing, no reminders
