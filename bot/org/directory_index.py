"""An in-memory index of who is in the organisation, for searching people as someone types.

A ``LIKE`` over 20,000 names and their teams costs tens of milliseconds a keystroke in the
database (more on SQLite), so each process keeps a small index instead: every word of every
name and of every team name, sorted, so a typed prefix is two binary searches (its size for
20,000 people is in docs/benchmarks.md).

It is a cache of the ``people``/``teams``/``team_members`` tables, kept by the organisation's
version (``organisation.version``, moved on by every change to them on any instance:
bot.machinery.storage.orgcache), which each transaction reads once anyway. When the version
has moved, a person or team added (the highest ids moved) is waited for, so they are found at
the next keystroke; any other change (a rename, a move between teams, a (de)activation) is
rebuilt in the background while the old index answers. A deactivated person is never offered
either way, because every page found is re-read from the database. As a safety net the
background loop also rebuilds an index older than :data:`MAX_AGE`.
:func:`forget` drops this process's copy at once (call it after changing people). Whatever
the index says, results are re-read from the database before anyone sees them
(:mod:`bot.org.directory_search`), so a stale entry can never offer someone who may no longer
be picked.
"""

from __future__ import annotations

import asyncio
import heapq
import time
import uuid
import weakref
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.machinery.storage import orgcache
from bot.machinery.storage.models import Organisation, Person, Team, TeamMember

MAX_AGE = 60.0  # seconds before an index is rebuilt even if the stamp has not moved
KEPT = 8  # databases indexed per process (tests open many; a server opens one)
END = "\U0010ffff"


class DirectoryIndex:
    """People sorted by name, with every word of their name and teams for prefix lookup."""

    def __init__(self, rows: Iterable[tuple[int, str, bool, bool, bool]], teams_of: dict[int, list[str]],
                 fold) -> None:
        folded = [(" ".join(fold(r[1])), r[0], r) for r in rows]
        folded.sort()  # by folded name, then id
        self.ids = [r[0] for _, _, r in folded]
        self.names = [name for name, _, _ in folded]
        self.active = [r[2] for _, _, r in folded]
        self.clinician = [r[3] for _, _, r in folded]
        self.volunteer = [r[4] for _, _, r in folded]
        team_folds: dict[str, set[str]] = {}
        name_words, team_words = [], []
        for position, (name, _, row) in enumerate(folded):
            name_words += [(w, position) for w in set(name.split())]
            for team in teams_of.get(row[0], ()):
                if team not in team_folds:
                    team_folds[team] = set(fold(team))
                team_words += [(w, position) for w in team_folds[team]]
        name_words.sort()
        team_words.sort()
        self._name_words = [w for w, _ in name_words]
        self._name_at = [p for _, p in name_words]
        self._team_words = [w for w, _ in team_words]
        self._team_at = [p for _, p in team_words]

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def _prefixed(words: list[str], at: list[int], prefix: str) -> set[int]:
        lo = bisect_left(words, prefix)
        hi = bisect_left(words, prefix + END, lo)
        return set(at[lo:hi])

    def search(self, terms: list[str], allowed, limit: int) -> list[int]:
        """Person ids for which every term starts a word of their name or of a team's name,
        that ``allowed(position)`` accepts: the whole name starting with what was typed
        first, then a name word starting with the first term, then team matches; then by name."""
        if not terms:
            return [self.ids[p] for p in self._take((p for p in range(len(self.ids)) if allowed(p)), limit)]
        candidates: set[int] | None = None
        first_in_name: set[int] = set()
        for i, term in enumerate(terms):
            in_name = self._prefixed(self._name_words, self._name_at, term)
            if i == 0:
                first_in_name = in_name
            hits = in_name | self._prefixed(self._team_words, self._team_at, term)
            candidates = hits if candidates is None else candidates & hits
            if not candidates:
                return []
        whole = " ".join(terms)
        names = self.names

        def rank(position: int) -> tuple[int, int]:
            if names[position].startswith(whole):
                return 0, position
            return (1 if position in first_in_name else 2), position

        chosen = heapq.nsmallest(limit, (p for p in candidates if allowed(p)), key=rank)
        return [self.ids[p] for p in chosen]

    @staticmethod
    def _take(positions, limit: int) -> list[int]:
        out = []
        for position in positions:
            out.append(position)
            if len(out) >= limit:
                break
        return out


class _Cache:
    def __init__(self) -> None:
        self._by_database: OrderedDict[str, tuple[float, tuple, DirectoryIndex]] = OrderedDict()
        self._building: dict[tuple[str, tuple], asyncio.Task] = {}

    def forget(self) -> None:
        self._by_database.clear()

    async def index(self, session: AsyncSession, fold, *, refresh_old: bool = False) -> DirectoryIndex:
        """The index for this session's database. ``refresh_old`` (the background loop) also
        rebuilds one older than MAX_AGE; a keystroke never waits for that."""
        key = _database_key(session)
        version = session.info.get(orgcache.VERSION)  # read once per transaction already, usually
        if version is None:
            version = await session.scalar(select(Organisation.version).where(Organisation.id == 1))
        hit = self._by_database.get(key)
        old = hit is not None and time.monotonic() - hit[0] >= MAX_AGE
        if hit and hit[1][0] == version and not (refresh_old and old):
            return hit[2]
        stamp = (version, *await _newest_ids(session))
        if hit and hit[1][1:] == stamp[1:]:
            # Nobody was added: the old index answers (what it finds is re-read anyway) while
            # the new one is built.
            await self._rebuild(session, key, stamp, fold)
            return hit[2]
        # Someone was added: wait for the new index (once per change, shared, and shielded —
        # a keystroke that gives up waiting leaves it running for the next).
        return await asyncio.shield(await self._rebuild(session, key, stamp, fold))

    async def _rebuild(self, session: AsyncSession, key: str, stamp: tuple, fold) -> asyncio.Task:
        task = self._building.get((key, stamp))
        if task is None:
            rows = await _rows(session)  # read in the caller's transaction; indexed off it
            task = asyncio.ensure_future(asyncio.to_thread(DirectoryIndex, *rows, fold))
            self._building[(key, stamp)] = task
            task.add_done_callback(lambda done: self._built(key, stamp, done))
        return task

    def _built(self, key: str, stamp: tuple, task: asyncio.Task) -> None:
        self._building.pop((key, stamp), None)
        if task.cancelled() or task.exception() is not None:
            return
        self._by_database[key] = (time.monotonic(), stamp, task.result())
        self._by_database.move_to_end(key)
        while len(self._by_database) > KEPT:
            self._by_database.popitem(last=False)


_ENGINE_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _database_key(session: AsyncSession) -> str:
    """One key per engine this process opened, not per URL: a database dropped and made
    again at the same address (a restore, a test) starts its versions and ids again, and
    must not be answered from the old one's index."""
    bind = session.bind
    if bind is None:
        return ""
    engine = getattr(bind, "sync_engine", bind)
    key = _ENGINE_KEYS.get(engine)
    if key is None:
        key = _ENGINE_KEYS[engine] = uuid.uuid4().hex
    return key


async def _newest_ids(session: AsyncSession) -> tuple:
    """The highest person and team ids (two primary-key lookups, one round trip): they move
    when someone or some team is added."""
    return tuple((await session.execute(select(
        select(func.max(Person.id)).scalar_subquery(),
        select(func.max(Team.id)).scalar_subquery(),
    ))).one())


async def _rows(session: AsyncSession) -> tuple[list, dict[int, list[str]]]:
    rows = (await session.execute(select(
        Person.id, Person.display_name, Person.active, Person.profession.is_not(None), Person.is_volunteer,
    ))).all()
    teams_of: dict[int, list[str]] = {}
    for person_id, name in (await session.execute(
        select(TeamMember.person_id, Team.name).join(Team, Team.id == TeamMember.team_id)
    )).all():
        teams_of.setdefault(person_id, []).append(name)
    return [(r[0], r[1], bool(r[2]), bool(r[3]), bool(r[4])) for r in rows], teams_of


CACHE = _Cache()


def forget() -> None:
    """Drop this process's index (after changing people or teams here); other instances
    notice through the stamp."""
    CACHE.forget()
