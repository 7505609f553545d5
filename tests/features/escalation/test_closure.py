"""Closure for the reporter (issue 15): the resolver's words for the reporter, kept apart from
the record's note and sealed, shown privately; "Is this resolved for you?" [Yes] [No, reopen]
— through the core, and through Slack and Teams."""

import json

import pytest
from sqlalchemy import select, text

from bot.features.escalation.storage import Escalation
from bot.machinery.storage.models import AuditEntry
from bot.org import orgfile
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Card, Dialog, Form
from tests.world import World

ASHA, MORGAN, SAM = (Identity("web", "demo", k) for k in ("asha", "morgan", "sam"))
RECORD = "Spoke to the client's key worker; visits are now in pairs."
FOR_ASHA = "From next week someone will always visit with you. Thank you for telling us."
DANGER = {"felt_unsafe": "yes", "category": "THREAT"}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return World(db, sealer, library, clock)


async def resolve(world, **values):
    await world.bot.handle(FormSubmitted(ASHA, "report", DANGER))
    await world.settle()
    [form] = await world.bot.handle(ButtonPressed(MORGAN, "escalation.resolve", "1"))
    assert isinstance(form, Form) and [f.name for f in form.fields] == ["note", "for_reporter"]
    [done] = await world.bot.handle(FormSubmitted(MORGAN, "escalation.resolve", values, state="1"))
    await world.settle()
    return done


def closure_card(world) -> Card:
    return [v for v in world.inbox("asha") if isinstance(v, Card) and v.title == "Your escalation is resolved"][-1]


async def test_the_reporter_reads_what_was_done_privately_and_confirms(world, db):
    done = await resolve(world, note=RECORD, for_reporter=FOR_ASHA)
    assert "what you wrote for them" in done.text
    card = closure_card(world)
    assert "Morgan Reyes has dealt with what you escalated (your report R-1)" in card.paragraphs[0]
    assert "Is this resolved for you?" in card.paragraphs
    assert [b.label for b in card.buttons] == ["What was done", "Yes", "No, reopen"]
    assert FOR_ASHA not in json.dumps([c.paragraphs for c in world.inbox("asha") if isinstance(c, Card)])
    [dialog] = await world.bot.handle(ButtonPressed(ASHA, "escalation.told", "1"))
    assert isinstance(dialog, Dialog) and FOR_ASHA in dialog.paragraphs and RECORD not in str(dialog)
    # Only the reporter can open it.
    [nope] = await world.bot.handle(ButtonPressed(SAM, "escalation.told", "1"))
    assert "can't find that" in nope.text
    async with db.transaction() as tx:
        sealed = (await tx.session.execute(text("SELECT reporter_note_sealed FROM escalations"))).scalar_one()
        assert FOR_ASHA.encode() not in bytes(sealed)
    [thanks] = await world.bot.handle(ButtonPressed(ASHA, "escalation.confirm", "1"))
    assert "Thank you" in thanks.text
    async with db.transaction() as tx:
        assert "escalation.confirmed" in (await tx.session.scalars(select(AuditEntry.action))).all()


async def test_no_reopen_starts_again_from_the_first_level(world, db):
    await resolve(world, note=RECORD)
    card = closure_card(world)
    assert [b.label for b in card.buttons] == ["Yes", "No, reopen"]  # nothing written for them: no dialog
    [reopened] = await world.bot.handle(ButtonPressed(ASHA, "escalation.reopen", "1"))
    assert "Reopened. Morgan Reyes has been told" in reopened.text
    await world.settle()
    assert [v.title for v in world.inbox("morgan") if v.title.startswith("Escalation")][-1] == \
        "Escalation: threats or aggression"
    async with db.transaction() as tx:
        second = await tx.session.get(Escalation, 2)
        assert second.reason == "reopened" and second.urgent and second.status == "open"
    [twice] = await world.bot.handle(ButtonPressed(ASHA, "escalation.reopen", "2"))
    assert "still open" in twice.text
