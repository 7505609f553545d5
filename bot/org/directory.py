"""People and teams kept in step with the organisation's directory (platform-neutral).

Two ways in, one set of rules: the SCIM endpoint (Entra ID, Okta; ``adapters/scim``) and
``boundary-bot org sync`` (Slack ``users.list``, Microsoft Graph users; ``bot.org.sync``) both
call the functions here inside one transaction. What the directory decides and what the
organisation file decides is written down in ``docs/directory.md``:

- the directory decides who exists, their name, their email and whether they are active;
- the organisation file decides roles (admin, auditor, volunteer, profession), time zones,
  deputies, sites, policies and teams' managers; a directory group's members come from the
  directory;
- someone the directory deactivates stays inactive whatever the file says, and someone the
  directory manages is not deactivated by leaving them out of the file.

Leaving never deletes anything: the person's reports, requests and audit entries stay, the
work waiting on them goes to others (each feature's ``on_leave``), and their platform events
get a polite "no longer active" answer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from bot.feature import Registry
from bot.machinery.storage.models import Person, Team, TeamMember
from bot.machinery.storage.repos import Tx

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Subscribers to "the organisation changed" (an org cache, say). Called after any change made
# here; each gets a short reason such as "person.left". Keep them cheap and non-blocking.
_ORG_CHANGED: list[Callable[[str], None]] = []


# The features' registry for callers that have none at hand (``org apply`` from the command
# line): bot.features sets it when it is imported, so this module needn't import the features.
_default_registry: list[Callable[[], Registry]] = []


def use_default_features(factory: Callable[[], Registry]) -> None:
    _default_registry[:] = [factory]


def default_features() -> Registry:
    if not _default_registry:
        raise RuntimeError("bot.features was not imported: no registry to run on_leave with")
    return _default_registry[0]()


def on_org_changed(listener: Callable[[str], None]) -> Callable[[], None]:
    """Be told when people or teams change; returns a function that unsubscribes."""
    _ORG_CHANGED.append(listener)
    return lambda: _ORG_CHANGED.remove(listener) if listener in _ORG_CHANGED else None


def org_changed(reason: str) -> None:
    for listener in list(_ORG_CHANGED):
        listener(reason)


def matching_email(raw: str | None, confirmed: bool = True) -> str | None:
    """The one rule for matching people by email, whatever the source: only an address the
    directory says is confirmed, trimmed and lower-cased; anything else matches nobody."""
    if not raw or not confirmed:
        return None
    value = raw.strip().lower()
    return value if EMAIL.match(value) else None


@dataclass(frozen=True)
class DirectoryPerson:
    """One person as a directory describes them."""

    username: str  # SCIM userName (Entra: the UPN); for org sync, the email
    display_name: str
    email: str | None  # already through matching_email
    active: bool = True
    external_id: str | None = None


class DirectoryConflict(Exception):
    """A value that must be unique is already someone else's (the SCIM 409)."""


def new_key(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


async def find_person(tx: Tx, *, key: str | None = None, external_id: str | None = None,
                      email: str | None = None) -> Person | None:
    s = tx.session
    if key is not None:
        return await s.scalar(select(Person).where(Person.key == key))
    if external_id is not None:
        found = await s.scalar(select(Person).where(Person.external_id == external_id))
        if found is not None:
            return found
    if email is not None:
        return await s.scalar(select(Person).where(func.lower(Person.email) == email).order_by(Person.id).limit(1))
    return None


async def provision(tx: Tx, features: Registry, incoming: DirectoryPerson, now: datetime,
                    person: Person | None = None) -> tuple[Person, bool]:
    """Create or update a person from the directory; returns (person, created). Without
    ``person``, an existing one is found by external id, then by confirmed email (so the
    directory adopts someone the organisation file already lists)."""
    s = tx.session
    username = incoming.username.strip().lower()  # userName is not case-exact (RFC 7643 §4.1.1)
    taken = await s.scalar(select(Person).where(Person.directory_username == username))
    if person is None:
        person = await find_person(tx, external_id=incoming.external_id, email=incoming.email)
    if taken is not None and taken is not person:
        raise DirectoryConflict("userName")
    if incoming.external_id:
        other = await s.scalar(select(Person).where(Person.external_id == incoming.external_id))
        if other is not None and other is not person:
            raise DirectoryConflict("externalId")
    created = person is None
    if person is None:
        person = Person(key=new_key("dir"), source="directory", display_name=incoming.display_name,
                        is_admin=False, is_auditor=False, is_volunteer=False, active=incoming.active)
        s.add(person)
    was_active = bool(person.active) and not created
    person.display_name = incoming.display_name
    person.email = incoming.email or person.email
    person.directory_username = username
    person.external_id = incoming.external_id
    person.directory_active = incoming.active
    person.directory_changed_at = now
    await s.flush()
    if created:
        await tx.audit.record(now, None, "directory.person_created", "person", person.id)
    elif incoming.active and not person.active:
        person.active = True
        await tx.audit.record(now, None, "directory.person_reactivated", "person", person.id)
    else:
        await tx.audit.record(now, None, "directory.person_updated", "person", person.id)
    if was_active and not incoming.active:
        await leave(tx, features, person, now)
    org_changed("person.changed")
    return person, created


async def remove(tx: Tx, features: Registry, person: Person, now: datetime) -> None:
    """The directory deleted this person: they leave, and the directory forgets them (a SCIM
    GET no longer finds them), but their records stay."""
    person.directory_username = None
    person.external_id = None
    person.directory_active = False
    person.directory_changed_at = now
    if person.active:
        await leave(tx, features, person, now)
    await tx.session.flush()


async def leave(tx: Tx, features: Registry, person: Person, now: datetime) -> int:
    """Deactivate someone and hand what waits on them to others; returns how many requests
    moved. Their reports, requests and audit entries stay as they are."""
    person.active = False
    await tx.session.flush()
    moved = 0
    for handler in features.leave_handlers:
        moved += await handler(tx, person.id, now)
    await tx.audit.record(now, None, "directory.person_left", "person", person.id)
    org_changed("person.left")
    return moved


async def provision_group(tx: Tx, team: Team | None, name: str, members: Iterable[Person], now: datetime,
                          external_id: str | None = None) -> Team:
    """Create or update a team from a directory group; its members become exactly ``members``
    (managers stay as the organisation file sets them)."""
    s = tx.session
    if external_id:
        other = await s.scalar(select(Team).where(Team.external_id == external_id))
        if other is not None and other is not team:
            raise DirectoryConflict("externalId")
    clash = await s.scalar(select(Team).where(Team.name == name, Team.source == "directory"))
    if clash is not None and clash is not team:
        raise DirectoryConflict("displayName")
    if team is None:
        team = Team(key=new_key("grp"), name=name, source="directory")
        s.add(team)
        await s.flush()
        await tx.audit.record(now, None, "directory.team_created", "team", team.id)
    else:
        await tx.audit.record(now, None, "directory.team_updated", "team", team.id)
    team.name, team.external_id, team.directory_changed_at = name, external_id, now
    await s.execute(delete(TeamMember).where(TeamMember.team_id == team.id, TeamMember.role == "member"))
    s.add_all(TeamMember(team_id=team.id, person_id=p.id, role="member") for p in {p.id: p for p in members}.values())
    await s.flush()
    org_changed("team.changed")
    return team


async def remove_group(tx: Tx, team: Team, now: datetime) -> None:
    """The directory deleted a group: its directory members go; the team itself is left to
    the organisation file (the next ``org apply`` removes it unless the file lists it), so
    nothing that names it is lost."""
    await tx.session.execute(delete(TeamMember).where(TeamMember.team_id == team.id, TeamMember.role == "member"))
    team.source, team.external_id, team.directory_changed_at = "retired", None, now
    await tx.audit.record(now, None, "directory.team_removed", "team", team.id)
    await tx.session.flush()
    org_changed("team.changed")


async def group_members(tx: Tx, team_id: int) -> list[Person]:
    return list((await tx.session.scalars(
        select(Person).join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id == team_id, TeamMember.role == "member").order_by(Person.id)
    )).all())
