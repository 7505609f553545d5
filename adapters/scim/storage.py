"""SCIM Users and Groups over our people and teams: scim2-server's storage interface,
translated to the core's directory functions (``bot.org.directory``) inside one transaction.

Only what the directory manages is visible over SCIM: people the directory provisioned or
adopted (by confirmed email) and teams made from directory groups. Deleting never deletes a
record: a deleted user leaves (their work goes to others, their reports stay) and is no longer
found; a deleted group loses its directory members and goes back to the organisation file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Meta,
    Name,
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    SearchRequest,
    UniquenessException,
    User,
)

# Sorting and index/cursor paging exactly as the library's own storage does them.
from scim2_server.memory import _page as page_of
from scim2_server.storage import AsyncScimStorage, SearchPage
from sqlalchemy import func, select

from bot.feature import Registry
from bot.machinery.crypto import Sealer
from bot.machinery.storage.models import Person, Team
from bot.machinery.storage.repos import Tx
from bot.org import directory

UserResource = User[EnterpriseUser]


def _version(resource: Resource[Any]) -> str:
    body = json.dumps(resource.model_dump(exclude={"meta"}), sort_keys=True, default=str)
    return 'W/"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'


def _meta(resource: Resource[Any], kind: str, changed: datetime | None) -> Resource[Any]:
    resource.meta = Meta(resource_type=kind, created=changed, last_modified=changed)
    resource.meta.version = _version(resource)
    return resource


def user_of(person: Person, sealer: Sealer) -> Resource[Any]:
    """The User as the directory last sent it (kept sealed), with our id; for someone the
    directory did not send (adopted by `org sync`), built from what we hold."""
    record = sealer.open(person.directory_record_sealed)
    if record:
        user = UserResource.model_validate(json.loads(record))
        user.id = person.key
        return _meta(user, "User", person.directory_changed_at)
    user = UserResource(
        id=person.key, user_name=person.directory_username, external_id=person.external_id,
        display_name=person.display_name, name=Name(formatted=person.display_name),
        emails=[Email(value=person.email, primary=True, type="work")] if person.email else None,
        active=bool(person.directory_active),
    )
    return _meta(user, "User", person.directory_changed_at)


def group_of(team: Team, members: list[Person], sealer: Sealer) -> Resource[Any]:
    """The Group as the directory last sent it, its members as the bot holds them now."""
    record = json.loads(sealer.open(team.directory_record_sealed) or "{}")
    shown = {m.get("value"): m.get("display") for m in record.get("members") or []}
    group = Group.model_validate({**record, "id": team.key, "displayName": team.name,
                                  "externalId": team.external_id, "members": None})
    group.members = [GroupMember(value=p.key, ref=f"Users/{p.key}", type="User",
                                 display=shown.get(p.key, p.display_name)) for p in members] or None
    return _meta(group, "Group", team.directory_changed_at)


def _incoming(user: Any) -> directory.DirectoryPerson:
    """What a SCIM User says about a person. Emails count as confirmed: the identity provider
    that provisions through SCIM is the organisation's own directory."""
    emails = user.emails or []
    chosen = next((e for e in emails if e.primary), emails[0] if emails else None)
    name = user.display_name or (user.name.formatted if user.name and user.name.formatted else None)
    if not name and user.name:
        name = " ".join(part for part in (user.name.given_name, user.name.family_name) if part)
    return directory.DirectoryPerson(
        username=user.user_name, display_name=(name or user.user_name)[:200],
        email=directory.matching_email(chosen.value if chosen else None),
        active=True if user.active is None else bool(user.active), external_id=user.external_id,
    )


def _equality(scim_filter: Any) -> tuple[str, str] | None:
    """(attribute, value) for the filter identity providers send before every change
    (``userName eq "…"``, ``externalId eq "…"``, ``displayName eq "…"``), so it is answered
    with an indexed query rather than by reading everyone; None for any other filter."""
    node = getattr(scim_filter, "ast", None)
    path = getattr(node, "attr_path", None)
    if (node is None or str(getattr(node, "op", "")) != "eq" or path is None
            or path.sub_attr is not None or not isinstance(node.value, str)):
        return None
    return path.attr.lower(), node.value


def _user_column(attribute: str, value: str) -> Any:
    if attribute == "username":  # not case-exact (RFC 7643 §4.1.1)
        return Person.directory_username == value.strip().lower()  # stored lower-cased
    if attribute == "externalid":
        return Person.external_id == value
    if attribute == "id":
        return Person.key == value
    return None


def _group_column(attribute: str, value: str) -> Any:
    if attribute == "displayname":
        return func.lower(Team.name) == value.lower()
    if attribute == "externalid":
        return Team.external_id == value
    if attribute == "id":
        return Team.key == value
    return None


class DirectoryStorage(AsyncScimStorage):
    """One SCIM request's view of the database, in the caller's transaction."""

    def __init__(self, tx: Tx, features: Registry, sealer: Sealer, now: datetime) -> None:
        self.tx, self.features, self.sealer, self.now = tx, features, sealer, now

    def _keep(self, person: Person, user: Resource[Any]) -> Resource[Any]:
        record = user.model_dump(exclude={"id", "meta"})
        person.directory_record_sealed = self.sealer.seal(json.dumps(record, default=str))
        return user_of(person, self.sealer)

    # -- reading ---------------------------------------------------------------------------

    async def _person(self, key: str) -> Person:
        person = await self.tx.session.scalar(
            select(Person).where(Person.key == key, Person.directory_username.is_not(None)))
        if person is None:
            raise NotFoundException(detail="no such user")
        return person

    async def _team(self, key: str) -> Team:
        team = await self.tx.session.scalar(select(Team).where(Team.key == key, Team.source == "directory"))
        if team is None:
            raise NotFoundException(detail="no such group")
        return team

    async def get(self, resource_type: ResourceType, resource_id: str, *, response_parameters=None) -> Resource[Any]:
        if resource_type.name == "User":
            return user_of(await self._person(resource_id), self.sealer)
        team = await self._team(resource_id)
        return group_of(team, await directory.group_members(self.tx, team.id), self.sealer)

    async def search(self, resource_types: list[ResourceType], search_request: SearchRequest[Any], *,
                     position: Any = None) -> SearchPage:
        found: list[Resource[Any]] = []
        names = {rt.name for rt in resource_types}
        scim_filter = search_request.filter
        narrowed = _equality(scim_filter)
        if "User" in names:
            query = select(Person).where(Person.directory_username.is_not(None))
            if narrowed is not None and (column := _user_column(*narrowed)) is not None:
                query = query.where(column)
            found += [user_of(p, self.sealer) for p in (await self.tx.session.scalars(query)).all()]
        if "Group" in names:
            query = select(Team).where(Team.source == "directory")
            if narrowed is not None and (column := _group_column(*narrowed)) is not None:
                query = query.where(column)
            teams = (await self.tx.session.scalars(query)).all()
            found += [group_of(t, await directory.group_members(self.tx, t.id), self.sealer) for t in teams]
        if scim_filter is not None:
            found = [r for r in found if scim_filter.match(r)]
        return page_of(search_request, position, found)

    # -- writing ---------------------------------------------------------------------------

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        if resource_type.name == "User":
            incoming = _incoming(resource)
            if incoming.email:
                existing = await directory.find_person(self.tx, email=incoming.email)
                if existing is not None and existing.directory_username is not None:
                    raise UniquenessException(detail="a user with this email is already provisioned")
            try:
                person, _ = await directory.provision(self.tx, self.features, incoming, self.now)
            except directory.DirectoryConflict as exc:
                raise UniquenessException(detail=f"{exc} is already taken") from None
            return self._keep(person, resource)
        members = await self._members(resource)
        try:
            team = await directory.provision_group(self.tx, None, resource.display_name, members, self.now,
                                                   resource.external_id)
        except directory.DirectoryConflict as exc:
            raise UniquenessException(detail=f"{exc} is already taken") from None
        return self._keep_group(team, resource, members)

    def _keep_group(self, team: Team, group: Resource[Any], members: list[Person]) -> Resource[Any]:
        team.directory_record_sealed = self.sealer.seal(json.dumps(
            group.model_dump(exclude={"id", "meta"}, by_alias=True), default=str))
        return group_of(team, members, self.sealer)

    async def update(self, resource_type: ResourceType, resource: Resource[Any], *,
                     expected_version: str | None = None) -> Resource[Any]:
        current = await self.get(resource_type, resource.id)
        if expected_version is not None and current.meta.version != expected_version:
            raise PreconditionFailedException(detail="the resource changed meanwhile")
        try:
            if resource_type.name == "User":
                person = await self._person(resource.id)
                await directory.provision(self.tx, self.features, _incoming(resource), self.now, person=person)
                return self._keep(person, resource)
            team = await self._team(resource.id)
            members = await self._members(resource)
            await directory.provision_group(self.tx, team, resource.display_name, members, self.now,
                                            resource.external_id)
        except directory.DirectoryConflict as exc:
            raise UniquenessException(detail=f"{exc} is already taken") from None
        return self._keep_group(team, resource, members)

    async def delete(self, resource_type: ResourceType, resource_id: str, *,
                     expected_version: str | None = None) -> None:
        current = await self.get(resource_type, resource_id)
        if expected_version is not None and current.meta.version != expected_version:
            raise PreconditionFailedException(detail="the resource changed meanwhile")
        if resource_type.name == "User":
            await directory.remove(self.tx, self.features, await self._person(resource_id), self.now)
        else:
            await directory.remove_group(self.tx, await self._team(resource_id), self.now)

    async def _members(self, group: Any) -> list[Person]:
        keys = [m.value for m in group.members or [] if m.value]
        if not keys:
            return []
        people = (await self.tx.session.scalars(
            select(Person).where(Person.key.in_(keys), Person.directory_username.is_not(None)))).all()
        if len(people) != len(set(keys)):
            raise NotFoundException(detail="a member is not a provisioned user")
        return list(people)
