"""The organisation file's people-care entries: peer supporters, standing deputies,
working hours and holidays, approval deadlines: each checked with a message naming its entry."""

import pytest
from sqlalchemy import select

from bot.features.away.storage import StandingDeputy
from bot.features.support.storage import PeerSupporter
from bot.machinery.storage.models import Organisation, Team
from bot.org import orgfile

BASE = """
organisation: {name: X, timezone: Europe/London, holidays: {country: GB, region: ENG}, closed: [2026-12-24]}
people:
  - {key: ann, name: Ann, deputy: bob}
  - {key: bob, name: Bob}
teams:
  - {key: ward, name: Ward, managers: [bob], members: [ann], hours: {days: "Mon-Fri 08:00-18:00"},
     referral: {approval: required, approve_within: 2d, approval_fallback_after: 2h}}
peer_support:
  wave_size: 2
  supporters: [{who: bob, teams: [ward], availability: "Mon-Fri 09:00-17:00"}]
"""


@pytest.mark.parametrize(("change", "expected"), [
    (("deputy: bob", "deputy: zed"), "people[0] (key 'ann'): deputy: no person with key 'zed'"),
    (("deputy: bob", "deputy: ann"), "deputy: someone else, not themselves"),
    (("who: bob", "who: zed"), "peer_support.supporters[0]: no person with key 'zed'"),
    (("teams: [ward]", "teams: [icu]"), "peer_support.supporters[0].teams: no team with key 'icu'"),
    (("country: GB", "country: XX"), "no public holiday calendar for country 'XX'"),
    (("Mon-Fri 08:00-18:00", "weekdays"), "is not like 'Mon-Fri 08:00-18:00'"),
    (("approve_within: 2d", "approve_within: 30d"), "approve_within in days must be between 1 and 10"),
    (("closed: [2026-12-24]", "closed: [christmas]"), "organisation.closed[0]"),
])
def test_mistakes_are_named(change, expected):
    with pytest.raises(orgfile.OrgFileError) as caught:
        orgfile.parse(BASE.replace(*change))
    assert expected in str(caught.value)


async def test_applying_stores_hours_supporters_and_deputies(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(BASE))
    async with db.transaction() as tx:
        org = await tx.session.get(Organisation, 1)
        assert org.peer_support is not None
        team = (await tx.session.scalars(select(Team))).one()
        supporter = (await tx.session.scalars(select(PeerSupporter))).one()
        deputies = (await tx.session.scalars(select(StandingDeputy))).all()
    assert team.working_hours["country"] == "GB" and team.working_hours["closed"] == ["2026-12-24"]
    assert team.referral_policy["approve_within"] == "2d"
    assert supporter.team_keys == ["ward"] and supporter.timezone == "Europe/London"
    assert len(deputies) == 1
    async with db.transaction() as tx:  # applying again changes nothing and keeps one of each
        summary = await orgfile.apply(tx, orgfile.parse(BASE))
        assert not summary.changed
        assert len((await tx.session.scalars(select(PeerSupporter))).all()) == 1
