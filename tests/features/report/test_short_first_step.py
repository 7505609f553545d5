"""A short first step (issue 15): the report form asks only what the advice needs at once; the
rest is an optional follow-up from the advice card, which refreshes the advice and never alerts
anyone by itself."""

from sqlalchemy import select

from bot.machinery.storage.models import AuditEntry
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Card, Form, Notice

ASHA = Identity("web", "demo", "asha")


async def add_details(bot, card, **values):
    add = next(b for b in card.buttons if b.label == "Add details")
    [form] = await bot.handle(ButtonPressed(ASHA, add.action, add.value))
    assert isinstance(form, Form) and form.form_id == "report.more" and not any(f.required for f in form.fields)
    return await bot.handle(FormSubmitted(ASHA, "report.more", values, state=form.state))


async def test_details_after_the_advice_sharpen_it_and_are_kept(demo_bot, db, sealer):
    [card] = await demo_bot.handle(FormSubmitted(ASHA, "report", {"felt_unsafe": "no", "category": "ROMANTIC"}))
    assert card.title == "Your report is saved privately"
    [refreshed] = await add_details(demo_bot, card, setting="home_visit", occurrence="persistent",
                                    client_ref="Blue heron", named="confidential")
    assert isinstance(refreshed, Card) and "Escalate to my manager" in [b.label for b in refreshed.buttons]
    async with db.transaction() as tx:
        report = await tx.reports.get(1)
        assert (report.setting, report.occurrence, report.step) == ("home_visit", "persistent", 4)
        assert report.confidential and sealer.open(report.client_ref_sealed) == "Blue heron"
        assert "report.detailed" in (await tx.session.scalars(select(AuditEntry.action))).all()


async def test_an_identifier_in_the_details_comes_back_with_what_was_typed(demo_bot):
    [card] = await demo_bot.handle(FormSubmitted(ASHA, "report", {"felt_unsafe": "no", "category": "GIFT"}))
    [form] = await add_details(demo_bot, card, client_ref="J.S.", setting="in_person")
    assert "initials" in form.errors["client_ref"] and form.values["setting"] == "in_person"


async def test_details_that_make_it_a_safety_matter_do_not_alert_anyone_by_themselves(demo_bot, db):
    [card] = await demo_bot.handle(FormSubmitted(ASHA, "report", {"felt_unsafe": "no", "category": "SEXUAL:remark"}))
    notice, refreshed = await add_details(demo_bot, card, factors=["coercion"])
    assert isinstance(notice, Notice) and "Nobody has been told yet" in notice.text
    assert any("sends this report to Morgan Reyes" in p for p in refreshed.paragraphs)
    async with db.transaction() as tx:
        assert (await tx.session.execute(select(AuditEntry.action).where(
            AuditEntry.action == "escalation.started"))).first() is None
