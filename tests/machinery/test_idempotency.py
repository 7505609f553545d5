"""A platform delivering the same event again never has a second effect."""

import asyncio

from sqlalchemy import func, select

from bot.machinery.storage.models import Report
from bot.port.events import ButtonPressed, FormSubmitted, Identity

ASHA = Identity("web", "demo", "asha")
FORM = {"category": "GIFT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}


async def count_reports(db) -> int:
    async with db.transaction() as tx:
        return await tx.session.scalar(select(func.count()).select_from(Report))


async def test_the_same_event_four_times_has_one_effect(demo_bot, db):
    event = FormSubmitted(ASHA, "report", FORM, event_id="Ev123")
    answers = [await demo_bot.handle(event) for _ in range(4)]
    assert answers[0][0].title.startswith("Your report is saved")
    assert answers[1:] == [[], [], []]
    assert await count_reports(db) == 1


async def test_concurrent_redeliveries_have_one_effect(demo_bot, db):
    event = FormSubmitted(ASHA, "report", FORM, event_id="Ev-concurrent")
    answers = await asyncio.gather(*(demo_bot.handle(event) for _ in range(4)))
    assert sorted(len(a) for a in answers) == [0, 0, 0, 1]
    assert await count_reports(db) == 1


async def test_event_ids_are_scoped_to_their_platform_workspace(demo_bot, db):
    await demo_bot.handle(FormSubmitted(ASHA, "report", FORM, event_id="same"))
    await demo_bot.handle(FormSubmitted(Identity("web", "other-demo", "asha"), "report", FORM, event_id="same"))
    await demo_bot.handle(FormSubmitted(ASHA, "report", FORM, event_id="different"))
    assert await count_reports(db) == 2  # the second is an unknown person in another workspace


async def test_an_event_that_failed_can_be_delivered_again(demo_bot, db, monkeypatch):
    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(demo_bot.sealer, "seal", broken)
    event = FormSubmitted(ASHA, "report", {**FORM, "details": "x y z"}, event_id="retry-me")
    [failed] = await demo_bot.handle(event)
    assert "nothing was saved" in failed.text
    monkeypatch.undo()
    [card] = await demo_bot.handle(event)  # the retry is not mistaken for a duplicate
    assert card.title.startswith("Your report is saved")


async def test_button_redeliveries_act_once(demo_bot, db):
    await demo_bot.handle(FormSubmitted(ASHA, "report", FORM))
    first = await demo_bot.handle(ButtonPressed(ASHA, "report.withdraw", "1", event_id="b1"))
    again = await demo_bot.handle(ButtonPressed(ASHA, "report.withdraw", "1", event_id="b1"))
    assert "is withdrawn" in first[0].text and again == []
