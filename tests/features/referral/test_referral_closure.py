"""Closure for the referrer (issue 15 item 4): when the receiver closes a referral the referrer
is told, in words the receiver chose, and asked "Is this resolved for you?"; [No, reopen]
opens the checklist again and tells the receiver and the referrer's manager."""

from sqlalchemy import select

from bot.features.escalation.storage import Escalation
from bot.features.referral import closure, wording
from bot.machinery.storage.models import AuditEntry
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Dialog, Form, Notice
from tests.features.referral.test_referral import (  # noqa: F401
    RITA,
    ROSA,
    SAM,
    everything_sent,
    ids,
    refer,
    state,
    world,
)

TOLD = "First session booked for Thursday; they were glad of the handover"


async def accepted_by_rita(world) -> None:
    people = await ids(world)
    await refer(world, to=f"person:{people['rita']}")
    await world.bot.handle(ButtonPressed(RITA, "referral.accept", "1"))
    await world.settle()


async def actions(world) -> list[str]:
    async with world.db.transaction() as tx:
        return [e.action for e in (await tx.session.scalars(select(AuditEntry))).all()]


async def test_the_receiver_closes_with_a_note_and_the_referrer_reads_it_and_says_yes(world):
    await accepted_by_rita(world)
    [form] = await world.bot.handle(ButtonPressed(RITA, "referral.tick", "1:closed"))
    assert isinstance(form, Form) and form.form_id == closure.CLOSE_FORM
    assert [f.label for f in form.fields] == ["What to tell the referrer (optional)"]
    [refused] = await world.bot.handle(FormSubmitted(ROSA, closure.CLOSE_FORM, {"for_referrer": "x"}, state="1"))
    assert refused == wording.NOT_FOUND  # only the receiver who accepted closes it with a note
    [again] = await world.bot.handle(FormSubmitted(RITA, closure.CLOSE_FORM,
                                                   {"for_referrer": "Seen; NHS 943 476 5919"}, state="1"))
    assert isinstance(again, Form) and "for_referrer" in again.errors
    [closed] = await world.bot.handle(FormSubmitted(RITA, closure.CLOSE_FORM, {"for_referrer": TOLD}, state="1"))
    assert closed.title == "The referral is closed" and (await state(world)).status == "closed"
    await world.settle()
    card = world.inbox("rosa")[-1]
    assert card.title == "Your referral is complete"
    assert card.paragraphs[0] == "Rita Receiver has closed your referral F-1: the handover is done."
    assert "Is this resolved for you?" in card.paragraphs
    assert [b.label for b in card.buttons] == ["What was done", "Yes", "No, reopen"]
    assert TOLD not in everything_sent(world)  # the words open only privately
    await world.later(minutes=5)
    assert sum(getattr(v, "title", "") == card.title for v in world.inbox("rosa")) == 1  # sent once
    for stranger in (RITA, SAM):
        for action in (closure.READ, closure.CONFIRM, closure.REOPEN):
            [refused] = await world.bot.handle(ButtonPressed(stranger, action, "1"))
            assert refused == wording.NOT_FOUND, (stranger, action)
    [dialog] = await world.bot.handle(ButtonPressed(ROSA, closure.READ, "1"))
    assert isinstance(dialog, Dialog) and TOLD in dialog.paragraphs and "From Rita Receiver:" in dialog.paragraphs
    [thanks] = await world.bot.handle(ButtonPressed(ROSA, closure.CONFIRM, "1"))
    assert isinstance(thanks, Notice) and "Thank you for letting me know" in thanks.text
    assert "referral.confirmed" in await actions(world)


async def test_no_reopens_the_checklist_and_tells_the_receiver_and_the_manager(world):
    await accepted_by_rita(world)
    [form] = await world.bot.handle(ButtonPressed(RITA, "referral.tick", "1:closed"))
    await world.bot.handle(FormSubmitted(RITA, closure.CLOSE_FORM, {}, state="1"))
    await world.settle()
    card = world.inbox("rosa")[-1]
    assert [b.label for b in card.buttons] == ["Yes", "No, reopen"]  # no note: nothing to open
    [reopened] = await world.bot.handle(ButtonPressed(ROSA, closure.REOPEN, "1"))
    assert reopened.text.startswith("I've reopened the referral. Rita Receiver has been told it is not resolved for you")
    assert "Morgan Manager has been told too" in reopened.text
    assert (await state(world)).status == "accepted" and (await state(world)).closed_at is None
    await world.settle()
    told = world.inbox("rita")[-1]
    assert isinstance(told, Card) and told.title == "Rosa Referrer says the referral is not resolved for them"
    assert any(b.label == "Close the referral" for b in told.buttons)
    async with world.db.transaction() as tx:
        [esc] = (await tx.session.scalars(select(Escalation))).all()
    assert (esc.subject_type, esc.reason) == ("referral", "reopened")
    notice = world.inbox("morgan")[-1]
    assert notice.title == "Escalation: a referral the referrer says is not resolved"
    assert "referral.reopened" in await actions(world)
    [twice] = await world.bot.handle(ButtonPressed(ROSA, closure.REOPEN, "1"))
    assert isinstance(twice, Notice) and not twice.text.startswith("Reopened")
    # Closed again, the escalation settles by itself.
    await world.bot.handle(ButtonPressed(RITA, "referral.tick", "1:closed"))
    await world.bot.handle(FormSubmitted(RITA, closure.CLOSE_FORM, {}, state="1"))
    async with world.db.transaction() as tx:
        assert (await tx.session.get(Escalation, esc.id)).status == "resolved"


async def test_the_referrer_closing_it_themselves_is_not_asked(world):
    await accepted_by_rita(world)
    [closed] = await world.bot.handle(ButtonPressed(ROSA, "referral.tick", "1:closed"))
    assert closed.title == "The referral is closed"
    await world.settle()
    assert not any(getattr(v, "title", "") == "Your referral is complete" for v in world.inbox("rosa"))
    assert world.inbox("rita")[-1].title == "Rosa Referrer closed it on the referral"


# --- a referral that ends declined or returned asks too -----------------------------------------


async def declined_by_rita(world) -> Card:
    people = await ids(world)
    await refer(world, to=f"person:{people['rita']}")
    await world.bot.handle(ButtonPressed(RITA, "referral.decline", "1"))
    await world.bot.handle(FormSubmitted(RITA, wording.DECLINE_FORM, {"reason": "No capacity until spring"}, state="1"))
    await world.settle()
    return world.inbox("rosa")[-1]


async def escalations(world) -> list[Escalation]:
    async with world.db.transaction() as tx:
        return list((await tx.session.scalars(select(Escalation))).all())


async def test_a_declined_referral_asks_and_says_who_no_would_tell_before_anyone_is(world):
    card = await declined_by_rita(world)
    assert [b.label for b in card.buttons][-2:] == ["Yes", "No, reopen"]
    assert "Choose someone else" in [b.label for b in card.buttons]  # the next step is still there
    assert "Is this resolved for you? If not, No, reopen tells Morgan Manager" in card.paragraphs[-1]
    assert await escalations(world) == []  # nobody told yet
    [thanks] = await world.bot.handle(ButtonPressed(ROSA, closure.CONFIRM, "1"))
    assert isinstance(thanks, Notice) and "stays in your care" in thanks.text
    assert "referral.confirmed" in await actions(world) and (await state(world)).status == "declined"


async def test_no_on_a_declined_referral_tells_the_managers_and_keeps_the_next_step(world):
    await declined_by_rita(world)
    [help_] = await world.bot.handle(ButtonPressed(ROSA, closure.REOPEN, "1"))
    assert isinstance(help_, Card) and help_.title == "Your managers will help"
    assert "I've told Morgan Manager that this is not resolved for you" in help_.paragraphs[0]
    assert [(b.label, b.action) for b in help_.buttons] == [("Choose someone else", "referral.reroute")]
    [esc] = await escalations(world)
    assert (esc.subject_type, esc.reason) == ("referral", "reopened") and "declined" in esc.summary
    await world.settle()
    assert world.inbox("morgan")[-1].title.endswith("a referral the referrer says is not resolved")
    assert (await state(world)).status == "declined" and (await state(world)).escalation_id == esc.id
    [twice] = await world.bot.handle(ButtonPressed(ROSA, closure.REOPEN, "1"))
    assert "already know" in twice.paragraphs[0] and len(await escalations(world)) == 1
    for stranger in (RITA, SAM):
        [refused] = await world.bot.handle(ButtonPressed(stranger, closure.REOPEN, "1"))
        assert refused == wording.NOT_FOUND
    # Once someone else is chosen, the old question no longer applies.
    people = await ids(world)
    await world.bot.handle(FormSubmitted(ROSA, wording.REROUTE_FORM, {"receiver": f"person:{people['sam']}"},
                                         state="1"))
    [later] = await world.bot.handle(ButtonPressed(ROSA, closure.REOPEN, "1"))
    assert isinstance(later, Notice) and len(await escalations(world)) == 1


async def test_a_returned_referral_asks_and_no_offers_to_start_again(world):
    people = await ids(world)
    rita = Identity("web", "demo", "rita")  # in the Strict team: approval required
    await world.bot.handle(Command(rita, "refer"))
    await world.bot.handle(FormSubmitted(rita, wording.FORM_ID, {
        "reason": "objectivity", "urgency": "routine", "receiver": f"person:{people['rosa']}", "note": "n"}))
    await world.settle()
    olga = Identity("web", "demo", "olga")
    await world.bot.handle(FormSubmitted(olga, wording.RETURN_FORM, {"reason": "Talk to me first"}, state="1"))
    await world.settle()
    back = world.inbox("rita")[-1]
    assert "Is this resolved for you? If not, No, reopen tells Olga Other-manager" in back.paragraphs[-1]
    [help_] = await world.bot.handle(ButtonPressed(rita, closure.REOPEN, "1"))
    assert isinstance(help_, Card) and [b.label for b in help_.buttons] == ["Start again"]
    [esc] = await escalations(world)
    assert "returned by a manager" in esc.summary
