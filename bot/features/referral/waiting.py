"""What waits for an approver or a receiver: referrals to approve, accept or decline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bot.feature import Waiting
from bot.features.referral.access import open_offer
from bot.features.referral.steps import APPROVAL_REMIND, REMIND
from bot.features.referral.storage import offers_to, open_for
from bot.features.referral.wording import name
from bot.machinery.storage.models import Timer
from bot.machinery.storage.repos import Tx
from bot.port.views import Button, ButtonStyle
from bot.turn import Turn


async def _reminder_at(tx: Tx, referral_id: int, kind: str) -> datetime | None:
    """When the next reminder about this referral is due (the deadline people are shown)."""
    return await tx.session.scalar(select(func.min(Timer.due_at)).where(
        Timer.subject_type == "referral", Timer.subject_id == referral_id, Timer.kind == kind,
        Timer.status == "pending"))


async def waiting(turn: Turn) -> list[Waiting]:
    me = turn.person.id
    items: list[Waiting] = []
    for referral in await open_for(turn.tx, me):
        mine = await offers_to(turn.tx, referral.id, me)
        value = str(referral.id)
        urgent = "Urgent: " if referral.urgency == "urgent" else ""
        if referral.status == "awaiting_approval" and open_offer(referral, mine, "approver"):
            items.append(Waiting(
                what=f"{urgent}approve a referral from {await name(turn.tx, referral.referrer_id)}",
                due=await _reminder_at(turn.tx, referral.id, APPROVAL_REMIND),
                due_means="you get a reminder",
                buttons=(Button("Approve", "referral.approve", value, ButtonStyle.PRIMARY),
                         Button("Return…", "referral.return", value)),
            ))
        elif referral.status == "offered" and open_offer(referral, mine, "receiver"):
            items.append(Waiting(
                what=f"{urgent}accept or decline a referral from {await name(turn.tx, referral.referrer_id)}",
                due=await _reminder_at(turn.tx, referral.id, REMIND),
                due_means="you get a reminder",
                buttons=(Button("Read the note", "referral.note", value, dialog=True),
                         Button("Accept", "referral.accept", value, ButtonStyle.PRIMARY),
                         Button("Decline…", "referral.decline", value)),
            ))
    return items
