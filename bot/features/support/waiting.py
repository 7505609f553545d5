"""What waits for a peer supporter: requests for a conversation offered to them, still open."""

from __future__ import annotations

from sqlalchemy import select

from bot.feature import Waiting
from bot.features.support.storage import SupportOffer, SupportRequest
from bot.features.support.wording import HOW, SOON
from bot.port.views import Button, ButtonStyle
from bot.turn import Turn


async def waiting(turn: Turn) -> list[Waiting]:
    rows = (await turn.tx.session.execute(
        select(SupportRequest)
        .join(SupportOffer, SupportOffer.request_id == SupportRequest.id)
        .where(SupportOffer.supporter_id == turn.person.id, SupportOffer.status == "offered",
               SupportRequest.status == "open")
        .order_by(SupportRequest.created_at)
    )).scalars().unique().all()
    items = []
    for request in rows:
        value = str(request.id)
        items.append(Waiting(
            what=f"answer a peer support request ({HOW[request.how].lower()}, {SOON[request.soon].lower()})",
            buttons=(Button("Accept", "support.accept", value, ButtonStyle.PRIMARY),
                     Button("Not this time", "support.decline", value)),
        ))
    return items
