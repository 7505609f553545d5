"""Forgetting escalations when what they were about is removed by retention: their notices
in managers' chats are updated to say so, then the rows go."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from bot.features.escalation.storage import Escalation
from bot.machinery.retract import retract
from bot.machinery.storage.repos import Tx
from bot.port.views import Card, Notice


async def _forget(tx: Tx, escalations: list[Escalation], removed: Notice | Card, now: datetime) -> int:
    for escalation in escalations:
        await retract(tx, f"esc:{escalation.id}", ("escalation", escalation.id), removed, now)
    if escalations:
        await tx.session.execute(delete(Escalation).where(Escalation.id.in_([e.id for e in escalations])))
    return len(escalations)


async def forget_for_report(tx: Tx, report_id: int, removed: Notice | Card, now: datetime) -> int:
    """Every escalation of a report; returns how many."""
    rows = (await tx.session.scalars(select(Escalation).where(Escalation.report_id == report_id))).all()
    return await _forget(tx, list(rows), removed, now)


async def forget_about(tx: Tx, subject_type: str, subject_id: int, removed: Notice | Card, now: datetime) -> int:
    """Every escalation about something that is not a report (a chaperone request, a referral)."""
    rows = (await tx.session.scalars(select(Escalation).where(
        Escalation.subject_type == subject_type, Escalation.subject_id == subject_id))).all()
    return await _forget(tx, list(rows), removed, now)


async def forget_resolution_notes(tx: Tx, report_id: int) -> int:
    """The managers' resolution notes on a report's escalations (free text, like the report's)."""
    result = await tx.session.execute(
        update(Escalation).where(Escalation.report_id == report_id, Escalation.resolution_sealed.is_not(None))
        .values(resolution_sealed=None, reporter_note_sealed=None)
    )
    return result.rowcount or 0
