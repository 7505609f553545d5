"""Server-side drafts (issue 15): a half-written report survives an interruption. The core's
front door keeps what was typed (sealed), gives it back when the form is opened again, and
forgets it once the report is sent — or after a few days."""

from sqlalchemy import text

from bot.machinery import drafts
from bot.port.events import Command, FormSubmitted, Identity

ASHA, SAM = Identity("web", "demo", "asha"), Identity("web", "demo", "sam")
HALF = {"category": "CONTACT", "details": "asked for my number twice at the door"}


async def test_a_half_written_report_comes_back_and_goes_once_sent(demo_bot, db, clock):
    assert await demo_bot.save_draft(ASHA, "report", {**HALF, "_entry": "7"})
    assert not await demo_bot.save_draft(ASHA, "no.such.form", HALF)
    assert await demo_bot.draft(ASHA, "report") == HALF  # the web chat's own fields are not kept
    assert await demo_bot.draft(SAM, "report") == {}  # each person their own
    async with db.transaction() as tx:
        sealed = (await tx.session.execute(text("SELECT values_sealed FROM form_drafts"))).scalar_one()
        assert b"asked for my number" not in bytes(sealed)
    [form] = await demo_bot.handle(Command(ASHA, "report"))
    assert form.values == HALF
    await demo_bot.handle(FormSubmitted(ASHA, "report", {**HALF, "felt_unsafe": "no"}))
    assert await demo_bot.draft(ASHA, "report") == {}


async def test_a_draft_is_kept_for_a_few_days_only(demo_bot, db, clock):
    await demo_bot.save_draft(ASHA, "report", HALF)
    clock.advance(days=4)
    assert await demo_bot.draft(ASHA, "report") == {}
    async with db.transaction() as tx:
        assert await drafts.forget_old(tx, clock.now()) == 1
