"""What both engines' ``ActivityHandler`` subclasses do, written once: each kind of activity
handed to :mod:`adapters.teams.turns` (engine-neutral), its views sent back as replies.

A mixin placed before the SDK's ``ActivityHandler``; each engine names its own SDK pieces
(the invoke response type and the functions that move activities in and out of its models).
No SDK is imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.teams import turns
from adapters.teams.runtime import TeamsRuntime


class TurnGlue:
    invoke_response: Callable[..., Any]  # the SDK's InvokeResponse
    outgoing: Callable[[Any], Any]  # a core view → the SDK's outgoing activity
    outgoing_activity: Callable[[dict], Any]  # a wire dict → the SDK's activity
    raw_activity: Callable[[Any], dict]  # the turn's activity as the wire dict

    def __init__(self, rt: TeamsRuntime) -> None:
        self.rt = rt

    async def on_turn(self, turn_context):
        await self.rt.remember(self.raw_activity(turn_context))
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context):
        answer = await turns.answer_message(self.rt, self.raw_activity(turn_context))
        if answer.update is not None:
            replacement = self.outgoing_activity(answer.update.activity)
            replacement.id = answer.update.activity_id
            await turn_context.update_activity(replacement)
        if answer.views:
            await turn_context.send_activities([self.outgoing(v) for v in answer.views])

    async def on_invoke_activity(self, turn_context):
        status, body = await turns.answer_invoke(self.rt, self.raw_activity(turn_context))
        return self.invoke_response(status=status, body=body)

    async def on_conversation_update_activity(self, turn_context):
        # The reference was stored in on_turn; a new personal chat gets the home as welcome.
        views = await turns.answer_conversation_update(self.rt, self.raw_activity(turn_context))
        if views:
            await turn_context.send_activities([self.outgoing(v) for v in views])

    async def on_installation_update(self, turn_context):
        return  # the reference was stored in on_turn

    async def on_unrecognized_activity_type(self, turn_context):
        return
