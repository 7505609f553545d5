"""Someone acting far faster than a person can is slowed down with a clear message, and
loses nothing: a form comes back with what they typed, and the same submission sent again
after the wait goes through."""

import pytest
from sqlalchemy import func, select

from bot.machinery.storage.models import Report
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Form, Notice

ASHA, JORDAN = Identity("web", "demo", "asha"), Identity("web", "demo", "jordan")
REPORT = {"category": "GIFT", "setting": "other", "occurrence": "first", "felt_unsafe": "no",
          "details": "left flowers at reception"}


async def reports(db) -> int:
    async with db.transaction() as tx:
        return await tx.session.scalar(select(func.count()).select_from(Report))


async def test_button_presses_far_faster_than_a_person_are_slowed(demo_bot, clock):
    answers = [await demo_bot.handle(ButtonPressed(ASHA, "status.show")) for _ in range(25)]
    slowed = [a for a in answers if len(a) == 1 and isinstance(a[0], Notice) and "faster than I can" in a[0].text]
    assert len(slowed) == 5 and answers[:20] == [answers[0]] * 20
    assert "wait 1 second, then try again" in slowed[0][0].text
    assert (await demo_bot.handle(ButtonPressed(JORDAN, "status.show"))) != slowed[0]  # others aren't affected
    clock.advance(seconds=1)
    assert "faster than I can" not in str(await demo_bot.handle(ButtonPressed(ASHA, "status.show")))


@pytest.mark.parametrize("event_id", [None, "same-event"])
async def test_a_form_sent_too_fast_comes_back_with_what_was_typed(demo_bot, db, clock, event_id):
    for n in range(10):
        await demo_bot.handle(FormSubmitted(ASHA, "report", REPORT, event_id=f"e{n}"))
    assert await reports(db) == 10
    [form] = await demo_bot.handle(FormSubmitted(ASHA, "report", REPORT, event_id=event_id))
    assert isinstance(form, Form) and form.form_id == "report"
    assert form.values == REPORT  # nothing typed is lost
    [message] = form.errors.values()
    assert "faster than I can keep up" in message and "wait 5 seconds, then press Save and get advice again" in message
    assert await reports(db) == 10
    clock.advance(seconds=5)
    [card] = await demo_bot.handle(FormSubmitted(ASHA, "report", REPORT, event_id=event_id))
    assert card.title.startswith("Your report is saved privately")  # the same submission, now taken
    assert await reports(db) == 11
