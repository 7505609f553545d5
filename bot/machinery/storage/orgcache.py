"""What every event reads and almost nothing writes, kept in memory and checked by version.

At hospital size (20,000 people) the per-event reads of the organisation row and of the
person behind a platform identity, and a fan-out's read of every volunteer's profile, cost
more than the work itself (bench/hospital.py, bench/teams_turns.py). They change rarely: when
the organisation file is applied, a directory sync runs, or a volunteer edits their profile.

How it stays correct across instances:

- ``organisation.version`` is a counter. Any transaction that writes a *watched* table
  (people, identities, teams, memberships, the organisation, and tables features add with
  :func:`watch`) bumps it just before it commits — found automatically, both for ORM objects
  (``before_flush``) and for bulk ``insert``/``update``/``delete`` statements
  (``do_orm_execute``), including plain ``UPDATE``/``INSERT INTO``/``DELETE FROM`` text on a
  transaction's session. Two writes do not count: ``identities.last_seen_at`` (written
  hourly as people use the bot) and a new identity (a first contact linked by email: the
  cache only holds identities already linked).
- Each transaction that uses the cache first reads the version (one indexed single-row read).
  A different version than the cache holds empties the cache, so every instance sees a change
  at its next event after the change commits. An event's transaction (``MAY_ASSUME``) instead
  uses the cache at the version it holds and reads the version in its last statement, with
  the event's record; a version that moved meanwhile makes the event run again, reading it
  first (``Tx.record_event``).
- Objects handed out are fresh copies in the caller's session
  (``Session.merge(..., load=False)``, no query), never the cached ones, so a transaction
  that changes them and then rolls back cannot leave its change in the cache.

Anything that writes those tables without going through a transaction's session (another
program, a directory sync on its own connection, SQL the pattern above cannot read) must call
:func:`org_changed`
(``await org_changed(tx.session)`` or ``await db.org_changed()``): the hook for "the
organisation changed".
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.sql.elements import TextClause

from bot.machinery.storage.models import Identity, Organisation, Person

WATCHED: set[str] = {"organisation", "people", "identities", "teams", "team_members"}
CHANGED = "boundary.org_changed"  # session.info flag: this transaction changed a watched table
MEMBERSHIP = frozenset({"teams", "team_members"})
MEMBERSHIP_CHANGED = "boundary.membership_changed"  # ... and teams or memberships among them
VERSION = "boundary.org_version"  # session.info: the version this transaction read
# session.info: this transaction may use the cache at the version it holds without reading it
# first; it must check the version before it commits (an event's transaction: see Tx.record_event).
MAY_ASSUME = "boundary.org_version_may_assume"
ASSUMED = "boundary.org_version_assumed"  # session.info: ... and it did
BUMPED = "boundary.bumped"  # session.info: this transaction moved the version on
BEGAN = "boundary.began"  # session.info: the transaction has a database connection (it sent something)
PEOPLE_KEPT = 25_000  # identities remembered (about 2 KB each)

# Core, on the session's connection: the ORM's machinery for a one-column read measured a
# tenth of a whole turn (bench/teams_turns.py).
VERSION_READ = select(Organisation.__table__.c.version).where(Organisation.__table__.c.id == 1)
MERGED_ORG = "boundary.org_merged"  # session.info: the organisation's copy in this session
_BUMP = update(Organisation).where(Organisation.id == 1).values(version=Organisation.version + 1)
_BUMP_BOTH = update(Organisation).where(Organisation.id == 1).values(
    version=Organisation.version + 1, membership_version=Organisation.membership_version + 1)


def watch(table_name: str) -> None:
    """Count writes to this table as a change of the organisation (for a feature's own
    read-mostly table that it caches with :meth:`OrgCache.memo`)."""
    WATCHED.add(table_name)


def _changes_org(obj: Any) -> bool:
    """Whether a changed object is a change of the organisation."""
    if getattr(obj, "__tablename__", None) not in WATCHED:
        return False
    if isinstance(obj, Identity):
        changed = {a.key for a in inspect(obj).attrs if a.history.has_changes()}
        return bool(changed - {"last_seen_at"})
    return True


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    if not session.info.get(MEMBERSHIP_CHANGED) and any(
            getattr(o, "__tablename__", None) in MEMBERSHIP
            for o in (*session.new, *session.deleted, *(d for d in session.dirty if session.is_modified(d)))):
        session.info[CHANGED] = session.info[MEMBERSHIP_CHANGED] = True
    if session.info.get(CHANGED):
        return
    if any(getattr(o, "__tablename__", None) in WATCHED for o in session.deleted) or \
            any(getattr(o, "__tablename__", None) in WATCHED and not isinstance(o, Identity) for o in session.new):
        session.info[CHANGED] = True
        return
    if any(_changes_org(o) for o in session.dirty if session.is_modified(o)):
        session.info[CHANGED] = True


@event.listens_for(Session, "after_begin")
def _began(session: Session, _transaction, _connection) -> None:
    session.info[BEGAN] = True


# Plain SQL that writes a table, e.g. text("UPDATE people SET ...") on a Tx's session.
_WRITES = re.compile(r'\s*(?:update|insert\s+into|delete\s+from)\s+"?(\w+)"?', re.IGNORECASE)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    if state.is_select or state.session.info.get(MEMBERSHIP_CHANGED) or any(state.statement is b for b in (_BUMP, _BUMP_BOTH)):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        written = _WRITES.match(statement.text)
        table = written.group(1).lower() if written else None
    else:
        table = getattr(getattr(statement, "table", None), "name", None)
        if table == "identities" and state.is_insert:
            return  # a new link: nothing cached can be about an identity not yet linked
    if table in WATCHED:
        state.session.info[CHANGED] = True
    if table in MEMBERSHIP:
        state.session.info[MEMBERSHIP_CHANGED] = True


async def org_changed(session: AsyncSession) -> None:
    """The hook: say that this transaction changed the organisation (people, teams, sites,
    policies…) in a way the session could not see. Every instance drops its cache once this
    transaction commits."""
    session.info[CHANGED] = session.info[MEMBERSHIP_CHANGED] = True


async def bump_if_changed(session: AsyncSession) -> None:
    """Called just before commit, after the flush: a transaction that changed the
    organisation moves the version on, in the same commit."""
    membership = session.info.pop(MEMBERSHIP_CHANGED, False)
    if session.info.pop(CHANGED, False) or membership:
        await session.execute(_BUMP_BOTH if membership else _BUMP)
        session.info.pop(VERSION, None)
        session.info[BUMPED] = True


def _copy(obj: Any) -> Any:
    """A detached copy of a loaded row (columns only), as if freshly read."""
    mapper = inspect(obj).mapper
    fresh = mapper.class_manager.new_instance()
    for attr in mapper.column_attrs:
        if attr.key in obj.__dict__:
            setattr(fresh, attr.key, copy.deepcopy(obj.__dict__[attr.key]))
    return fresh


def _detached_copy(obj: Any) -> Any:
    fresh = _copy(obj)
    make_transient_to_detached(fresh)
    return fresh


class OrgCache:
    """One per :class:`~bot.machinery.storage.db.Database` (so per process): the
    organisation row, people by platform identity, and what features keep with :meth:`memo`,
    all valid for one version."""

    def __init__(self) -> None:
        self.version: int | None = None
        self._org: Organisation | None = None
        self._people: OrderedDict[tuple[str, str, str], tuple[Person, Identity]] = OrderedDict()
        self._memos: dict[str, Any] = {}

    def clear(self) -> None:
        self._org = None
        self._people.clear()
        self._memos.clear()

    def forget(self) -> None:
        """Empty the cache and forget its version (this instance just changed the
        organisation): the next transaction reads the version rather than assume one."""
        self.clear()
        self.version = None

    async def check(self, session: AsyncSession) -> bool:
        """Read the version (once per transaction); True when the cache may be used. A
        transaction that has itself changed the organisation does not use it."""
        if session.info.get(CHANGED):
            return False
        if VERSION not in session.info:
            if session.info.get(MAY_ASSUME) and self.version is not None:
                session.info[VERSION] = session.info[ASSUMED] = self.version
            else:
                session.info[VERSION] = (await (await session.connection()).execute(VERSION_READ)).scalar()
        version = session.info[VERSION]
        if version is None:
            return False
        if self.version is None or version > self.version:
            self.clear()
            self.version = version
        # A transaction that began before a change other transactions have already seen
        # neither reads nor fills the newer cache.
        return version == self.version

    @staticmethod
    def remember_version(session: AsyncSession, version: int | None) -> None:
        """The version this transaction read along with something else (an event's first
        statement), so :meth:`check` need not read it again."""
        session.info[VERSION] = version

    def _current(self, session: AsyncSession) -> bool:
        """Whether what this transaction read may be kept: it read the cache's version (data
        read after an older version must not be kept under a newer one)."""
        return session.info.get(VERSION) == self.version and not session.info.get(CHANGED)

    async def organisation(self, session: AsyncSession) -> Organisation | None:
        if not await self.check(session):
            return await session.get(Organisation, 1)
        if self._org is None:
            org = await session.get(Organisation, 1)
            if org is not None and self._current(session):
                self._org = _detached_copy(org)
            return org
        # Asked for several times a turn: merged into the session once (again only if it left
        # the session or a rolled-back savepoint expired it).
        merged = session.info.get(MERGED_ORG)
        if merged is None or merged not in session or inspect(merged).expired_attributes:
            merged = session.info[MERGED_ORG] = await session.merge(self._org, load=False)
        return merged

    async def person(self, session: AsyncSession, key: tuple[str, str, str]) -> tuple[Person, Identity] | None:
        """The person behind a platform identity and the identity's row, as copies in the
        caller's session (no query), if this instance has resolved them at this version."""
        found = self._people.get(key)
        if found is None:
            return None
        self._people.move_to_end(key)
        person, identity = found
        return await session.merge(person, load=False), await session.merge(identity, load=False)

    def keep_person(self, session: AsyncSession, key: tuple[str, str, str], person: Person,
                    identity: Identity) -> None:
        if not self._current(session):
            return
        self._people[key] = (_detached_copy(person), _detached_copy(identity))
        while len(self._people) > PEOPLE_KEPT:
            self._people.popitem(last=False)

    def seen(self, key: tuple[str, str, str], at) -> None:
        """Keep the cached copy's "last seen" in step with what this instance wrote."""
        if (found := self._people.get(key)) is not None:
            found[1].__dict__["last_seen_at"] = at

    async def memo(self, session: AsyncSession, name: str, load: Callable[[], Awaitable[Any]]) -> Any:
        """A feature's read-mostly data (``load()`` must return plain values, not ORM
        objects), loaded once per version; a writer of its tables :func:`watch`-es them."""
        if not await self.check(session):
            return await load()
        if name in self._memos:
            return self._memos[name]
        loaded = await load()
        if self._current(session):
            self._memos[name] = loaded
        return loaded
