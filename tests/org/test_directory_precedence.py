"""The organisation file and the directory together: who decides what (docs/directory.md)."""

from sqlalchemy import select

from bot.features import registry
from bot.machinery.storage.models import Person, Team, TeamMember
from bot.org import directory, orgfile

FILE = """
organisation: {name: Test Clinic, timezone: Europe/London}
people:
  - {key: asha, name: Asha (file), email: asha@trust.example, profession: doctor, admin: true}
  - {key: morgan, name: Morgan Manager, email: morgan@trust.example}
teams:
  - {key: ward, name: Ward, managers: [morgan], members: [asha]}
"""


def directory_person(email: str, name: str, active: bool = True) -> directory.DirectoryPerson:
    return directory.DirectoryPerson(username=email, display_name=name, email=email, active=active)


async def people(tx) -> dict[str, Person]:
    return {p.key: p for p in (await tx.session.scalars(select(Person))).all()}


async def test_the_directory_decides_names_and_leaving_the_file_decides_roles(db, clock):
    features, now = registry(), clock.now()
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(FILE), now=now)
        asha, _ = await directory.provision(tx, features, directory_person("asha@trust.example", "Dr Asha Patel"), now)
        robin, _ = await directory.provision(tx, features, directory_person("robin@trust.example", "Robin New"), now)
        ward7 = await directory.provision_group(tx, None, "Ward 7", [asha, robin], now)
        assert asha.key == "asha"  # adopted, not duplicated
    # The file again, naming the directory team to give it a manager and a policy; Robin is
    # not in the file.
    again = FILE + f"""  - key: {ward7.key}
    name: Ward 7
    managers: [morgan]
    members: [morgan]
    referral: {{approval: required}}
"""
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(again), now=now)
        found = await people(tx)
        assert found["asha"].display_name == "Dr Asha Patel"  # the directory's name
        assert found["asha"].is_admin and found["asha"].profession == "doctor"  # the file's roles
        assert found[robin.key].active  # managed by the directory: not the file's to deactivate
        team = (await tx.session.scalars(select(Team).where(Team.key == ward7.key))).one()
        assert team.referral_policy and team.source == "directory"
        roles = {(m.person_id, m.role) for m in (await tx.session.scalars(
            select(TeamMember).where(TeamMember.team_id == team.id))).all()}
        assert roles == {(found["asha"].id, "member"), (found[robin.key].id, "member"),
                         (found["morgan"].id, "manager")}  # the file's members: ignored
    # The directory deactivates Asha: the file cannot bring her back.
    async with db.transaction() as tx:
        person = (await people(tx))["asha"]
        await directory.provision(tx, features, directory_person("asha@trust.example", "Dr Asha Patel",
                                                                 active=False), now, person=person)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(FILE), now=now)
        found = await people(tx)
        assert found["asha"].active is False and found[robin.key].active
        # The file left the directory team out: it stays (the directory owns it).
        assert (await tx.session.scalars(select(Team).where(Team.key == ward7.key))).one_or_none()


async def test_an_org_changed_listener_hears_about_every_change(db, clock):
    heard: list[str] = []
    stop = directory.on_org_changed(heard.append)
    try:
        async with db.transaction() as tx:
            await orgfile.apply(tx, orgfile.parse(FILE), now=clock.now())
            person = (await people(tx))["morgan"]
            await directory.leave(tx, registry(), person, clock.now())
    finally:
        stop()
    assert heard == ["org.applied", "person.left"]
