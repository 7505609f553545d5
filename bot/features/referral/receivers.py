"""Who can be chosen to take a referral over, found by typing: a colleague (an active
clinician other than the referrer) or a team's intake pool (a team with an active member
other than the referrer). Values are ``person:<id>`` or ``team:<id>``; the same rule answers
each keystroke and checks what was submitted."""

from __future__ import annotations

from bot.feature import Picker
from bot.features.referral import wording
from bot.org import directory_search as directory
from bot.port.views import Option
from bot.turn import Turn

PICKER = wording.RECEIVER_PICKER
POOLS_SHOWN = 10  # pools first when the words typed name a team: a handful is plenty


def _rule(turn: Turn) -> directory.Rule:
    return directory.Rule(not_id=turn.person.id, clinicians_only=True)


def pool_label(name: str) -> str:
    return f"{name} intake pool (first to accept takes it)"


async def search(turn: Turn, query: str, limit: int) -> list[Option]:
    session = turn.tx.session
    pools = [Option(f"team:{i}", pool_label(name)) for i, name in await directory.teams(
        session, query, min(limit, POOLS_SHOWN), pool_for=turn.person.id, pools_only=True)]
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
    found += [Option(f"team:{i}", pool_label(name)) for i, name in await directory.teams_by_id(
        session, team_ids, pool_for=turn.person.id, pools_only=True)]
    return found


RECEIVERS = Picker(search, resolve)
