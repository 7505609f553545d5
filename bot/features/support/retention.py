"""Peer-support records past the organisation's retention: found, and removed with their
offers and timers; the cards in supporters' and the clinician's chats say so. Check-ins go
with them once they are over (they hold only when to ask)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.features.support.storage import CheckIn, SupportRequest
from bot.machinery.retract import retract
from bot.machinery.storage.repos import Tx
from bot.port.views import Card, Notice


async def expired(tx: Tx, before: datetime, limit: int) -> list[tuple[int, None]]:
    """``(request id, None)`` for requests last changed before ``before``, oldest first (a
    support request is never linked to a report, so no legal hold applies)."""
    rows = await tx.session.scalars(
        select(SupportRequest.id).where(SupportRequest.updated_at < before).order_by(SupportRequest.id).limit(limit)
    )
    return [(request_id, None) for request_id in rows.all()]


async def forget(tx: Tx, request_id: int, removed: Notice | Card, now: datetime) -> None:
    await retract(tx, f"sup:{request_id}", ("support", request_id), removed, now)
    await tx.session.execute(delete(SupportRequest).where(SupportRequest.id == request_id))


async def forget_check_ins(tx: Tx, before: datetime) -> int:
    """Check-ins that are over (answered, stopped or sent) and older than ``before``."""
    result = await tx.session.execute(
        delete(CheckIn).where(CheckIn.created_at < before, CheckIn.status != "set")
    )
    return result.rowcount or 0
