"""What waits for a volunteer: chaperone requests offered to them and still open."""

from __future__ import annotations

from sqlalchemy import select

from bot.feature import Waiting
from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.features.chaperone.wording import when_of, zone_of
from bot.port.views import Button, ButtonStyle
from bot.turn import Turn


async def waiting(turn: Turn) -> list[Waiting]:
    now = turn.clock.now()
    rows = (await turn.tx.session.execute(
        select(ChaperoneRequest)
        .join(ChaperoneOffer, ChaperoneOffer.request_id == ChaperoneRequest.id)
        .where(ChaperoneOffer.volunteer_id == turn.person.id, ChaperoneOffer.status == "offered",
               ChaperoneRequest.status == "open", ChaperoneRequest.starts_at > now)
        .order_by(ChaperoneRequest.starts_at)
    )).scalars().unique().all()
    zone = zone_of(turn.person, turn.org)
    items = []
    for request in rows:
        value = str(request.id)
        urgent = "Urgent: " if request.urgent else ""
        items.append(Waiting(
            what=f"{urgent}answer a chaperone request, {when_of(request, zone)}",
            due=request.starts_at,
            due_means="the session starts",
            buttons=(Button("Accept", "chaperone.accept", value, ButtonStyle.PRIMARY),
                     Button("Decline", "chaperone.decline", value)),
        ))
    return items
