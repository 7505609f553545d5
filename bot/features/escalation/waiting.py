"""What waits for a manager: escalations sent to them that nobody has acknowledged yet."""

from __future__ import annotations

from bot.feature import Waiting
from bot.features.escalation.storage import for_handler
from bot.machinery.storage.models import Team
from bot.port.views import Button, ButtonStyle
from bot.turn import Turn


async def waiting(turn: Turn) -> list[Waiting]:
    items: list[Waiting] = []
    for escalation in await for_handler(turn.tx, turn.person):
        if escalation.status != "open":
            continue
        team = await turn.tx.session.get(Team, escalation.team_id)
        value = str(escalation.id)
        items.append(Waiting(
            what=f"Acknowledge an escalation ({team.name if team else 'your team'})",
            due=escalation.next_action_at,
            due_means="it goes to the next person on the list",
            buttons=(Button("Acknowledge", "escalation.ack", value, ButtonStyle.PRIMARY),
                     Button("Resolve…", "escalation.resolve", value)),
        ))
    return items
