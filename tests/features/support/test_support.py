"""Peer support through the whole bot on a manual clock (Monday 5 January 2026, 09:00 in
London): asking, the private fan-out in waves, the first accept winning, what the supporter
sees, handing back, cancelling, closing kindly when nobody can, and check-ins."""

import asyncio

from sqlalchemy import select

from bot.features.support.storage import SupportOffer, SupportRequest
from bot.machinery.storage.models import Person
from bot.port.events import ButtonPressed
from bot.port.views import Card, Dialog, Form, Notice
from tests.support_harness import ask, offers_in, press, say, who, world  # noqa: F401
from tests.world import text_of


async def offers(world) -> dict[str, str]:
    async with world.db.transaction() as tx:
        rows = (await tx.session.execute(
            select(Person.key, SupportOffer.status).join(SupportOffer, SupportOffer.supporter_id == Person.id))).all()
    return dict(rows)


async def test_the_verb_shows_the_form_with_the_contacts_and_what_stays_private(world):
    [form] = await say(world, "rosa", "support")
    assert isinstance(form, Form) and form.form_id == "support"
    assert "Staff Support Line: 0800 000 111 (24 hours)" in form.intro and "Crisis Text Line" in form.intro
    assert "Your manager is not told" in form.intro
    assert [f.name for f in form.fields] == ["how", "soon", "site", "phone", "about", "shared"]


async def test_asked_privately_in_waves_first_accept_wins_and_the_others_are_told(world):
    [card] = await ask(world, shared="I keep going over it", phone="07700 900123", about="ROMANTIC")
    assert card.title == "Peer support requested"
    assert "I've asked 1 trained peer supporter privately" in card.paragraphs[0]
    assert ("Support for you", "Staff Support Line: 0800 000 111 (24 hours)") in card.facts
    assert {b.action for b in card.buttons} >= {"support.cancel", "support.check_in"}
    # One at a time (wave_size 1); never Rosa's manager, never a supporter of another team.
    assert await offers(world) == {"sol": "offered"}
    [offer] = offers_in(world, "sol")
    assert "Rosa" not in text_of(offer) and "keep going over" not in text_of(offer)

    await world.later(minutes=30)  # the next wave
    assert await offers(world) == {"sol": "offered", "tam": "offered"}
    assert world.inbox("morgan") == [] and world.inbox("una") == []

    [accepted] = await press(world, "tam", "support.accept", "1")
    assert accepted.title == "You're supporting Rosa Requester"
    assert ("Email", "rosa@clinic.invalid") in accepted.facts
    assert dict(accepted.facts)["What kind of situation"]
    assert "keep going over" not in text_of(accepted) and "07700" not in text_of(accepted)
    [dialog] = await press(world, "tam", "support.shared", "1")
    assert isinstance(dialog, Dialog) and "In their words: I keep going over it" in dialog.paragraphs
    assert ("Phone", "07700 900123") in dialog.facts

    assert await offers(world) == {"sol": "covered", "tam": "accepted"}
    assert "Another supporter has taken this one" in text_of(world.updates("sol")[-1])
    assert any("Tam Supporter will be in touch" in t for t in world.texts("rosa"))
    [late] = await press(world, "sol", "support.accept", "1")
    assert late == Notice("Another supporter has already taken this request. Thank you for offering.")
    [nope] = await press(world, "sol", "support.shared", "1")
    assert isinstance(nope, Notice)  # only the supporter who accepted opens it

    [closed] = await press(world, "rosa", "support.done", "1")
    assert closed.title == "Thank you for letting me know"
    assert "Thank you for supporting a colleague. It's closed." in world.texts("tam")[-1]


async def test_concurrent_accepts_exactly_one_wins(world, db):
    await ask(world)
    await world.later(minutes=30)
    answers = await asyncio.gather(*(world.bot.handle(ButtonPressed(who(k), "support.accept", "1"))
                                     for k in ("sol", "tam")))
    winners = [a for [a] in answers if isinstance(a, Card)]
    assert len(winners) == 1
    async with db.transaction() as tx:
        request = await tx.session.get(SupportRequest, 1)
        assert request.status == "accepted" and request.supporter_id is not None


async def test_hand_back_reopens_and_cancel_tells_the_supporter(world):
    await ask(world)
    await press(world, "sol", "support.accept", "1")
    [handed] = await press(world, "sol", "support.hand_back", "1")
    assert "handed S-1 back" in handed.text
    assert any("can't take your request after all" in t for t in world.texts("rosa"))
    assert (await offers(world))["tam"] == "offered"  # asked at once
    await press(world, "tam", "support.accept", "1")
    [cancelled] = await press(world, "rosa", "support.cancel", "1")
    assert "is cancelled" in cancelled.text
    assert "has cancelled S-1: no need to reach out" in world.texts("tam")[-1]
    [again] = await press(world, "rosa", "support.cancel", "1")
    assert again.text == "That request is cancelled."
    # after the fact (support/access.py): what was shared is the clinician's alone again
    [told] = await press(world, "tam", "support.shared", "1")
    assert told == Notice("That request is cancelled.")
    [mine] = await press(world, "rosa", "support.shared", "1")
    assert not isinstance(mine, Notice)
    [gone] = await press(world, "sol", "support.shared", "1")  # handed back earlier: not theirs
    assert "can't find" in gone.text


async def test_out_of_hours_it_waits_for_the_first_supporter_on_and_closes_kindly_if_nobody_takes_it(world, clock):
    clock.advance(days=4, hours=11)  # Friday 20:00
    [card] = await ask(world)
    assert "No peer supporter is on right now" in card.paragraphs[0]
    assert "Mon 12 Jan, 08:00 (Europe/London)" in card.paragraphs[0]
    assert await offers(world) == {}
    await world.later(days=2, hours=12)  # Monday 08:00
    assert set(await offers(world)) == {"sol"}
    await world.later(hours=2)  # widened: everyone available
    assert await offers(world) == {"sol": "offered", "tam": "offered"}
    await world.later(hours=22)  # a day after the first supporter came on
    unfilled = [v for v in world.inbox("rosa") if isinstance(v, Card) and v.title.startswith("No peer supporter")]
    assert unfilled and "nothing to do with you" in unfilled[0].paragraphs[0]
    assert ("Crisis services", "Crisis Text Line: 85258") in unfilled[0].facts
    assert await offers(world) == {"sol": "expired", "tam": "expired"}


async def test_what_identifies_a_client_is_refused_and_nothing_is_lost(world):
    [form] = await ask(world, shared="she rang me on 07700 900123 again", phone="not a number")
    assert isinstance(form, Form) and set(form.errors) == {"shared", "phone"}
    assert form.values["shared"] == "she rang me on 07700 900123 again"


async def test_a_check_in_asks_again_when_told_and_stops_when_told(world):
    await ask(world)
    [set_card] = await press(world, "rosa", "support.check_in", "2d")
    assert "Wed 7 Jan, 09:00 (Europe/London)" in set_card.paragraphs[0]
    [status] = [v for v in await say(world, "rosa", "status") if isinstance(v, Card) and v.title == "A check-in is set"]
    await world.later(days=2)
    [question] = [v for v in world.inbox("rosa") if isinstance(v, Card) and v.title == "How are you doing?"]
    check_in = question.buttons[0].value.split(":")[0]
    [later] = await press(world, "rosa", "support.answer", f"{check_in}:later")
    assert "Fri 9 Jan, 09:00" in later.text
    await world.later(days=2)
    assert len([v for v in world.inbox("rosa") if isinstance(v, Card) and v.title == "How are you doing?"]) == 2
    [not_ok] = await press(world, "rosa", "support.answer", f"{check_in}:not_ok")
    assert "understandable" in not_ok.paragraphs[0] and not_ok.buttons[0].action == "support.start"
    [again] = await press(world, "rosa", "support.check_in", "1d")
    [stop] = again.buttons
    assert await press(world, "tam", "support.stop", stop.value) == [Notice(
        "That check-in has already finished. Type support any time.")]  # only Rosa's own
    [stopped] = await press(world, "rosa", "support.stop", stop.value)
    assert stopped.text.startswith("I've stopped checking in")
    await world.later(days=3)
    assert len([v for v in world.inbox("rosa") if isinstance(v, Card) and v.title == "How are you doing?"]) == 2
