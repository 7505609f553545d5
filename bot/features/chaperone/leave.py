"""A volunteer left: the sessions they accepted open again to the others, and the requests
still waiting on their answer stop waiting for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.features.chaperone.flow import reopen
from bot.features.chaperone.matching import set_offer
from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.machinery.storage.repos import Tx


async def on_leave(tx: Tx, person_id: int, now: datetime) -> int:
    s = tx.session
    leaver = await tx.people.get(person_id)
    moved = 0
    covered = (await s.scalars(select(ChaperoneRequest).where(
        ChaperoneRequest.status == "covered", ChaperoneRequest.chaperone_id == person_id,
        ChaperoneRequest.starts_at > now).with_for_update())).all()
    for request in covered:
        await reopen(tx, request, leaver, now)
        await tx.audit.record(now, None, "chaperone.reopened_on_leave", "chaperone", request.id)
        moved += 1
    offered = (await s.scalars(select(ChaperoneOffer).join(
        ChaperoneRequest, ChaperoneRequest.id == ChaperoneOffer.request_id).where(
        ChaperoneOffer.volunteer_id == person_id, ChaperoneOffer.status == "offered",
        ChaperoneRequest.status == "open"))).all()
    for offer in offered:
        await set_offer(tx, offer, "withdrawn", await s.get(ChaperoneRequest, offer.request_id), now)
    return moved
