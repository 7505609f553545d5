"""Open work: what waits for this manager — escalations they can act on (the very cards chat
shows them, with the same buttons and rules), and their teams' open chaperone requests and
referrals with their state and deadlines (metadata only, never notes or narratives).

Pressing a button here goes through the escalation feature's own handlers (the registry's
buttons and forms), so the rules, the audit and the updates to chat are the ones chat uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from bot.features.console.access import Access
from bot.features.escalation import handler_cards
from bot.machinery.storage.models import Base, Person, TeamMember
from bot.org.policy import ChaperonePolicy
from bot.port.views import View
from bot.turn import Turn

# Only these buttons and forms may be used from the console: acting on escalations.
CONSOLE_BUTTONS = ("escalation.ack", "escalation.resolve", "escalation.view")
CONSOLE_FORMS = ("escalation.resolve",)


@dataclass
class Item:
    reference: str
    what: str
    who: str
    state: str
    when: datetime | None
    deadline: datetime | None = None


@dataclass
class OpenWork:
    escalations: list[View] = field(default_factory=list)
    chaperone: list[Item] = field(default_factory=list)
    referrals: list[Item] = field(default_factory=list)


def _team_members(team_ids: list[int]):
    return select(TeamMember.person_id).where(TeamMember.team_id.in_(team_ids), TeamMember.role == "member")


async def gather(turn: Turn, access: Access, limit: int = 200) -> OpenWork:
    work = OpenWork(escalations=await handler_cards(turn))
    if not access.managed:
        return work
    members = _team_members([t.id for t in access.managed])
    names = {}

    async def name(person_id: int | None) -> str:
        if person_id is None:
            return "—"
        if person_id not in names:
            person = await turn.tx.session.get(Person, person_id)
            names[person_id] = person.display_name if person else "someone"
        return names[person_id]

    requests = Base.metadata.tables["chaperone_requests"]
    # One team: its policy's deadlines; several: the default's (each request's own team may differ).
    policy = ChaperonePolicy.from_json(access.managed[0].chaperone_policy if len(access.managed) == 1 else None)
    for row in (await turn.tx.session.execute(
        select(requests).where(requests.c.status == "open", requests.c.requester_id.in_(members))
        .order_by(requests.c.starts_at).limit(limit)
    )).all():
        where = row.site or row.setting.replace("_", " ")
        work.chaperone.append(Item(
            reference=f"C-{row.id}", what=f"{row.minutes} min, {where}" + (" (urgent)" if row.urgent else ""),
            who=await name(row.requester_id), state="Waiting for a volunteer", when=row.starts_at,
            deadline=(row.created_at + policy.urgent_deadline_after) if row.urgent
            else row.starts_at - policy.deadline_before,
        ))
    referrals = Base.metadata.tables["referrals"]
    waiting = ("awaiting_approval", "offered", "declined", "returned")
    labels = {"awaiting_approval": "Waiting for a manager's approval", "offered": "Waiting for the receiver",
              "declined": "Declined: the referrer is choosing someone else",
              "returned": "Returned to the referrer"}
    for row in (await turn.tx.session.execute(
        select(referrals).where(referrals.c.status.in_(waiting), referrals.c.referrer_id.in_(members))
        .order_by(referrals.c.created_at).limit(limit)
    )).all():
        work.referrals.append(Item(
            reference=f"F-{row.id}", what=f"{row.urgency} referral ({row.reason})", who=await name(row.referrer_id),
            state=labels.get(row.status, row.status), when=row.offered_at or row.created_at,
        ))
    return work
