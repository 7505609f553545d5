"""The organisation file: precise errors, all-or-nothing, idempotent."""

import pytest
from sqlalchemy import func, select

from bot.machinery.storage.models import Identity, Person, TeamMember
from bot.org import orgfile

GOOD = """
organisation: {name: Test Clinic, jurisdiction: UK, timezone: Europe/London}
people:
  - {key: ann, name: Ann, email: Ann@Example.org, profession: nurse}
  - {key: bob, name: Bob, email: bob@example.org, profession: doctor, volunteer: true,
     identities: [{platform: slack, workspace: T1, user: U1}]}
  - {key: cat, name: Cat, admin: true}
teams:
  - {key: ward, name: Ward, managers: [cat], members: [ann, bob]}
"""


def test_example_and_demo_files_are_valid():
    from adapters.cli import EXAMPLE_ORG

    assert orgfile.load(EXAMPLE_ORG).people
    demo = orgfile.demo()
    assert demo.organisation.demo is True
    assert sum(p.volunteer for p in demo.people) == 2
    assert any(p.admin for p in demo.people)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("people: []", "organisation: Field required"),
        ("organisation: {name: X}\npeople: [{key: ann, name: Ann, email: nope}]",
         "people[0] (key 'ann').email: not an email address"),
        ("organisation: {name: X}\npeople: [{key: ann, name: Ann, profession: wizard}]",
         "people[0] (key 'ann').profession: Input should be"),
        ("organisation: {name: X}\npeople: [{key: Ann Smith, name: Ann}]", "people[0] (key 'Ann Smith').key"),
        ("organisation: {name: X, timezone: Mars/Base}\npeople: []", "unknown time zone 'Mars/Base'"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}, {key: a, name: B}]", "people[1] (key 'a'): key is used twice"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, managers: [zed]}]",
         "teams[0] (key 't'): managers: no person with key 'zed'"),
        ("organisation: {name: X}\npeople: [{key: a, name: A, identities: [{platform: slack, workspace: T, user: U}]},"
         " {key: b, name: B, identities: [{platform: slack, workspace: T, user: U}]}]", "also given to 'a'"),
        ("organisation: {name: X}\npeople: [{key: a, name: A, shoe_size: 9}]", "people[0] (key 'a').shoe_size: Extra inputs"),
        ("organisation: [unclosed", "line 1: not valid YAML"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, members: [a],"
         " escalation: {levels: [{who: managers}]}}]",
         "teams[0] (key 't'): escalation.levels[0].who: 'managers', but the team has no managers"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, managers: [a],"
         " escalation: {levels: [{who: [zed], wait: 10m}]}}]",
         "teams[0] (key 't'): escalation.levels[0].who: no person with key 'zed'"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, managers: [a],"
         " escalation: {levels: [{who: managers, wait: soon}]}}]",
         "teams[0] (key 't').escalation.levels[0].wait: 'soon' is not a duration"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, managers: [a],"
         " escalation: {levels: [{who: managers, wait: 10s}]}}]", "wait must be between 1 minute and 7 days"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, managers: [a],"
         " escalation: {levels: []}}]", "teams[0] (key 't').escalation.levels: List should have at least 1 item"),
        ("organisation: {name: X}\npeople: [{key: a, name: A}]\nteams: [{key: t, name: T, managers: [a],"
         " escalation: {levels: [{who: managers}], repeat_last: -1}}]", "repeat_last: Input should be greater"),
    ],
)
def test_problems_name_the_file_the_entry_and_the_problem(text, expected):
    with pytest.raises(orgfile.OrgFileError) as caught:
        orgfile.parse(text, "org.yaml")
    assert any(p.startswith("org.yaml: ") and expected in p for p in caught.value.problems), caught.value.problems


def test_a_missing_file_is_a_clear_problem(tmp_path):
    with pytest.raises(orgfile.OrgFileError, match="cannot read the file"):
        orgfile.load(tmp_path / "absent.yaml")


async def _counts(db):
    async with db.transaction() as tx:
        s = tx.session
        return (
            await s.scalar(select(func.count()).select_from(Person)),
            await s.scalar(select(func.count()).select_from(Identity)),
            await s.scalar(select(func.count()).select_from(TeamMember)),
        )


async def test_apply_creates_then_a_second_apply_changes_nothing(db):
    spec = orgfile.parse(GOOD)
    async with db.transaction() as tx:
        first = await orgfile.apply(tx, spec)
    assert sorted(first.created) == ["ann", "bob", "cat"] and first.teams_created == ["ward"]
    counts = await _counts(db)
    assert counts == (3, 1, 3)
    async with db.transaction() as tx:
        second = await orgfile.apply(tx, spec)
    assert not second.changed, second.lines()
    assert await _counts(db) == counts
    async with db.transaction() as tx:
        ann = await tx.people.by_key("ann")
        assert ann.email == "ann@example.org"  # stored lower-case for matching


async def test_apply_updates_moves_and_deactivates(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(GOOD))
    changed = GOOD.replace("  - {key: ann, name: Ann, email: Ann@Example.org, profession: nurse}\n", "").replace(
        "members: [ann, bob]", "members: [bob]"
    ).replace("name: Bob,", "name: Robert,")
    async with db.transaction() as tx:
        summary = await orgfile.apply(tx, orgfile.parse(changed))
    assert summary.deactivated == ["ann"] and summary.updated == ["bob"] and summary.teams_updated == ["ward"]
    async with db.transaction() as tx:
        assert (await tx.people.by_key("ann")).active is False
        assert (await tx.people.by_key("bob")).display_name == "Robert"


async def test_a_failure_part_way_applies_nothing(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(GOOD))
    before = await _counts(db)
    bigger = GOOD + "  - {key: extra, name: Extra, managers: [ann], members: [bob]}\n"
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await orgfile.apply(tx, orgfile.parse(bigger.replace("Ann", "Anne")))
            raise RuntimeError("simulated crash after apply, before commit")
    assert await _counts(db) == before
    async with db.transaction() as tx:
        assert (await tx.people.by_key("ann")).display_name == "Ann"


async def test_a_team_policy_is_stored_and_a_team_without_one_gets_the_default(db):
    from bot.org.policy import DEFAULT_POLICY, Policy

    text = GOOD.replace("  - {key: ward, name: Ward, managers: [cat], members: [ann, bob]}",
                        "  - {key: ward, name: Ward, managers: [cat], members: [ann, bob],\n"
                        "     escalation: {levels: [{who: managers, wait: 10m}, {who: [bob], wait: 1h}],"
                        " repeat_last: 3, remind_every: 2h}}")
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(text))
    async with db.transaction() as tx:
        from bot.machinery.storage.models import Team
        ward = (await tx.session.scalars(select(Team))).one()
        policy = Policy.from_json(ward.escalation_policy)
    assert [lv.who for lv in policy.levels] == ["managers", ("bob",)]
    assert policy.levels[1].wait.total_seconds() == 3600 and policy.repeat_last == 3
    assert Policy.from_json(None) is DEFAULT_POLICY
    async with db.transaction() as tx:
        assert not (await orgfile.apply(tx, orgfile.parse(text))).changed
