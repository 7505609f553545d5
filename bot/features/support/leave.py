"""A peer supporter left: conversations they had taken on go back to the other supporters, and
requests waiting on their answer stop waiting for it. (Support requests are never audited by
id; the leaving itself is, as ``directory.person_left``.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.features.support.flow import reopen
from bot.features.support.matching import set_offers
from bot.features.support.storage import SupportOffer, SupportRequest
from bot.machinery.storage.repos import Tx


async def on_leave(tx: Tx, person_id: int, now: datetime) -> int:
    s = tx.session
    leaver = await tx.people.get(person_id)
    taken = (await s.scalars(select(SupportRequest).where(
        SupportRequest.status == "accepted", SupportRequest.supporter_id == person_id).with_for_update())).all()
    for request in taken:
        await reopen(tx, request, leaver, now)
    waiting = (await s.scalars(select(SupportOffer).where(
        SupportOffer.supporter_id == person_id, SupportOffer.status == "offered"))).all()
    for offer in waiting:
        await set_offers(tx, [offer], "withdrawn", await s.get(SupportRequest, offer.request_id), now)
    return len(taken)
