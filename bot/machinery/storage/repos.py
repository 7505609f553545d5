"""Repositories: the only code that writes SQL. Workflows get them from a ``Tx``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.machinery.storage.models import (
    AuditEntry,
    ConversationRef,
    Identity,
    InboundEvent,
    Notification,
    Organisation,
    Person,
    Report,
    Team,
    TeamMember,
    Timer,
)
from bot.port import events
from bot.port.delivery import Address


def _insert_ignoring_duplicates(session: AsyncSession, model, values: dict, unique: list[str]):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id-or-key, on PostgreSQL and SQLite."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    first_key = model.__table__.primary_key.columns.values()[0]
    return (
        dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=unique).returning(first_key)
    )


LAST_SEEN_RESOLUTION = timedelta(hours=1)


class People:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def resolve(self, identity: events.Identity, at: datetime | None = None) -> Person | None:
        """The active person behind a platform identity.

        An identity seen for the first time is linked to the person with the same email in
        the organisation file, if the platform told us an email. ``at`` records when the
        identity was last used (at most hourly, to keep reads cheap), so that notifications
        go to the platform the person actually uses.
        """
        row = await self._find_identity(identity)
        if row is None and identity.email:
            person = await self._s.scalar(
                select(Person).where(
                    func.lower(Person.email) == identity.email.strip().lower(),
                    Person.active.is_(True),
                )
            )
            if person is not None:
                # Two first events from the same new user can arrive together (a command
                # and a click): the second link is a no-op rather than a unique violation.
                await self._s.execute(_insert_ignoring_duplicates(
                    self._s, Identity,
                    {"person_id": person.id, "platform": identity.platform, "workspace": identity.workspace,
                     "user_id": identity.user_id},
                    ["platform", "workspace", "user_id"],
                ))
                row = await self._find_identity(identity)
        if row is None or not row.person.active:
            return None
        if at is not None and (row.last_seen_at is None or at - row.last_seen_at > LAST_SEEN_RESOLUTION):
            row.last_seen_at = at
        await self._s.flush()
        return row.person

    async def _find_identity(self, identity: events.Identity) -> Identity | None:
        return await self._s.scalar(
            select(Identity)
            .options(joinedload(Identity.person))
            .where(
                Identity.platform == identity.platform,
                Identity.workspace == identity.workspace,
                Identity.user_id == identity.user_id,
            )
        )

    async def addresses_of(self, person_ids: set[int]) -> dict[int, list[Address]]:
        """Each person's platform identities, most recently used first."""
        rows = await self._s.scalars(
            select(Identity)
            .where(Identity.person_id.in_(person_ids))
            .order_by(Identity.person_id, Identity.last_seen_at.desc().nulls_last(), Identity.id)
        )
        found: dict[int, list[Address]] = {}
        for row in rows.all():
            found.setdefault(row.person_id, []).append(Address(row.platform, row.workspace, row.user_id))
        return found

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

    async def admins(self) -> Sequence[Person]:
        return (
            await self._s.scalars(select(Person).where(Person.is_admin.is_(True), Person.active.is_(True)))
        ).all()

    async def teams_of(self, person_id: int) -> Sequence[tuple[Team, str]]:
        rows = await self._s.execute(
            select(Team, TeamMember.role)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.person_id == person_id)
            .order_by(Team.name)
        )
        return [(team, role) for team, role in rows.all()]

    async def home_team(self, person_id: int) -> Team | None:
        """The team whose managers and policies apply to a person: the first (by name) they
        belong to as a member."""
        return await self._s.scalar(
            select(Team)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .where(TeamMember.person_id == person_id, TeamMember.role == "member")
            .order_by(Team.name)
            .limit(1)
        )

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


class InboundEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def first_time(self, key: str, at: datetime) -> bool:
        """Record a platform event id; False if it was already recorded (a redelivery).

        Runs inside the event's own transaction, so the record and the effect commit
        together: on PostgreSQL a concurrent duplicate waits for this one and then sees it.
        """
        statement = _insert_ignoring_duplicates(self._s, InboundEvent, {"key": key, "received_at": at}, ["key"])
        return (await self._s.execute(statement)).first() is not None

    async def forget_before(self, moment: datetime) -> int:
        result = await self._s.execute(delete(InboundEvent).where(InboundEvent.received_at < moment))
        return result.rowcount or 0


class Notifications:
    """The outbox table. Writes happen in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def enqueue(
        self,
        key: str,
        recipient_id: int,
        view: dict,
        at: datetime,
        *,
        updates_key: str | None = None,
        notify_on_failure_id: int | None = None,
    ) -> bool:
        """Queue a message; False if a notification with this key already exists."""
        values = dict(
            key=key, recipient_id=recipient_id, view=view, updates_key=updates_key,
            notify_on_failure_id=notify_on_failure_id, status="pending", attempts=0,
            next_attempt_at=at, created_at=at,
        )
        statement = _insert_ignoring_duplicates(self._s, Notification, values, ["key"])
        return (await self._s.execute(statement)).first() is not None

    async def enqueue_many(self, rows: list[dict], at: datetime) -> None:
        """Queue many messages in one statement (fan-outs to hundreds of people). Each row has
        ``key``, ``recipient_id``, ``view`` and optionally ``updates_key``; existing keys are
        left alone."""
        if not rows:
            return
        dialect = postgresql if self._s.get_bind().dialect.name == "postgresql" else sqlite
        values = [
            dict(key=r["key"], recipient_id=r["recipient_id"], view=r["view"], updates_key=r.get("updates_key"),
                 notify_on_failure_id=None, status="pending", attempts=0, next_attempt_at=at, created_at=at)
            for r in rows
        ]
        await self._s.execute(dialect.insert(Notification).on_conflict_do_nothing(index_elements=["key"]), values)

    async def by_key(self, key: str) -> Notification | None:
        return await self._s.scalar(select(Notification).where(Notification.key == key))

    async def claim(self, owner: str, now: datetime, lease_until: datetime, limit: int) -> Sequence[Notification]:
        """Lease up to ``limit`` due notifications to ``owner``, oldest first.

        On PostgreSQL rows another instance is claiming are skipped, not waited for.
        """
        due = (
            select(Notification.id)
            .where(
                Notification.status == "pending",
                Notification.next_attempt_at <= now,
                or_(Notification.lease_until.is_(None), Notification.lease_until < now),
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self._s.scalars(due)).all())
        if not ids:
            return []
        await self._s.execute(
            update(Notification).where(Notification.id.in_(ids)).values(lease_owner=owner, lease_until=lease_until)
        )
        return (await self._s.scalars(select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id))).all()

    async def settle(self, notification_id: int, owner: str, values: dict) -> bool:
        """Record a delivery outcome, if ``owner`` still holds the lease; False if it doesn't."""
        result = await self._s.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.lease_owner == owner, Notification.status == "pending")
            .values(**values)
        )
        return bool(result.rowcount)

    async def by_keys(self, keys: set[str]) -> dict[str, Notification]:
        if not keys:
            return {}
        return {n.key: n for n in (await self._s.scalars(select(Notification).where(Notification.key.in_(keys)))).all()}

    async def counts(self) -> dict[str, int]:
        rows = await self._s.execute(select(Notification.status, func.count()).group_by(Notification.status))
        return {status: n for status, n in rows.all()}

    async def retrying(self) -> int:
        return await self._s.scalar(
            select(func.count()).select_from(Notification).where(
                Notification.status == "pending", Notification.attempts > 0
            )
        ) or 0


class Timers:
    """Durable timers. Writes happen in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def schedule(
        self, key: str, kind: str, subject_type: str, subject_id: int, due_at: datetime, at: datetime,
        payload: dict | None = None,
    ) -> bool:
        """Add a timer; False (and no change) if one with this key exists already."""
        values = dict(
            key=key, kind=kind, subject_type=subject_type, subject_id=subject_id, payload=payload or {},
            due_at=due_at, status="pending", attempts=0, created_at=at,
        )
        statement = _insert_ignoring_duplicates(self._s, Timer, values, ["key"])
        return (await self._s.execute(statement)).first() is not None

    async def reschedule(self, key: str, due_at: datetime) -> bool:
        result = await self._s.execute(
            update(Timer).where(Timer.key == key, Timer.status == "pending").values(due_at=due_at, attempts=0)
        )
        return bool(result.rowcount)

    async def cancel(self, key: str) -> bool:
        result = await self._s.execute(
            update(Timer).where(Timer.key == key, Timer.status == "pending").values(status="cancelled")
        )
        return bool(result.rowcount)

    async def cancel_for(self, subject_type: str, subject_id: int) -> int:
        result = await self._s.execute(
            update(Timer)
            .where(Timer.subject_type == subject_type, Timer.subject_id == subject_id, Timer.status == "pending")
            .values(status="cancelled")
        )
        return result.rowcount or 0

    async def by_key(self, key: str) -> Timer | None:
        return await self._s.scalar(select(Timer).where(Timer.key == key))

    async def lock_due(self, now: datetime, limit: int) -> Sequence[Timer]:
        """Due timers, locked for this transaction; on PostgreSQL, rows locked by another
        instance are skipped, so each timer is run by exactly one instance."""
        return (
            await self._s.scalars(
                select(Timer)
                .where(Timer.status == "pending", Timer.due_at <= now)
                .order_by(Timer.due_at, Timer.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def overdue(self, before: datetime) -> int:
        return await self._s.scalar(
            select(func.count()).select_from(Timer).where(Timer.status == "pending", Timer.due_at < before)
        ) or 0

    async def counts(self) -> dict[str, int]:
        rows = await self._s.execute(select(Timer.status, func.count()).group_by(Timer.status))
        return {status: n for status, n in rows.all()}


class Tx:
    """A transaction's repositories, sharing one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.people = People(session)
        self.reports = Reports(session)
        self.audit = Audit(session)
        self.org = Org(session)
        self.conversations = ConversationRefs(session)
        self.inbound = InboundEvents(session)
        self.notifications = Notifications(session)
        self.timers = Timers(session)
