"""Who may see and act on an escalation: everyone the team's policy names, at any level.

| who | sees the notice | acknowledges, resolves, snoozes the reminder | opens the details |
|---|---|---|---|
| a person named at any level of the team's policy | yes | yes (snooze: not for safety, at most 3 times) | yes, audited |
| a deputy standing in for one of them while they were away | the notice sent to them instead, saying for whom | yes, for that escalation | yes, audited |
| the reporter | no (told of each change; may send a waiting one now) | no | no |
| anyone else | no | no | no (the same "can't find it" as a missing one) |

A confidential reporter's name is hidden below the top level, in the notice and in the
console's audit log and its exports alike (`hidden_reporters`).

An escalation waiting for the team's working hours has been sent to nobody yet.

After the fact (decided here once, tested in tests/features/test_authorisation_table.py):

| the report behind it was | the details (narrative) | acknowledge, resolve |
|---|---|---|
| withdrawn by its reporter | shown to nobody: a notice says it was withdrawn | yes (the escalation itself stays) |
| deleted by its reporter or by retention | the escalation goes with it: "can't find it", for everyone | no |
| resolved (the escalation) | yes, to the same people, audited | no ("already resolved") |
"""

from __future__ import annotations

from sqlalchemy import select

from bot.features.escalation.storage import Escalation, EscalationNotice
from bot.machinery.storage.models import Person, Report, Team, TeamMember
from bot.machinery.storage.repos import Tx
from bot.org.policy import MANAGERS, Policy
from bot.turn import Turn


async def people_at(tx: Tx, team: Team, policy: Policy, level: int) -> list[Person]:
    who = policy.levels[min(level, len(policy.levels) - 1)].who
    if who == MANAGERS:
        query = (
            select(Person)
            .join(TeamMember, TeamMember.person_id == Person.id)
            .where(TeamMember.team_id == team.id, TeamMember.role == "manager")
        )
    else:
        query = select(Person).where(Person.key.in_(who))
    return list((await tx.session.scalars(query.where(Person.active.is_(True)).order_by(Person.display_name))).all())


async def handlers_of(tx: Tx, team: Team) -> dict[int, Person]:
    """Everyone the team's policy names, at any level: the people who may act."""
    policy = Policy.from_json(team.escalation_policy)
    found: dict[int, Person] = {}
    for level in range(len(policy.levels)):
        for person in await people_at(tx, team, policy, level):
            found[person.id] = person
    return found


async def hidden_reporters(tx: Tx, viewer_id: int) -> set[tuple[str, int, int]]:
    """Audit entries whose actor this viewer may not see named, as (subject type, subject id,
    reporter id): a confidential reporter's own entries about their report and its
    escalations, unless the viewer is named at the top level of the team's policy and an
    escalation of that report has reached it (as the notice in chat shows the name)."""
    reports = (await tx.session.execute(
        select(Report.id, Report.author_id).where(Report.confidential.is_(True)))).all()
    if not reports:
        return set()
    escalations = (await tx.session.scalars(
        select(Escalation).where(Escalation.report_id.in_([r for r, _ in reports])))).all()
    named: set[int] = set()
    tops: dict[int, tuple[int, set[int]]] = {}
    for escalation in escalations:
        if escalation.team_id not in tops:
            team = await tx.session.get(Team, escalation.team_id)
            policy = Policy.from_json(team.escalation_policy)
            top = len(policy.levels) - 1
            tops[escalation.team_id] = (top, {p.id for p in await people_at(tx, team, policy, top)})
        top, people = tops[escalation.team_id]
        if escalation.level >= top and viewer_id in people:
            named.add(escalation.report_id)
    hidden = {("report", report_id, author) for report_id, author in reports if report_id not in named}
    hidden |= {("escalation", e.id, e.reporter_id) for e in escalations if e.report_id not in named}
    return hidden


async def find_for_handler(turn: Turn, value: str) -> tuple[Escalation, Team] | None:
    """The escalation, if the person pressing is named in its team's policy."""
    try:
        escalation = await turn.tx.session.get(Escalation, int(value))
    except (TypeError, ValueError):
        return None
    if escalation is None:
        return None
    team = await turn.tx.session.get(Team, escalation.team_id)
    if turn.person.id not in await handlers_of(turn.tx, team) and not await _was_sent(turn, escalation):
        return None
    return escalation, team


async def _was_sent(turn: Turn, escalation: Escalation) -> bool:
    """A deputy who was sent a notice about it (standing in for someone away) may act on it."""
    return await turn.tx.session.scalar(select(EscalationNotice.id).where(
        EscalationNotice.escalation_id == escalation.id, EscalationNotice.person_id == turn.person.id,
        EscalationNotice.on_behalf_of.is_not(None)).limit(1)) is not None


async def find_for_reporter(turn: Turn, value: str) -> Escalation | None:
    try:
        escalation = await turn.tx.session.get(Escalation, int(value))
    except (TypeError, ValueError):
        return None
    return escalation if escalation is not None and escalation.reporter_id == turn.person.id else None
