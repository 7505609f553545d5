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
from adapters.slack.payloads import team_of
from bot.port.events import Identity

log = logging.getLogger(__name__)

BUDGET = 2.0  # seconds to find choices: Slack waits 3 s, then shows nothing


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
            found = await bot.search(await identity(team_of(body), user_id), picker, typed)
    except TimeoutError:
        log.warning("slack options request took too long; answered with no choices")
        found = []
    return blocks.search_options(found)
