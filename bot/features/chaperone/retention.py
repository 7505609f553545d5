"""Chaperone records past the organisation's retention: found, and removed with their offers,
timers and escalations; the cards in volunteers' and the requester's chats say so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.features import escalation
from bot.features.chaperone.storage import ChaperoneRequest
from bot.machinery.retract import retract
from bot.machinery.storage.repos import Tx
from bot.port.views import Card, Notice


async def expired(tx: Tx, before: datetime, limit: int) -> list[tuple[int, int | None]]:
    """``(request id, linked report id)`` for requests whose session and last change are
    both before ``before``, oldest first."""
    rows = await tx.session.execute(
        select(ChaperoneRequest.id, ChaperoneRequest.report_id)
        .where(ChaperoneRequest.starts_at < before, ChaperoneRequest.updated_at < before)
        .order_by(ChaperoneRequest.id).limit(limit)
    )
    return [(request_id, report_id) for request_id, report_id in rows.all()]


async def forget(tx: Tx, request_id: int, removed: Notice | Card, now: datetime) -> None:
    await escalation.forget_about(tx, "chaperone", request_id, removed, now)
    await retract(tx, f"chap:{request_id}", ("chaperone", request_id), removed, now)
    await tx.session.execute(delete(ChaperoneRequest).where(ChaperoneRequest.id == request_id))
