"""Referral records past the organisation's retention: found, and removed with their offers,
timers and escalations; the cards in everyone's chats say so."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.features import escalation
from bot.features.referral.storage import Referral
from bot.machinery.retract import retract
from bot.machinery.storage.repos import Tx
from bot.port.views import Card, Notice


async def expired(tx: Tx, before: datetime, limit: int) -> list[tuple[int, int | None]]:
    """``(referral id, linked report id)`` for referrals last changed before ``before``."""
    rows = await tx.session.execute(
        select(Referral.id, Referral.report_id).where(Referral.updated_at < before)
        .order_by(Referral.id).limit(limit)
    )
    return [(referral_id, report_id) for referral_id, report_id in rows.all()]


async def forget(tx: Tx, referral_id: int, removed: Notice | Card, now: datetime) -> None:
    await escalation.forget_about(tx, "referral", referral_id, removed, now)
    await retract(tx, f"ref:{referral_id}", ("referral", referral_id), removed, now)
    await tx.session.execute(delete(Referral).where(Referral.id == referral_id))
