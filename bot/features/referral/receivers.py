"""Who can be chosen to take a referral over, found by typing: a colleague (an active
clinician other than the referrer) or a team's intake pool (a team with an active member
other than the referrer). Values are ``person:<id>`` or ``team:<id>``; the same rule answers
each keystroke and checks what was submitted."""

from __future__ import annotations

from sqlalchemy import select

from bot.feature import Picker
from bot.features.referral import wording
from bot.machinery.storage.models import Person, Team, TeamMember
from bot.org import directory_search as directory
from bot.port.views import Option
from bot.turn import Turn

PICKER = wording.RECEIVER_PICKER
POOLS_SHOWN = 10  # pools first when the words typed name a team: a handful is plenty


def _rule(turn: Turn) -> directory.Rule:
    return directory.Rule(not_id=turn.person.id, clinicians_only=True)


def pool_label(name: str) -> str:
    return f"{name} intake pool (first to accept takes it)"


async def _pools(turn: Turn) -> list[tuple[int, str, tuple[str, ...], frozenset[int]]]:
    """Every team with its name's words and the people in its intake pool (active members,
    not managers: bot.features.referral.access.pool), read once per organisation version."""
    async def load():
        session = turn.tx.session
        teams = (await session.execute(select(Team.id, Team.name).order_by(Team.name))).all()
        members: dict[int, set[int]] = {}
        for team_id, person_id in (await session.execute(
            select(TeamMember.team_id, TeamMember.person_id).join(Person, Person.id == TeamMember.person_id)
            .where(TeamMember.role == "member", Person.active.is_(True))
        )).all():
            members.setdefault(team_id, set()).add(person_id)
        return [(i, name, tuple(directory.fold(name)), frozenset(members.get(i, ()))) for i, name in teams]
    return await turn.tx.org.memo("referral.pools", load)


async def _matching_pools(turn: Turn, query: str, limit: int, ids: set[int] | None = None) -> list[Option]:
    terms = directory.words(query)
    found = []
    for team_id, name, words, members in await _pools(turn):
        if ids is not None and team_id not in ids:
            continue
        if not members - {turn.person.id}:  # a pool that would ask nobody but the referrer
            continue
        if all(any(w.startswith(t) for w in words) for t in terms):
            found.append(Option(f"team:{team_id}", pool_label(name)))
            if len(found) >= limit:
                break
    return found


async def search(turn: Turn, query: str, limit: int) -> list[Option]:
    session = turn.tx.session
    pools = await _matching_pools(turn, query, min(limit, POOLS_SHOWN))
    people = [Option(f"person:{f.id}", f.label)
              for f in await directory.people(session, query, _rule(turn), limit)]
    # Typing a team's name finds its pool first; with nothing typed, colleagues come first.
    found = pools + people if query.strip() else people + pools
    return found[:limit]


async def resolve(turn: Turn, values: list[str]) -> list[Option]:
    people_ids = [int(v[7:]) for v in values if v.startswith("person:") and v[7:].isdigit()]
    team_ids = [int(v[5:]) for v in values if v.startswith("team:") and v[5:].isdigit()]
    session = turn.tx.session
    found = [Option(f"person:{f.id}", f.label) for f in await directory.people_by_id(session, people_ids, _rule(turn))]
    found += await _matching_pools(turn, "", len(team_ids), set(team_ids)) if team_ids else []
    return found


RECEIVERS = Picker(search, resolve)
