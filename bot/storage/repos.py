"""Repositories: the only code that writes SQL. Workflows get them from a ``Tx``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import events
from bot.storage.models import (
    AuditEntry,
    ConversationRef,
    Identity,
    Organisation,
    Person,
    Report,
    Team,
    TeamMember,
)


class People:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def resolve(self, identity: events.Identity) -> Person | None:
        """The active person behind a platform identity.

        An identity seen for the first time is linked to the person with the same email in
        the organisation file, if the platform told us an email.
        """
        person = await self._s.scalar(
            select(Person)
            .join(Identity)
            .where(
                Identity.platform == identity.platform,
                Identity.workspace == identity.workspace,
                Identity.user_id == identity.user_id,
            )
        )
        if person is None and identity.email:
            person = await self._s.scalar(
                select(Person).where(
                    func.lower(Person.email) == identity.email.strip().lower(),
                    Person.active.is_(True),
                )
            )
            if person is not None:
                self._s.add(
                    Identity(
                        person_id=person.id,
                        platform=identity.platform,
                        workspace=identity.workspace,
                        user_id=identity.user_id,
                    )
                )
                await self._s.flush()
        if person is None or not person.active:
            return None
        return person

    async def get(self, person_id: int) -> Person | None:
        return await self._s.get(Person, person_id)

    async def by_key(self, key: str) -> Person | None:
        return await self._s.scalar(select(Person).where(Person.key == key))

    async def active(self) -> Sequence[Person]:
        return (
            await self._s.scalars(
                select(Person).where(Person.active.is_(True)).order_by(Person.display_name)
            )
        ).all()

    async def count(self) -> int:
        return await self._s.scalar(select(func.count()).select_from(Person)) or 0

    async def teams_of(self, person_id: int) -> Sequence[tuple[Team, str]]:
        rows = await self._s.execute(
            select(Team, TeamMember.role)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.person_id == person_id)
            .order_by(Team.name)
        )
        return [(team, role) for team, role in rows.all()]

    async def managers_of(self, person_id: int) -> Sequence[Person]:
        """Managers of every team the person belongs to as a member (not themselves)."""
        member_teams = select(TeamMember.team_id).where(
            TeamMember.person_id == person_id, TeamMember.role == "member"
        )
        return (
            await self._s.scalars(
                select(Person)
                .join(TeamMember, TeamMember.person_id == Person.id)
                .where(
                    TeamMember.team_id.in_(member_teams),
                    TeamMember.role == "manager",
                    Person.id != person_id,
                    Person.active.is_(True),
                )
                .distinct()
                .order_by(Person.display_name)
            )
        ).all()


class Reports:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, report: Report) -> Report:
        self._s.add(report)
        await self._s.flush()
        return report

    async def get(self, report_id: int) -> Report | None:
        return await self._s.get(Report, report_id)

    async def by_author(self, author_id: int, *, include_closed: bool = False) -> Sequence[Report]:
        query = select(Report).where(Report.author_id == author_id)
        if not include_closed:
            query = query.where(Report.status == "open")
        return (await self._s.scalars(query.order_by(Report.created_at.desc(), Report.id.desc()))).all()

    async def delete(self, report: Report) -> None:
        await self._s.delete(report)
        await self._s.flush()


class Audit:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def record(
        self,
        at: datetime,
        actor_id: int | None,
        action: str,
        subject_type: str,
        subject_id: int | None,
    ) -> None:
        self._s.add(
            AuditEntry(
                at=at,
                actor_id=actor_id,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
            )
        )

    async def entries(self, subject_type: str | None = None) -> Sequence[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if subject_type:
            query = query.where(AuditEntry.subject_type == subject_type)
        return (await self._s.scalars(query)).all()


class Org:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self) -> Organisation | None:
        return await self._s.get(Organisation, 1)

    async def wipe_memberships(self) -> None:
        await self._s.execute(delete(TeamMember))


class ConversationRefs:
    """Per platform identity, what the platform needs to message that person later."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get(self, platform: str, workspace: str, user_id: str) -> dict | None:
        row = await self._find(platform, workspace, user_id)
        return dict(row.data) if row else None

    async def save(self, platform: str, workspace: str, user_id: str, data: dict, at: datetime) -> None:
        row = await self._find(platform, workspace, user_id)
        if row is None:
            self._s.add(ConversationRef(platform=platform, workspace=workspace, user_id=user_id, data=data, updated_at=at))
        elif row.data != data:
            row.data, row.updated_at = data, at
        await self._s.flush()

    async def _find(self, platform: str, workspace: str, user_id: str) -> ConversationRef | None:
        return await self._s.scalar(
            select(ConversationRef).where(
                ConversationRef.platform == platform,
                ConversationRef.workspace == workspace,
                ConversationRef.user_id == user_id,
            )
        )


class Tx:
    """A transaction's repositories, sharing one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.people = People(session)
        self.reports = Reports(session)
        self.audit = Audit(session)
        self.org = Org(session)
        self.conversations = ConversationRefs(session)
