"""Who may use which part of the console. Everything else gets 403.

| who | dashboard | open work | audit log | exports | organisation |
|---|---|---|---|---|---|
| admin | every team | what chat lets them act on | yes | dashboard, audit log; narratives with a reason | yes, and applies org files |
| manager (a team's manager, or named in its escalation policy) | their teams | what chat lets them act on | no | their teams' dashboard | no |
| auditor | no | no | yes | audit log | no |
| anyone else | no | no | no | no | no |

A manager's teams come from the database on every request, never from the URL: asking for
another team's id is answered exactly like asking for one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.machinery.storage.models import Person, Team, TeamMember
from bot.machinery.storage.repos import Tx
from bot.org.policy import Policy

DASHBOARD, WORK, AUDIT, EXPORT, ORG = "dashboard", "work", "audit", "export", "org"


@dataclass(frozen=True)
class Access:
    """What one signed-in person may do, worked out once per request."""

    person: Person
    teams: tuple[Team, ...]  # the teams whose figures they may see
    managed: tuple[Team, ...]  # the teams they manage or are named in the policy of

    @property
    def is_manager(self) -> bool:
        return bool(self.managed)

    @property
    def is_admin(self) -> bool:
        return self.person.is_admin

    @property
    def is_auditor(self) -> bool:
        return bool(self.person.is_auditor)

    @property
    def allowed(self) -> bool:
        """May use the console at all."""
        return self.person.active and (self.is_admin or self.is_auditor or self.is_manager)

    def may(self, part: str) -> bool:
        if not self.allowed:
            return False
        if part in (DASHBOARD, WORK):
            return self.is_admin or self.is_manager
        if part == AUDIT:
            return self.is_admin or self.is_auditor
        if part == EXPORT:
            return True
        if part == ORG:
            return self.is_admin
        return False

    def may_export(self, kind: str) -> bool:
        if kind == "audit":
            return self.may(AUDIT)
        if kind == "dashboard":
            return self.may(DASHBOARD)
        if kind == "reports":
            return self.is_admin
        return False

    def team(self, team_id: int | str | None) -> Team | None:
        """One of my teams by id; None for anything else (including other teams)."""
        return next((t for t in self.teams if str(t.id) == str(team_id)), None)

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.is_admin:
            roles.append("admin")
        if self.is_manager:
            roles.append("manager")
        if self.is_auditor:
            roles.append("auditor")
        return roles


async def managed_teams(tx: Tx, person: Person) -> list[Team]:
    """Teams a person manages or is named in (at any level of the escalation policy)."""
    managed = set((await tx.session.scalars(
        select(TeamMember.team_id).where(TeamMember.person_id == person.id, TeamMember.role == "manager")
    )).all())
    teams = (await tx.session.scalars(select(Team).order_by(Team.name))).all()
    found = []
    for team in teams:
        if team.id in managed:
            found.append(team)
            continue
        policy = Policy.from_json(team.escalation_policy)
        if any(isinstance(level.who, tuple) and person.key in level.who for level in policy.levels):
            found.append(team)
    return found


async def access_for(tx: Tx, person: Person) -> Access:
    mine = await managed_teams(tx, person)
    teams = mine
    if person.is_admin:
        teams = list((await tx.session.scalars(select(Team).order_by(Team.name))).all())
    return Access(person=person, teams=tuple(teams), managed=tuple(mine))
