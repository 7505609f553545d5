"""Repositories: the only code that writes SQL. Workflows get them from a ``Tx``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, raiseload

from bot.machinery.storage import identities, orgcache, report_changes
from bot.machinery.storage.audit_chain import Audit
from bot.machinery.storage.inbound import InboundEvents, Redelivered, StaleVersion
from bot.machinery.storage.models import (
    ConversationRef,
    Identity,
    Organisation,
    Person,
    Report,
    Team,
    TeamMember,
)
from bot.machinery.storage.orgcache import OrgCache
from bot.machinery.storage.queues import Notifications, Timers
from bot.port import events
from bot.port.delivery import Address

if TYPE_CHECKING:
    from bot.machinery.crypto import Signer

LAST_SEEN_RESOLUTION = timedelta(hours=1)


class People:
    def __init__(self, session: AsyncSession, audit: Audit | None = None,
                 cache: OrgCache | None = None) -> None:
        self._s = session
        self._audit = audit
        self._cache = cache
        self._resolved: dict[events.Identity, Identity] = {}

    async def resolve(self, identity: events.Identity, at: datetime | None = None, *,
                      linked_at: datetime | None = None) -> Person | None:
        """The active person behind a platform identity.

        An identity seen for the first time is linked to the person with the same email in
        the organisation file, if the platform told us an email it confirms as the account's
        own, and only as :mod:`bot.machinery.storage.identities` allows; nobody at all from a
        workspace or tenant the organisation does not list. ``at`` records when the identity was last used (at most
        hourly, to keep reads cheap), so that notifications go to the platform the person
        actually uses.

        People already resolved are copied from the instance's cache (no query) while the
        organisation's version has not moved (bot.machinery.storage.orgcache).
        """
        if identity.platform in identities.CHECKED_PLATFORMS:  # every caller, not only BoundaryBot.handle
            org = await (self._cache.organisation(self._s) if self._cache is not None
                         else self._s.get(Organisation, 1))
            if not identities.accepts(org, identity):
                return None
        key = (identity.platform, identity.workspace, identity.user_id)
        cache = self._cache if self._cache is not None and await self._cache.check(self._s) else None
        if cache is not None and (known := await cache.person(self._s, key)) is not None:
            person, row = known
            if person.active:
                self._resolved[identity] = row
                if at is not None and (row.last_seen_at is None or at - row.last_seen_at > LAST_SEEN_RESOLUTION):
                    row.last_seen_at = at
                    cache.seen(key, at)
                    await self._s.flush()
                return person
        row = await self._find_identity(identity)
        linked_now = False
        if row is None and identity.email and self._audit is not None \
                and not await identities.is_held(self._s, identity):
            await identities.link_by_email(self._s, self._audit, identity,
                                             linked_at or at or datetime.now(UTC))
            row = await self._find_identity(identity)
            linked_now = row is not None
        if row is None or not row.person.active:
            return None
        self._resolved[identity] = row
        if at is not None and (row.last_seen_at is None or at - row.last_seen_at > LAST_SEEN_RESOLUTION):
            row.last_seen_at = at
        await self._s.flush()
        # A link made in this transaction is not kept yet: if the transaction rolls back, the
        # cache would hand out an identity row that does not exist (found by the PostgreSQL
        # fuzz run: a later turn's "last seen" update matched no row). The next turn finds it
        # in the database, committed, and keeps it then.
        if cache is not None and not linked_now:
            cache.keep_person(self._s, key, row.person, row)
        return row.person

    async def left(self, identity: events.Identity) -> bool:
        """Whether this identity belongs to someone who was deactivated (they left, or the
        directory turned them off), as opposed to someone we never knew."""
        row = await self._find_identity(identity)
        if row is not None:
            return not row.person.active
        if not identity.email:
            return False
        states = set((await self._s.scalars(
            select(Person.active).where(func.lower(Person.email) == identity.email.strip().lower()))).all())
        return states == {False}

    def seen(self, identity: events.Identity, at: datetime) -> None:
        """Record when the person resolved from ``identity`` last used the bot through it (at
        most hourly), so that notifications go to the platform they actually use."""
        row = self._resolved.get(identity)
        if row is not None and (row.last_seen_at is None or at - row.last_seen_at > LAST_SEEN_RESOLUTION):
            row.last_seen_at = at
            if self._cache is not None:
                self._cache.seen((identity.platform, identity.workspace, identity.user_id), at)

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

    async def many(self, person_ids: Sequence[int]) -> dict[int, Person]:
        """People by id, in one read (without their platform identities: a fan-out to
        thousands needs only who they are; ``addresses_of`` finds where to reach them)."""
        if not person_ids:
            return {}
        found = await self._s.scalars(select(Person).where(Person.id.in_(person_ids))
                                      .options(raiseload(Person.identities)))
        return {person.id: person for person in found.all()}

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


class Org:
    def __init__(self, session: AsyncSession, cache: OrgCache | None = None) -> None:
        self._s = session
        self._cache = cache

    async def get(self) -> Organisation | None:
        if self._cache is not None:
            return await self._cache.organisation(self._s)
        return await self._s.get(Organisation, 1)

    async def changed(self) -> None:
        """Say that this transaction changed people, teams or the organisation behind the
        session's back (raw SQL): every instance's cache is dropped when it commits."""
        await orgcache.org_changed(self._s)

    async def memo(self, name: str, load):
        """A feature's read-mostly data, loaded once per organisation version (see
        :meth:`bot.machinery.storage.orgcache.OrgCache.memo`)."""
        if self._cache is None:
            return await load()
        return await self._cache.memo(self._s, name, load)


    async def wipe_memberships(self, keep_teams: set[int] = frozenset()) -> None:
        """Remove every membership the organisation file sets (all of them, but the members
        of directory groups in ``keep_teams``)."""
        query = delete(TeamMember)
        if keep_teams:
            query = query.where(~(TeamMember.team_id.in_(keep_teams) & (TeamMember.role == "member")))
        await self._s.execute(query)


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

    async def forget(self, platform: str, workspace: str, user_id: str) -> None:
        await self._s.execute(delete(ConversationRef).where(
            ConversationRef.platform == platform, ConversationRef.workspace == workspace,
            ConversationRef.user_id == user_id))

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

    def __init__(self, session: AsyncSession, audit_signer: Signer | None = None,
                 cache: OrgCache | None = None) -> None:
        self.session = session
        self.audit = Audit(session, audit_signer)
        self.people = People(session, self.audit, cache)
        self.reports = Reports(session)
        self.org = Org(session, cache)
        self.conversations = ConversationRefs(session)
        self.inbound = InboundEvents(session)
        self.notifications = Notifications(session)
        self.timers = Timers(session)
        self.discarded = False

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: if the block raises, its changes — audit entries included —
        are undone and the rest of the transaction goes on."""
        mark = self.audit.mark()
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            self.audit.discard_from(mark)
            raise

    async def begin_event(self, key: str | None, at: datetime) -> bool:
        """An event's first statement: record its platform id (``key``) and read the
        organisation's version. False when the id was already recorded (a redelivery)."""
        if key is None:
            return True
        first, version = await self.inbound.first_time_reading_version(key, at)
        OrgCache.remember_version(self.session, version)
        return first

    async def record_event(self, key: str, at: datetime, alone=None) -> None:
        """An event's last statement, for a transaction that used the cache at an assumed
        version instead of reading it first: record the event's platform id and check the
        version. Raises :class:`Redelivered` if the id was recorded before, :class:`StaleVersion`
        if the organisation changed since the cache was filled (the caller runs the event
        again, reading the version first). Both roll the transaction back.

        A transaction that sent nothing else (a ``help``) records the event in one statement of
        its own through ``alone`` (``Database.alone``, PostgreSQL), so its turn is one round
        trip instead of four (BEGIN, version, record, COMMIT)."""
        session = self.session
        assumed = session.info.get(orgcache.ASSUMED)
        if not session.info.get(orgcache.BEGAN) and assumed is not None and alone is not None:
            first, version = await self.inbound.first_time_if_version(alone, key, at, assumed)
        else:
            first, version = await self.inbound.first_time_reading_version(key, at)
        if assumed is not None and version != assumed:
            raise StaleVersion
        if not first:
            raise Redelivered

    def discard(self) -> None:
        """Roll this transaction back when its block ends, without an error: what it did
        (an event recorded as seen, say) must not stay."""
        self.discarded = True

    async def before_commit(self) -> None:
        # One flush for the checks below: they read what the flush found changed.
        session = self.session
        if session.new or session.dirty or session.deleted:
            await session.flush()
        # The audit chain's head is the last lock a transaction takes, so the version bump
        # (a lock on the organisation row) comes first.
        await orgcache.bump_if_changed(session)
        await report_changes.record_if_changed(session)
        await self.audit.seal()
