"""``help``, and the answer to text that is not a verb."""

from __future__ import annotations

from bot.features.help import need
from bot.port.views import Card, View
from bot.turn import Turn

PRIVACY = (
    "Your reports are private to you. What you write, and any nickname you give the client, "
    "is encrypted and never posted in chat, logs or notifications. Nobody is told about a report "
    "unless you escalate it, or you tell me you are in danger: then your managers are alerted at "
    "once, and the report form says who, and when, before you choose. Managers can open what you "
    "wrote only in a private view, and every such read is recorded.",
    "Never name the client: use a nickname of your own, not initials, a date of birth or a "
    "record number. The bot warns you if something looks like an identifier.",
)


async def show(turn: Turn, args: str = "") -> list[View]:
    return [
        Card(
            title="Boundary Bot",
            paragraphs=(
                "Support for the awkward moments: a client who flirts, asks for your number, "
                "sends a friend request, brings a gift, hugs you, makes an offensive joke or "
                "threatens you. You can also just tell me what happened in your own words.",
                *PRIVACY,
            ),
            facts=tuple((verb.name, verb.help) for verb in turn.features.verbs),
        )
    ]


async def unknown(turn: Turn, text: str) -> list[View]:
    """Anyone typing something that is not a verb may need help (see :mod:`need`)."""
    return await need.answer(turn, text)
