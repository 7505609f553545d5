"""A child safeguarding concern reaches the named lead (issue 15, a gap from issue 14): the org
file links the contact to a person (``person:``), the advice card says who is told, when and
what they will see before the clinician presses, and the lead's notice carries no narrative."""

import pytest
from sqlalchemy import select

from bot.machinery.storage.models import AuditEntry
from bot.org import orgfile
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Card
from tests.world import World

PRIYA = Identity("web", "demo", "priya")
SECRET = "the teenager messaged me on my private account at night"


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return World(db, sealer, library, clock)


async def test_the_lead_is_told_only_after_the_clinician_has_seen_who_and_what(world, db):
    [card] = await world.bot.handle(FormSubmitted(PRIYA, "report", {
        "felt_unsafe": "no", "category": "SOCIAL_MEDIA", "condition": "child", "details": SECRET}))
    await world.settle()
    assert world.inbox("chris") == []  # nothing sent before the clinician chooses
    preview = next(p for p in card.paragraphs if p.startswith("If you press Tell Dr Chris Osei (clinical lead) now"))
    assert "at once" in preview and "Nothing you wrote is included" in preview
    tell = next(b for b in card.buttons if b.action == "report.safeguard")
    [told] = await world.bot.handle(ButtonPressed(PRIYA, tell.action, tell.value))
    assert told.title == "Dr Chris Osei (clinical lead) has been told"
    await world.settle()
    [notice] = [v for v in world.inbox("chris") if isinstance(v, Card)]
    assert notice.title == "A safeguarding concern about a child"
    assert dict(notice.facts)["From"] == "Priya Nair" and SECRET not in str(notice)
    # Pressing twice tells them once.
    [again] = await world.bot.handle(ButtonPressed(PRIYA, tell.action, tell.value))
    await world.settle()
    assert "already told" in again.paragraphs[0] and len(world.inbox("chris")) == 1
    async with db.transaction() as tx:
        assert (await tx.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "report.safeguarding_told"))).all() == ["report.safeguarding_told"]


def test_a_contact_naming_nobody_in_the_file_is_refused():
    document = """
organisation:
  name: Test
  contacts:
    safeguarding_lead: {name: Jo, phone: "ext. 1", person: nobody}
people:
  - {key: jo, name: Jo, identities: [{platform: web, user: jo}]}
"""
    with pytest.raises(Exception) as problem:
        orgfile.parse(document)
    assert "organisation.contacts.safeguarding_lead.person: no person with key 'nobody'" in str(problem.value)
