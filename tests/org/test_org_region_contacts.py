"""The organisation's region (with older `jurisdiction` files still read) and its safety
contacts: checked field by field, stored, and used to choose what the bot cites."""

import pytest

from bot.content.regions import Region
from bot.machinery.storage.models import Organisation
from bot.org import orgfile

PEOPLE = "\npeople: [{key: ann, name: Ann}]"


def org(fields: str) -> orgfile.OrgFile:
    return orgfile.parse("organisation: {name: X, " + fields + "}" + PEOPLE)


@pytest.mark.parametrize(("fields", "region"), [
    ("region: UK-Scotland", Region.SCOTLAND), ("region: uk-wales", Region.WALES),
    ("region: US", Region.US), ("region: any", None), ("timezone: UTC", None),
    ("jurisdiction: US", Region.US), ("jurisdiction: UK", Region.UK),
])
def test_regions_and_older_files(fields, region):
    assert org(fields).organisation.resolved_region == region


def test_an_older_uk_file_is_read_with_a_clear_note():
    notes = org("jurisdiction: UK").organisation.notes
    assert any("write region instead" in n for n in notes)
    assert any("UK-England" in n and "left out" in n for n in notes)


@pytest.mark.parametrize(("fields", "expected"), [
    ("region: Mars", "organisation.region: unknown region 'Mars'"),
    ("region: UK-England, jurisdiction: US", "disagree"),
    ("contacts: {security: {name: Desk}}", "organisation.contacts.security: give at least one of phone"),
    ("contacts: {crisis_line: {name: C, phone: call me}}", "organisation.contacts.crisis_line.phone: not a phone"),
    ("contacts: {speak_up: {name: S, email: nope}}", "organisation.contacts.speak_up.email: not an email"),
    ("contacts: {speak_up: {name: S, url: intranet}}", "organisation.contacts.speak_up.url: not a web address"),
    ("contacts: {janitor: {name: J, phone: '1234'}}", "organisation.contacts.janitor"),
])
def test_bad_regions_and_contacts_name_the_field(fields, expected):
    with pytest.raises(orgfile.OrgFileError) as caught:
        org(fields)
    assert any(expected in p for p in caught.value.problems), caught.value.problems


async def test_apply_stores_region_contacts_and_the_reviewed_option(db):
    spec = org("jurisdiction: UK, contacts: {safeguarding_lead: {name: Jo, phone: '020 7946 0101'}}, "
               "show_only_reviewed_scripts: true")
    async with db.transaction() as tx:
        summary = await orgfile.apply(tx, spec)
    assert any(line.startswith("note: ") for line in summary.lines())
    async with db.transaction() as tx:
        row = await tx.session.get(Organisation, 1)
        assert (row.region, row.jurisdiction, row.reviewed_scripts_only) == ("UK", "UK", True)
        assert row.contacts == {"safeguarding_lead": {"name": "Jo", "phone": "020 7946 0101"}}
    async with db.transaction() as tx:
        again = await orgfile.apply(tx, spec)
    assert not again.changed
