"""Finding people, teams and sites as someone types: the one place pickers search the
organisation, so how it is stored or indexed underneath can change without touching a
feature.

The interface:

- :func:`people` — active people whose name (any word of it) or team starts with what was
  typed, ranked: the whole name starts with it, then a word of the name, then a team's name;
  then alphabetically. ``Rule`` says who may be picked (not the person asking, only
  clinicians, only volunteers). Labels carry the person's team so two people of the same
  name can be told apart.
- :func:`people_by_id` — the same rule applied to submitted ids (checking a form).
- :func:`teams` / :func:`teams_by_id` — teams by name, optionally only those with an
  intake pool (an active member other than the person asking).
- :func:`sites` — the organisation's sites (a short list already in memory: hundreds).

People are found in a per-process index of names and teams (:mod:`bot.org.directory_index`:
binary searches over sorted words, rebuilt when the tables change) and the page found is
re-read from the database by id; teams (hundreds) are one SQL query; sites (hundreds) are
already in memory. No keystroke walks the organisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import Picker
from bot.machinery.storage.models import Person, Team, TeamMember
from bot.org import directory_index
from bot.port.views import Field, FieldKind, Option

if TYPE_CHECKING:
    from bot.turn import Turn

_NOT_WORD = re.compile(r"[^a-z0-9]+")
WORDS_MAX = 4  # words of a query that are matched (the rest narrow nothing useful)
SEP = " · "


@dataclass(frozen=True)
class Rule:
    """Who may be picked: always active people; never ``not_id`` (the person asking);
    with ``clinicians_only`` only people with a profession; with ``volunteers_only`` only
    volunteer chaperones."""

    not_id: int | None = None
    clinicians_only: bool = False
    volunteers_only: bool = False

    def allows(self, index: directory_index.DirectoryIndex):
        """The same rule over an index's positions."""
        active, clinician, volunteer, ids = index.active, index.clinician, index.volunteer, index.ids
        clinicians_only, volunteers_only, not_id = self.clinicians_only, self.volunteers_only, self.not_id
        return lambda p: (active[p] and ids[p] != not_id and (clinician[p] or not clinicians_only)
                          and (volunteer[p] or not volunteers_only))

    def where(self) -> list:
        conditions = [Person.active.is_(True)]
        if self.not_id is not None:
            conditions.append(Person.id != self.not_id)
        if self.clinicians_only:
            conditions.append(Person.profession.is_not(None))
        if self.volunteers_only:
            conditions.append(Person.is_volunteer.is_(True))
        return conditions


@dataclass(frozen=True)
class Found:
    id: int
    name: str
    team: str | None

    @property
    def label(self) -> str:
        return f"{self.name}{SEP}{self.team}" if self.team else self.name


def fold(text: str) -> list[str]:
    """Lower-case words without accents or punctuation (``O'Neil-Smith`` → ``oneil``, ``smith``)."""
    folded = text.lower() if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_WORD.sub(" ", folded.replace("'", "")).split()


def words(query: str) -> list[str]:
    """The words of a query that are matched."""
    return fold(query)[:WORDS_MAX]


def _starts_word(column, word: str):
    """The column has a word starting with ``word`` (for the short teams table)."""
    lowered = func.lower(column)
    return or_(lowered.like(f"{word}%"), lowered.like(f"% {word}%"), lowered.like(f"%-{word}%"))


async def people(session: AsyncSession, query: str, rule: Rule, limit: int) -> list[Found]:
    index = await directory_index.CACHE.index(session, fold)
    ids = index.search(words(query), rule.allows(index), limit)
    # Re-read from the database: current names, and only people the rule still allows.
    return await people_by_id(session, ids, rule)


async def warm(session: AsyncSession) -> None:
    """Build or refresh this process's index of people now, so no keystroke waits for it
    (the background loop calls this at start-up and every half minute)."""
    await directory_index.CACHE.index(session, fold, refresh_old=True)


async def people_by_id(session: AsyncSession, ids: Iterable[int], rule: Rule) -> list[Found]:
    wanted = list(dict.fromkeys(ids))[:100]
    if not wanted:
        return []
    rows = (await session.execute(
        select(Person.id, Person.display_name).where(Person.id.in_(wanted), *rule.where())
    )).all()
    found = {f.id: f for f in await _with_teams(session, rows)}
    return [found[i] for i in wanted if i in found]


async def _with_teams(session: AsyncSession, rows: Sequence) -> list[Found]:
    ids = [row[0] for row in rows]
    team_of: dict[int, str] = {}
    if ids:
        memberships = await session.execute(
            select(TeamMember.person_id, Team.name).join(Team, Team.id == TeamMember.team_id)
            .where(TeamMember.person_id.in_(ids)).order_by(TeamMember.role.desc(), Team.name)
        )
        for person_id, team in memberships:
            team_of.setdefault(person_id, team)  # "member" sorts after "manager": the home team first
    return [Found(row[0], row[1], team_of.get(row[0])) for row in rows]


def _has_pool(not_id: int | None):
    member = select(TeamMember.person_id).join(Person, Person.id == TeamMember.person_id).where(
        TeamMember.team_id == Team.id, TeamMember.role == "member", Person.active.is_(True),
        *([Person.id != not_id] if not_id is not None else []),
    )
    return exists(member)


async def teams(session: AsyncSession, query: str, limit: int, *, pool_for: int | None = None,
                pools_only: bool = False) -> list[tuple[int, str]]:
    """Teams whose name has a word starting with each word typed, alphabetically; with
    ``pools_only``, only those whose intake pool would ask someone other than ``pool_for``."""
    statement = select(Team.id, Team.name)
    for word in words(query):
        statement = statement.where(_starts_word(Team.name, word))
    if pools_only:
        statement = statement.where(_has_pool(pool_for))
    return [(row[0], row[1]) for row in (await session.execute(statement.order_by(Team.name).limit(limit))).all()]


async def teams_by_id(session: AsyncSession, ids: Iterable[int], *, pool_for: int | None = None,
                      pools_only: bool = False) -> list[tuple[int, str]]:
    wanted = list(dict.fromkeys(ids))[:100]
    if not wanted:
        return []
    statement = select(Team.id, Team.name).where(Team.id.in_(wanted))
    if pools_only:
        statement = statement.where(_has_pool(pool_for))
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


def sites(all_sites: Sequence[str] | None, query: str, limit: int) -> list[str]:
    """Sites whose name has a word starting with each word typed; those whose whole name
    starts with it first, then in the organisation file's order."""
    terms = words(query)
    if not terms:
        return list(all_sites or ())[:limit]
    matches = []
    for position, site in enumerate(all_sites or ()):
        site_words = words(site.replace("-", " "))
        if all(any(w.startswith(t) for w in site_words) for t in terms):
            whole = " ".join(words(site)).startswith(" ".join(terms))
            matches.append((0 if whole else 1, position, site))
    return [site for _, _, site in sorted(matches)[:limit]]


# --- ready-made pickers (bot.feature.Picker) for features to declare ----------------------

SITES_LISTED_UP_TO = 10  # a short list is quicker to tick than to search; longer ones search


def site_field(name: str, label: str, kind: FieldKind, all_sites: Sequence[str] | None, picker: str,
               chosen=None, **extra) -> Field:
    """A field choosing one or more of the organisation's sites: listed when there are a
    few, found by typing (``picker``, a :func:`site_picker`) when there are more. ``chosen``
    (what the form is shown with) stays chosen."""
    known = list(all_sites or ())
    if len(known) <= SITES_LISTED_UP_TO:
        return Field(name, label, kind, options=tuple(Option(s, s) for s in known), **extra)
    picked = [chosen] if isinstance(chosen, str) else list(chosen or ())
    shown = tuple(Option(s, s) for s in dict.fromkeys(picked) if s in set(known))
    return Field(name, label, kind, options=shown, search=picker, placeholder="Type a site", **extra)



def site_picker() -> Picker:
    """One of the organisation's sites."""

    async def search(turn: Turn, query: str, limit: int) -> list[Option]:
        return [Option(s, s) for s in sites(turn.org.sites if turn.org else None, query, limit)]

    async def resolve(turn: Turn, values: list[str]) -> list[Option]:
        known = set(turn.org.sites or ()) if turn.org else set()
        return [Option(v, v) for v in values if v in known]

    return Picker(search, resolve)


def people_picker(rule: Callable[[Turn], Rule]) -> Picker:
    """A person, by id, among those ``rule(turn)`` allows."""

    async def search(turn: Turn, query: str, limit: int) -> list[Option]:
        return [Option(str(f.id), f.label) for f in await people(turn.tx.session, query, rule(turn), limit)]

    async def resolve(turn: Turn, values: list[str]) -> list[Option]:
        ids = [int(v) for v in values if v.isdigit()]
        return [Option(str(f.id), f.label) for f in await people_by_id(turn.tx.session, ids, rule(turn))]

    return Picker(search, resolve)
