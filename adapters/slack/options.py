"""Searchable selects: Slack's options requests (``block_suggestion``) answered by the core.

A form field the core marks ``search`` is rendered as an ``external_select`` whose
``action_id`` names the core's picker; as the person types, Slack posts the typed text to the
interactivity URL and waits three seconds for the options, answered in the HTTP response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.slack import blocks
from bot.port.events import Identity

log = logging.getLogger(__name__)

BUDGET = 2.0  # seconds to find choices: Slack waits 3 s, then shows nothing


def _team(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    return str(user.get("team_id") or "") if isinstance(user, dict) else ""


async def answer(bot, identity: Callable[[str, str], Awaitable[Identity]], body: dict[str, Any]) -> dict[str, Any]:
    """The options for ``body`` (what the person typed into which picker), best first; none
    when the person, the picker or the time is wrong."""
    user = body.get("user")
    user_id = str(user.get("id") or "") if isinstance(user, dict) else ""
    picker, typed = str(body.get("action_id") or "")[:255], str(body.get("value") or "")
    if not user_id or not picker or bot is None:
        return blocks.search_options([])
    try:
        async with asyncio.timeout(BUDGET):
            found = await bot.search(await identity(_team(body), user_id), picker, typed)
    except TimeoutError:
        log.warning("slack options request took too long; answered with no choices")
        found = []
    return blocks.search_options(found)
