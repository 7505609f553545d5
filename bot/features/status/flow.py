"""``status``: what waits for me, then my own items, gathered from every feature."""

from __future__ import annotations

from bot.port.views import View
from bot.turn import Turn


async def show(turn: Turn, args: str = "") -> list[View]:
    views: list[View] = []
    for section in turn.features.status_sections:
        views.extend(await section(turn))
    return views
