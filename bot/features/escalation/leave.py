"""Someone who must act on escalations left: what waited on them goes up the ladder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.features.escalation.storage import Escalation, EscalationNotice
from bot.features.escalation.timers import climb
from bot.machinery.storage.models import Person, Timer
from bot.machinery.storage.repos import Tx


async def on_leave(tx: Tx, person_id: int, now: datetime) -> int:
    """An escalation the leaver acknowledged opens again and goes to the next level; one they
    were told about and must acknowledge goes to the next level when nobody else still active
    at its level has it. The climb tells the reporter, as any climb does, and is audited."""
    s = tx.session
    moved = 0
    acknowledged = (await s.scalars(select(Escalation).where(
        Escalation.status == "acknowledged", Escalation.acknowledged_by == person_id))).all()
    for escalation in acknowledged:
        escalation.status, escalation.acknowledged_by, escalation.acknowledged_at = "open", None, None
        moved += await _climb_now(tx, escalation, now)
    waiting = (await s.scalars(
        select(Escalation).join(EscalationNotice, EscalationNotice.escalation_id == Escalation.id)
        .where(Escalation.status == "open", EscalationNotice.person_id == person_id,
               EscalationNotice.level == Escalation.level).distinct())).all()
    for escalation in waiting:
        others = await s.scalar(
            select(EscalationNotice.id).join(Person, Person.id == EscalationNotice.person_id)
            .where(EscalationNotice.escalation_id == escalation.id, EscalationNotice.level == escalation.level,
                   EscalationNotice.person_id != person_id, Person.active.is_(True)).limit(1))
        if others is None:
            moved += await _climb_now(tx, escalation, now)
    return moved


async def _climb_now(tx: Tx, escalation: Escalation, now: datetime) -> int:
    # The climb timer's own handler, run now rather than when the wait runs out.
    await climb(tx, Timer(payload={"escalation_id": escalation.id, "generation": escalation.generation}), now)
    await tx.audit.record(now, None, "escalation.moved_on_leave", "escalation", escalation.id)
    return 1
