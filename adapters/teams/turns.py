"""What a turn answers, whatever the engine: the views for a message, the invoke response for
a dialog button. Each engine's handler only carries these answers out with its own SDK
(botbuilder's ``TurnContext`` or the Agents SDK's).

Engine-neutral: the activity's JSON in, :mod:`bot.port` views out; the person and the core
come from :class:`~adapters.teams.runtime.TeamsRuntime`.
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from adapters.teams import submissions, translate
from adapters.teams.runtime import TeamsRuntime
from adapters.teams.submissions import CardUpdate
from bot.port.events import Command, FormSubmitted
from bot.port.views import View

SEARCH_BUDGET = 2.0  # seconds to find typeahead choices


class MessageAnswer(NamedTuple):
    """First update the submitted card in place (when ``update`` is set), then send ``views``
    as replies."""

    update: CardUpdate | None
    views: list[View]


async def answer_message(rt: TeamsRuntime, body: dict) -> MessageAnswer:
    """A typed verb or a card submission: the core's answer, or why the bot will not answer
    here (a group chat or channel; a card that is no longer ours)."""
    if not translate.is_personal(body):
        return MessageAnswer(None, [translate.PRIVATE_ONLY])
    identity = await rt.identity(body)
    event = translate.message_event(body, identity)
    if event is None:
        return MessageAnswer(None, [translate.NOT_OURS])
    views = await rt.bot.handle(event)
    if isinstance(event, FormSubmitted):
        update, views = submissions.after_form_submitted(body, event.form_id, views)
        return MessageAnswer(update, views)
    return MessageAnswer(None, views)


async def answer_invoke(rt: TeamsRuntime, body: dict) -> tuple[int, dict]:
    """(status, body) for an invoke: the choices a card's typeahead asks for, the dialog a
    ``task/fetch`` button opens, or a refusal."""
    if (search := submissions.search_request(body)) is not None:
        dataset, query, skip, top = search
        identity = await rt.identity(body)
        try:
            async with asyncio.timeout(SEARCH_BUDGET):
                found = await rt.bot.search(identity, dataset, query, limit=skip + top)
        except TimeoutError:
            found = []  # an empty list now beats a late one: Teams gives up after a few seconds
        return submissions.search_answer(found[skip:skip + top])
    submission = submissions.task_fetch_button(body)
    if submission is None:
        return submissions.invoke_refused()
    identity = await rt.identity(body)
    event = submissions.event_for(submission, identity, translate.event_id(body))
    views = await rt.bot.handle(event)
    return submissions.task_fetch_answer(views)


async def answer_conversation_update(rt: TeamsRuntime, body: dict) -> list[View]:
    """The bot added to someone's personal chat: their home (what waits for them, quick
    actions) as the welcome. Anything else (members of a group, removals) gets nothing."""
    bot_id = (body.get("recipient") or {}).get("id")
    added = [m.get("id") for m in body.get("membersAdded") or () if isinstance(m, dict)]
    if not translate.is_personal(body) or bot_id not in added:
        return []
    identity = await rt.identity(body)
    return await rt.bot.handle(Command(identity, "home", event_id=translate.event_id(body)))
