"""Closure for the requester (issue 15 item 4): when a chaperone request ends they are told what
happened and asked "Is this resolved for you?"; [No, I still need someone] leads somewhere."""

from sqlalchemy import select

from bot.features.chaperone import closure, wording
from bot.machinery.storage.models import AuditEntry
from bot.port.events import ButtonPressed
from bot.port.views import Card, Form, Notice
from tests.features.chaperone.test_chaperone import ROSA, ask, the_request, who, world  # noqa: F401
from tests.world import text_of


async def audited(world, action: str) -> int:
    async with world.db.transaction() as tx:
        return len((await tx.session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def test_unfilled_tells_the_requester_and_no_leads_to_a_next_step(world):
    await ask(world, start="09:30")  # nobody accepts before it starts
    await world.later(minutes=31)
    assert (await the_request(world)).status == "unfilled"
    [card] = [v for v in world.inbox("rosa") if isinstance(v, Card) and v.title == "Nobody could chaperone your session"]
    assert "No volunteer was free for your session on Mon 5 Jan, 09:30–10:00." in text_of(card)
    assert [b.label for b in card.buttons] == ["Yes", "No, I still need someone"]
    assert "call security" not in text_of(card)  # said only when it was urgent
    await world.later(minutes=5)
    assert len([v for v in world.inbox("rosa") if getattr(v, "title", "") == card.title]) == 1  # sent once
    # Only the requester may answer; anyone else gets the same "can't find" as elsewhere.
    [stranger] = await world.bot.handle(ButtonPressed(who("v1"), closure.STILL_NEED, "1"))
    assert stranger == wording.NOT_FOUND
    [forged] = await world.bot.handle(ButtonPressed(who("morgan"), closure.CONFIRM, "1"))
    assert forged == wording.NOT_FOUND
    [next_step] = await world.bot.handle(ButtonPressed(ROSA, closure.STILL_NEED, "1"))
    assert next_step.title == "Let's find you someone"
    assert [b.label for b in next_step.buttons] == ["Get a colleague with me now", "Ask for another time"]
    assert await audited(world, "chaperone.still_needed") == 1
    again = next(b for b in next_step.buttons if b.label == "Ask for another time")
    [shown] = await world.bot.handle(ButtonPressed(ROSA, again.action, again.value))
    assert isinstance(shown, Form) and shown.form_id == wording.FORM_ID
    now = next(b for b in next_step.buttons if b.label == "Get a colleague with me now")
    [coming] = await world.bot.handle(ButtonPressed(ROSA, now.action, now.value))
    assert coming.title == "Getting a colleague to you"


async def test_recorded_session_asks_and_yes_is_audited(world):
    await ask(world, urgent="yes")
    [live] = await world.bot.handle(ButtonPressed(ROSA, closure.CONFIRM, "1"))
    assert isinstance(live, Notice) and "Your chaperone request is still going" in live.text
    await world.bot.handle(ButtonPressed(who("v2"), "chaperone.accept", "1"))
    [card] = await world.bot.handle(ButtonPressed(ROSA, "chaperone.record", "1:did_not_happen"))
    assert card.title == "Session recorded" and "did not happen" in text_of(card)
    assert "Is this resolved for you?" in card.paragraphs
    [thanks] = await world.bot.handle(ButtonPressed(ROSA, closure.CONFIRM, "1"))
    assert "Thank you for letting me know" in thanks.text
    assert await audited(world, "chaperone.confirmed") == 1


async def test_an_urgent_request_nobody_took_says_to_call_security_first(world):
    [coming] = await world.bot.handle(ButtonPressed(ROSA, "chaperone.now", "none"))
    assert coming.title == "Getting a colleague to you"
    await world.later(hours=1)
    [card] = [v for v in world.inbox("rosa") if getattr(v, "title", "") == "Nobody could chaperone your session"]
    assert "If you feel unsafe now, call security or the emergency number." in card.paragraphs
    assert [b.label for b in card.buttons] == ["Yes", "No, I still need someone"]
