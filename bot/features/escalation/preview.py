"""Who would be told, and when, before anything is sent: the consent preview.

Computed from the same places the escalation itself reads — the reporter's home team, its
policy's levels and waits, and anyone away replaced by their deputy (not audited: nothing
has been routed yet) — so what the clinician is shown is what will happen:
"Morgan Reyes now; Dr Chris Osei if not acknowledged in 15 minutes".
"""

from __future__ import annotations

from datetime import datetime

from bot.features import away
from bot.features.escalation.access import people_at
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.org.hours import WorkingHours, wait_until, when
from bot.org.policy import Policy, describe_duration


def _names(people: list[Person]) -> str:
    names = [p.display_name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


async def ladder(tx: Tx, person: Person, now: datetime) -> list[tuple[list[Person], object]]:
    """Each level's receivers (after deputies) with the wait before the next level."""
    team = await tx.people.home_team(person.id)
    if team is None:
        return []
    policy = Policy.from_json(team.escalation_policy)
    out = []
    seen: set[int] = set()
    for level in range(len(policy.levels)):
        people = [p for p in await people_at(tx, team, policy, level) if p.id != person.id]
        covers = await away.route(tx, people, now, "escalation", None, exclude=frozenset({person.id}), audit=False)
        receivers = [c.person for c in covers if c.person.id not in seen]
        seen.update(p.id for p in receivers)
        if receivers:
            out.append((receivers, policy.wait_at(level)))
    return out


async def who_and_when(tx: Tx, person: Person, now: datetime, *, urgent: bool = True,
                       zone: str | None = None) -> str | None:
    """One line: who is told first and when, then who next if nobody acknowledges. None when
    the person is in no team with anyone to tell."""
    levels = await ladder(tx, person, now)
    if not levels:
        return None
    first, wait = levels[0]
    start = "now"
    if not urgent:
        team = await tx.people.home_team(person.id)
        opens = wait_until(WorkingHours.from_json(team.working_hours if team else None), now)
        if opens > now:
            start = f"at {when(opens, zone)}, when your team is next working"
    line = f"{_names(first)} {start}"
    if len(levels) > 1:
        line += f"; {_names(levels[1][0])} if not acknowledged in {describe_duration(wait)}"
    return line
