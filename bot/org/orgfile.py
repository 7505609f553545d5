"""The organisation file: people, their platform identities, teams, managers, admins.

``boundary-bot org apply org.yaml`` makes the database match the file in one transaction:
people and teams are created or updated by ``key``; people missing from the file are
deactivated (their reports stay theirs), teams missing from it are removed. Applying the same
file twice changes nothing. See ``examples/org.yaml`` for a documented example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy import select

from bot.features import away, support
from bot.features.volunteer import ensure_default_profile
from bot.machinery.storage.identities import platforms_json
from bot.machinery.storage.models import Identity, Organisation, Person, Team, TeamMember
from bot.machinery.storage.repos import Tx
from bot.org import schema_support
from bot.org.governance import to_json as governance_json
from bot.org.schema import OrgFile

__all__ = ["OrgFile", "OrgFileError", "ApplySummary", "parse", "load", "apply", "demo"]


class OrgFileError(Exception):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = [f"{source}: {p}" for p in problems]
        super().__init__("\n".join(self.problems))


def parse(text: str, source: str = "org file") -> OrgFile:
    """Read and check an organisation file; every problem names its entry."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise OrgFileError(source, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    if not isinstance(document, dict):
        raise OrgFileError(source, ["expected a mapping with 'organisation', 'people' and 'teams'"])
    problems: list[str] = []
    try:
        org = OrgFile.model_validate(document)
    except ValidationError as exc:
        problems = [_describe(document, e) for e in exc.errors()]
    problems += _cross_check(document)
    if problems:
        raise OrgFileError(source, problems)
    return org


def load(path: Path | str) -> OrgFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OrgFileError(str(path), [f"cannot read the file ({exc.strerror or exc})"]) from None
    return parse(text, str(path))


def _describe(document: dict, error: dict) -> str:
    loc = list(error["loc"])
    parts: list[str] = []
    node = document
    for i, part in enumerate(loc):
        if isinstance(part, int):
            parts[-1] += f"[{part}]"
            entry = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(entry, dict) and entry.get("key") and i < 2:
                parts[-1] += f" (key {entry['key']!r})"
        else:
            parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
        )
    message = error["msg"].removeprefix("Value error, ")
    return f"{'.'.join(parts) or 'file'}: {message}"


def _cross_check(document: dict) -> list[str]:
    """Problems between entries (duplicates, unknown people). Works on the raw document so
    that they are reported together with any per-entry problems."""

    def entries(name: str) -> list[tuple[int, dict]]:
        items = document.get(name)
        return [(i, e) for i, e in enumerate(items) if isinstance(e, dict)] if isinstance(items, list) else []

    problems: list[str] = []
    keys: set[str] = set()
    identities: dict[tuple, str] = {}
    for i, person in entries("people"):
        key = person.get("key")
        if key in keys:
            problems.append(f"people[{i}] (key {key!r}): key is used twice")
        keys.add(key)
        for ident in person.get("identities") or []:
            if not isinstance(ident, dict):
                continue
            triple = (ident.get("platform"), ident.get("workspace", "demo"), ident.get("user"))
            if triple in identities:
                problems.append(
                    f"people[{i}] (key {key!r}): identity {':'.join(map(str, triple))} is also "
                    f"given to {identities[triple]!r}"
                )
            identities[triple] = key
    team_keys: set[str] = set()
    for i, team in entries("teams"):
        if team.get("key") in team_keys:
            problems.append(f"teams[{i}] (key {team.get('key')!r}): key is used twice")
        team_keys.add(team.get("key"))
        for role in ("managers", "members"):
            names = team.get(role) or []
            for who in names if isinstance(names, list) else []:
                if who not in keys:
                    problems.append(f"teams[{i}] (key {team.get('key')!r}): {role}: no person with key {who!r}")
        escalation = team.get("escalation")
        levels = escalation.get("levels") if isinstance(escalation, dict) else None
        for j, level in enumerate(levels if isinstance(levels, list) else []):
            where = f"teams[{i}] (key {team.get('key')!r}): escalation.levels[{j}].who"
            who = level.get("who") if isinstance(level, dict) else None
            if who == "managers" and not team.get("managers"):
                problems.append(f"{where}: 'managers', but the team has no managers")
            for name in who if isinstance(who, list) else []:
                if name not in keys:
                    problems.append(f"{where}: no person with key {name!r}")
        referral = team.get("referral")
        if isinstance(referral, dict) and referral.get("approval") == "required" and not team.get("managers"):
            problems.append(f"teams[{i}] (key {team.get('key')!r}): referral.approval: 'required', "
                            "but the team has no managers to approve")
    organisation = document.get("organisation")
    contacts = organisation.get("contacts") if isinstance(organisation, dict) else None
    for role, contact in (contacts.items() if isinstance(contacts, dict) else ()):
        who = contact.get("person") if isinstance(contact, dict) else None
        if who is not None and who not in keys:
            problems.append(f"organisation.contacts.{role}.person: no person with key {who!r}")
    return problems + schema_support.cross_check(document, keys, team_keys)


@dataclass
class ApplySummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)
    teams_updated: list[str] = field(default_factory=list)
    teams_removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how an older file was read

    @property
    def changed(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__ if name != "notes")

    def lines(self) -> list[str]:
        labels = {
            "created": "people created",
            "updated": "people updated",
            "deactivated": "people deactivated",
            "teams_created": "teams created",
            "teams_updated": "teams updated",
            "teams_removed": "teams removed",
        }
        out = [f"{labels[k]}: {len(v)} ({', '.join(v)})" for k, v in vars(self).items() if v and k in labels]
        out = out or ["no changes: the database already matches the file"]
        return out + [f"note: {note}" for note in self.notes]


async def apply(tx: Tx, org: OrgFile, now: datetime | None = None) -> ApplySummary:
    """Make the database match ``org``. The caller's transaction makes it all-or-nothing."""
    s = tx.session
    summary = ApplySummary()

    row = await s.get(Organisation, 1)
    spec = org.organisation
    sites = list(spec.sites) or None
    region = spec.resolved_region
    values = dict(
        name=spec.name, is_demo=spec.demo, timezone=spec.timezone, sites=sites,
        jurisdiction=region.value[:2] if region else None,
        region=region.value if region else None,
        contacts=spec.contacts.model_dump(exclude_none=True) or None,
        reviewed_scripts_only=spec.show_only_reviewed_scripts,
        governance=governance_json(spec.retention, spec.client_patterns),
        peer_support=org.peer_support.policy_json() if org.peer_support else None,
        platforms=platforms_json(spec.slack_workspaces, spec.teams_tenants,
                                 [(i.platform, i.workspace) for p in org.people for i in p.identities]),
    )
    if row is None:
        s.add(Organisation(id=1, **values))
    else:
        _assign(row, **values)
    summary.notes.extend(spec.notes)

    people = {p.key: p for p in (await s.scalars(select(Person))).all()}
    for spec_p in org.people:
        wanted = dict(
            display_name=spec_p.name,
            email=spec_p.email,
            profession=spec_p.profession.value if spec_p.profession else None,
            timezone=spec_p.timezone,
            is_admin=spec_p.admin,
            is_auditor=spec_p.auditor,
            is_volunteer=spec_p.volunteer,
            active=True,
        )
        person = people.get(spec_p.key)
        if person is None:
            person = Person(key=spec_p.key, **wanted)
            s.add(person)
            people[spec_p.key] = person
            summary.created.append(spec_p.key)
        elif _assign(person, **wanted):
            summary.updated.append(spec_p.key)
    listed = {p.key for p in org.people}
    for key, person in people.items():
        if key not in listed and person.active:
            person.active = False
            summary.deactivated.append(key)
    await s.flush()

    existing_ids = {
        (i.platform, i.workspace, i.user_id): i for i in (await s.scalars(select(Identity))).all()
    }
    for spec_p in org.people:
        person = people[spec_p.key]
        for ident in spec_p.identities:
            triple = (ident.platform, ident.workspace, ident.user)
            row_i = existing_ids.get(triple)
            if row_i is None:
                s.add(Identity(person_id=person.id, platform=ident.platform, workspace=ident.workspace,
                               user_id=ident.user, linked_by="org_file"))
                if spec_p.key not in summary.created and spec_p.key not in summary.updated:
                    summary.updated.append(spec_p.key)
            elif row_i.person_id != person.id or row_i.linked_by != "org_file":
                row_i.person_id, row_i.linked_by = person.id, "org_file"
                if spec_p.key not in summary.updated:
                    summary.updated.append(spec_p.key)

    teams = {t.key: t for t in (await s.scalars(select(Team))).all()}
    current_members = {
        (m.team_id, m.person_id, m.role) for m in (await s.scalars(select(TeamMember))).all()
    }
    for spec_t in org.teams:
        team = teams.get(spec_t.key)
        policy_json = spec_t.escalation.policy().to_json() if spec_t.escalation else None
        chaperone_json = spec_t.chaperone.policy().to_json() if spec_t.chaperone else None
        referral_json = spec_t.referral.policy().to_json() if spec_t.referral else None
        hours_json = spec_t.hours.hours(spec.timezone, spec.holidays, spec.closed).to_json() if spec_t.hours else None
        if team is None:
            team = Team(key=spec_t.key, name=spec_t.name, escalation_policy=policy_json,
                        chaperone_policy=chaperone_json, referral_policy=referral_json, working_hours=hours_json)
            s.add(team)
            teams[spec_t.key] = team
            summary.teams_created.append(spec_t.key)
        elif _assign(team, name=spec_t.name, escalation_policy=policy_json, chaperone_policy=chaperone_json,
                     referral_policy=referral_json, working_hours=hours_json):
            summary.teams_updated.append(spec_t.key)
    for key, team in list(teams.items()):
        if key not in {t.key for t in org.teams}:
            await s.delete(team)
            summary.teams_removed.append(key)
    await s.flush()

    wanted_members = {
        (teams[t.key].id, people[who].id, role)
        for t in org.teams
        for role, names in (("manager", t.managers), ("member", t.members))
        for who in names
    }
    if wanted_members != current_members:
        await tx.org.wipe_memberships()
        s.add_all(TeamMember(team_id=t, person_id=p, role=r) for t, p, r in sorted(wanted_members))
        changed_teams = {t for t, _, _ in wanted_members ^ current_members}
        for key, team in teams.items():
            if team.id in changed_teams and key not in summary.teams_created + summary.teams_updated + summary.teams_removed:
                summary.teams_updated.append(key)
    await s.flush()
    await _volunteer_profiles(tx, org, people, now or datetime.now(UTC))
    await _people_care(tx, org, people)
    return summary


async def _volunteer_profiles(tx: Tx, org: OrgFile, people: dict[str, Person], now: datetime) -> None:
    """``volunteer: true`` people get an active chaperone profile with office hours, unless
    they already have one (which is theirs to change with the volunteer command)."""
    for spec_p in org.people:
        if spec_p.volunteer:
            zone = spec_p.timezone or org.organisation.timezone
            await ensure_default_profile(tx, people[spec_p.key], zone, now)
    await tx.session.flush()


async def _people_care(tx: Tx, org: OrgFile, people: dict[str, Person]) -> None:
    """Standing deputies, and the peer supporters (each available in their own time zone)."""
    await away.apply_standing(tx, {people[p.key].id: people[p.deputy].id for p in org.people if p.deputy})
    supporters = org.peer_support.supporters if org.peer_support else []
    zones = {p.key: p.timezone or org.organisation.timezone for p in org.people}
    await support.apply_supporters(tx, [
        support.Supporter(people[s.who].id, tuple(s.teams), tuple(s.sites), s.availability, zones[s.who])
        for s in supporters])


def _assign(obj: object, **values: object) -> bool:
    """Set attributes that differ; say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


DEMO_ORG_FILE = Path(__file__).with_name("demo_org.yaml")


def demo() -> OrgFile:
    return load(DEMO_ORG_FILE)
