"""``status``: what waits for me, then my own items, gathered from every feature (each
feature's section lists what waits for this person first; ``home`` has the short view)."""

from __future__ import annotations

from bot.features import report
from bot.features.status.home import waiting_for
from bot.port.views import Notice, View
from bot.turn import Turn

NOTHING_OF_YOUR_OWN = Notice("None of your own reports is open. Type report to file one privately.")


async def show(turn: Turn, args: str = "") -> list[View]:
    views: list[View] = []
    for section in turn.features.status_sections:
        views.extend(await section(turn))
    if report.NO_REPORTS in views and await waiting_for(turn):
        # A manager with an escalation waiting has something open: say whose it is not.
        views[views.index(report.NO_REPORTS)] = NOTHING_OF_YOUR_OWN
    return views
