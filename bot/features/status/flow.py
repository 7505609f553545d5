"""``status``: what waits for me, then my own items, gathered from every feature (each
feature's section lists what waits for this person first; ``home`` has the short view) — a
page at a time, so a manager with two hundred escalations gets a readable answer that fits
every platform's limits instead of a flood."""

from __future__ import annotations

import math

from bot.features import report
from bot.features.status.home import waiting_for
from bot.port.views import Button, Card, Notice, View
from bot.turn import Turn

NOTHING_OF_YOUR_OWN = Notice("None of your own reports is open. Type report to file one privately.")
PAGE_SIZE = 10  # items per page: fits Slack's 100-block Home and a quick read in chat


async def show(turn: Turn, args: str = "") -> list[View]:
    """``status`` (the first page) or ``status 2``; the "Show more" button carries the page."""
    views: list[View] = []
    for section in turn.features.status_sections:
        views.extend(await section(turn))
    if report.NO_REPORTS in views and await waiting_for(turn):
        # A manager with an escalation waiting has something open: say whose it is not.
        views[views.index(report.NO_REPORTS)] = NOTHING_OF_YOUR_OWN
    return page_of(views, args)


def page_of(views: list[View], args: str) -> list[View]:
    pages = max(1, math.ceil(len(views) / PAGE_SIZE))
    wanted = args.strip().split()[0] if args.strip() else "1"
    page = min(max(int(wanted), 1), pages) if wanted.isdigit() else 1
    shown = views[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    if pages == 1:
        return shown
    first, last = (page - 1) * PAGE_SIZE + 1, (page - 1) * PAGE_SIZE + len(shown)
    buttons = []
    if page < pages:
        buttons.append(Button(f"Show the next {min(PAGE_SIZE, len(views) - last)}", "status.show", str(page + 1)))
    if page > 1:
        buttons.append(Button("Back to the start", "status.show", "1"))
    return [*shown, Card(f"Items {first}–{last} of {len(views)}",
                         paragraphs=(f"Page {page} of {pages}. Type status {page + 1 if page < pages else 1} "
                                     "to go straight to a page.",),
                         buttons=tuple(buttons))]
