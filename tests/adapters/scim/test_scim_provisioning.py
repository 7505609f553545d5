"""An identity provider's life cycle through a SCIM client from a package (scim2-client over
httpx2) against the real server: provision, update (PATCH), deactivate, delete; people and
groups; what the bot's database holds after each."""

from __future__ import annotations

import httpx2
from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    PatchOp,
    PatchOperation,
    SearchRequest,
    User,
)
from sqlalchemy import select

from adapters.appkeys import BOT_KEY
from bot.machinery.storage.models import AuditEntry, Person, Team, TeamMember
from tests.scim_harness import TOKEN, scim_client, scim_server  # noqa: F401  (fixtures)

UserX = User[EnterpriseUser]


async def people_and_teams(app):
    async with app[BOT_KEY].db.transaction() as tx:
        people = {p.key: p for p in (await tx.session.scalars(select(Person))).all()}
        teams = {t.key: t for t in (await tx.session.scalars(select(Team))).all()}
        members = {(m.team_id, m.person_id, m.role) for m in (await tx.session.scalars(select(TeamMember))).all()}
        actions = [a.action for a in (await tx.session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()]
    return people, teams, members, actions


async def org_file_emails(app) -> None:
    """The demo's addresses are on a reserved domain SCIM refuses: give two people real-looking
    ones, as an organisation file would."""
    async with app[BOT_KEY].db.transaction() as tx:
        for key in ("asha", "sam"):
            (await tx.people.by_key(key)).email = f"{key}@trust.example"


def patch(*operations: PatchOperation) -> PatchOp:
    return PatchOp[UserX](operations=list(operations))


async def test_a_directory_provisions_updates_and_deactivates_people_and_groups(scim_client):  # noqa: F811
    client, app = scim_client
    await org_file_emails(app)
    # Asha is in the organisation file: the directory adopts her by her email.
    asha = await client.create(UserX(user_name="asha.patel@trust.example", display_name="Dr Asha Patel",
                                     emails=[Email(value="Asha@Trust.example", primary=True)], active=True))
    assert asha.id == "asha"
    nurse = await client.create(UserX(user_name="new.nurse@trust.example", display_name="Robin New",
                                      external_id="entra-0001",
                                      emails=[Email(value="robin.new@trust.example", primary=True)]))
    people, _, _, actions = await people_and_teams(app)
    assert people[nurse.id].source == "directory" and people[nurse.id].active
    assert people["asha"].directory_username == "asha.patel@trust.example" and people["asha"].is_volunteer is False
    assert "directory.person_created" in actions

    found = await client.query(UserX, query_parameters=SearchRequest(filter='userName eq "new.nurse@trust.example"'))
    assert [r.id for r in found.resources] == [nurse.id]

    ward = await client.create(Group(display_name="Ward 7", members=[GroupMember(value=asha.id),
                                                                         GroupMember(value=nurse.id)]))
    people, teams, members, _ = await people_and_teams(app)
    team = teams[ward.id]
    assert team.source == "directory" and team.name == "Ward 7"
    assert {(team.id, people["asha"].id, "member"), (team.id, people[nurse.id].id, "member")} <= members

    # PATCH: a new name; the group loses a member; Asha leaves (active false).
    await client.modify(UserX, nurse.id, patch(PatchOperation[UserX](op="replace", path="displayName",
                                                                     value="Robin Newman")))
    await client.modify(Group, ward.id, PatchOp[Group](operations=[PatchOperation[Group](
        op="remove", path=f'members[value eq "{nurse.id}"]')]))
    await client.modify(UserX, asha.id, patch(PatchOperation[UserX](op="replace", path="active", value=False)))
    people, teams, members, actions = await people_and_teams(app)
    assert people[nurse.id].display_name == "Robin Newman"
    assert (team.id, people[nurse.id].id, "member") not in members
    assert people["asha"].active is False and "directory.person_left" in actions

    # Deleting forgets the directory record but keeps the person (and their reports).
    await client.delete(UserX, nurse.id)
    async with httpx2.AsyncClient(base_url=str(client.client.base_url),
                                  headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        assert (await http.get(f"/Users/{nurse.id}")).status_code == 404
    people, _, _, _ = await people_and_teams(app)
    assert nurse.id in people and people[nurse.id].active is False


async def test_entra_style_patch_with_string_booleans_deactivates(scim_server):  # noqa: F811
    """Entra ID sends ``"False"`` as a string and capitalised ops; the person still leaves."""
    base, app = scim_server
    await org_file_emails(app)
    async with httpx2.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {TOKEN}",
                                                          "Content-Type": "application/scim+json"}) as http:
        created = await http.post("/Users", json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "sam@trust.example",
            "active": True, "displayName": "Sam Okafor", "externalId": "00aa",
            "emails": [{"primary": True, "type": "work", "value": "sam@trust.example"}]})
        assert created.status_code == 201, created.text
        assert created.json()["id"] == "sam"
        patched = await http.patch("/Users/sam", json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})
        assert patched.status_code in (200, 204), patched.text
    people, _, _, _ = await people_and_teams(app)
    assert people["sam"].active is False
