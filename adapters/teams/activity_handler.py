"""botbuilder's ``ActivityHandler``: each kind of activity handed to the core, its views
sent back as replies.

botbuilder-specific, but only glue: what a turn answers is :mod:`adapters.teams.turns`
(engine-neutral, like the translation and the cards beneath it); who sent an activity and
where to reach them is :class:`~adapters.teams.runtime.TeamsRuntime`.
"""

from __future__ import annotations

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext

from adapters.teams import turns
from adapters.teams.adapter import outgoing, outgoing_activity, raw_activity
from adapters.teams.runtime import TeamsRuntime


class BoundaryHandler(ActivityHandler):
    def __init__(self, rt: TeamsRuntime) -> None:
        self.rt = rt

    async def on_turn(self, turn_context: TurnContext):
        await self.rt.remember(raw_activity(turn_context))
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext):
        answer = await turns.answer_message(self.rt, raw_activity(turn_context))
        if answer.update is not None:
            replacement = outgoing_activity(answer.update.activity)
            replacement.id = answer.update.activity_id
            await turn_context.update_activity(replacement)
        if answer.views:
            await turn_context.send_activities([outgoing(v) for v in answer.views])

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        status, body = await turns.answer_invoke(self.rt, raw_activity(turn_context))
        return InvokeResponse(status=status, body=body)

    async def on_conversation_update_activity(self, turn_context: TurnContext):
        # The reference was stored in on_turn; a new personal chat gets the home as welcome.
        views = await turns.answer_conversation_update(self.rt, raw_activity(turn_context))
        if views:
            await turn_context.send_activities([outgoing(v) for v in views])

    async def on_installation_update(self, turn_context: TurnContext):
        return  # the reference was stored in on_turn

    async def on_unrecognized_activity_type(self, turn_context: TurnContext):
        return
