"""Organisation admin: people, teams, sites, policies and volunteers, a page at a time (an
organisation can have 20,000 people); and applying a new organisation file after a dry run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Base, Person, Team, TeamMember
from bot.machinery.storage.repos import Tx
from bot.org import orgfile
from bot.org.policy import MANAGERS, Policy, describe_duration

PAGE_SIZE = 50
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class PersonRow:
    key: str
    name: str
    email: str | None
    roles: list[str]
    active: bool


@dataclass
class Paged:
    rows: list
    page: int
    has_next: bool
    total: int


async def people(tx: Tx, search: str, page: int) -> Paged:
    query = select(Person)
    if search:
        needle = f"%{search.lower()}%"
        query = query.where(or_(func.lower(Person.display_name).like(needle), func.lower(Person.key).like(needle),
                                func.lower(Person.email).like(needle)))
    total = await tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = (await tx.session.scalars(
        query.order_by(Person.display_name, Person.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    )).all()
    shown = found[:PAGE_SIZE]
    teams = {}
    if shown:
        for person_id, name, role in (await tx.session.execute(
            select(TeamMember.person_id, Team.name, TeamMember.role).join(Team, Team.id == TeamMember.team_id)
            .where(TeamMember.person_id.in_([p.id for p in shown]))
        )).all():
            teams.setdefault(person_id, []).append(f"{role} of {name}")
    rows = []
    for person in shown:
        roles = [r for r, on in (("admin", person.is_admin), ("auditor", person.is_auditor),
                                 ("volunteer", person.is_volunteer)) if on]
        rows.append(PersonRow(person.key, person.display_name, person.email, roles + teams.get(person.id, []),
                              person.active))
    return Paged(rows, page, len(found) > PAGE_SIZE, total)


@dataclass
class TeamRow:
    id: int
    key: str
    name: str
    managers: int
    members: int
    escalation: list[str]
    chaperone: str
    referral: str


def describe_policy(policy: Policy, names: dict[str, str]) -> list[str]:
    lines = []
    for number, level in enumerate(policy.levels, 1):
        who = "the team's managers" if level.who == MANAGERS else ", ".join(names.get(k, k) for k in level.who)
        lines.append(f"Level {number}: {who}, {describe_duration(level.wait)} to acknowledge")
    lines.append(f"The last level is told {policy.repeat_last} more time(s); "
                 f"reminders every {describe_duration(policy.remind_every)} until resolved")
    return lines


def _describe(data: dict | None, default: str) -> str:
    if not data:
        return default
    parts = []
    for key, value in data.items():
        if isinstance(value, int | float) and key.endswith("_s"):
            value = describe_duration(timedelta(seconds=value))
            key = key[:-2]
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


async def teams(tx: Tx) -> list[TeamRow]:
    counts = {}
    for team_id, role, number in (await tx.session.execute(
        select(TeamMember.team_id, TeamMember.role, func.count()).group_by(TeamMember.team_id, TeamMember.role)
    )).all():
        counts[(team_id, role)] = number
    named_keys = set()
    rows = (await tx.session.scalars(select(Team).order_by(Team.name))).all()
    for team in rows:
        for level in Policy.from_json(team.escalation_policy).levels:
            if level.who != MANAGERS:
                named_keys.update(level.who)
    names = dict((await tx.session.execute(
        select(Person.key, Person.display_name).where(Person.key.in_(named_keys)))).all()) if named_keys else {}
    return [TeamRow(t.id, t.key, t.name, counts.get((t.id, "manager"), 0), counts.get((t.id, "member"), 0),
                    describe_policy(Policy.from_json(t.escalation_policy), names),
                    _describe(t.chaperone_policy, "the default chaperone policy"),
                    _describe(t.referral_policy, "the default referral policy"))
            for t in rows]


async def sites(tx: Tx) -> list[str]:
    org = await tx.org.get()
    return list(org.sites or []) if org else []


async def volunteers(tx: Tx, page: int) -> Paged:
    profiles = Base.metadata.tables["volunteer_profiles"]
    query = (select(Person.display_name, Person.key, profiles.c.active, profiles.c.sites, profiles.c.settings)
             .join(profiles, profiles.c.person_id == Person.id)
             .where(Person.active.is_(True)))
    total = await tx.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = (await tx.session.execute(
        query.order_by(Person.display_name, Person.key).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    )).all()
    rows = [{"name": n, "key": k, "active": a, "sites": ", ".join(s or []) or "Any site",
             "settings": ", ".join(x.replace("_", " ") for x in (st or [])) or "Any setting"}
            for n, k, a, s, st in found[:PAGE_SIZE]]
    return Paged(rows, page, len(found) > PAGE_SIZE, total)


@dataclass
class Preview:
    ok: bool
    problems: list[str]
    changes: list[str]
    digest: str  # of the exact text checked: applying needs the same text


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _DryRun(Exception):
    pass


async def dry_run(db: Database, text: str, now: datetime) -> Preview:
    """What applying ``text`` would change, computed by applying it in a transaction that is
    then rolled back. Nothing is kept."""
    digest = text_digest(text)
    try:
        spec = orgfile.parse(text, "the file")
    except orgfile.OrgFileError as exc:
        return Preview(False, exc.problems, [], digest)
    summary = None
    try:
        async with db.transaction() as tx:
            summary = await orgfile.apply(tx, spec, now)
            raise _DryRun
    except _DryRun:
        pass
    return Preview(True, [], summary.lines(), digest)


async def apply_text(tx: Tx, text: str, digest: str, actor_id: int, now: datetime) -> Preview:
    """Apply the file the admin previewed (the digest proves it is the same text)."""
    if text_digest(text) != digest:
        return Preview(False, ["The file changed since the dry run; check it again before applying."], [], digest)
    try:
        spec = orgfile.parse(text, "the file")
    except orgfile.OrgFileError as exc:
        return Preview(False, exc.problems, [], digest)
    summary = await orgfile.apply(tx, spec, now)
    await tx.audit.record(now, actor_id, "console.org_applied", "organisation", 1)
    return Preview(True, [], summary.lines(), digest)
