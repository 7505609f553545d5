"""The Agents SDK's ``ActivityHandler``: each kind of activity handed to the core, its views
sent back as replies — the same glue as the botbuilder engine's
:mod:`~adapters.teams.activity_handler`, on the other SDK.

What a turn answers is :mod:`adapters.teams.turns` (engine-neutral); who sent an activity and
where to reach them is :class:`~adapters.teams.runtime.TeamsRuntime`.
"""

from __future__ import annotations

from microsoft_agents.activity import InvokeResponse
from microsoft_agents.hosting.core import ActivityHandler, TurnContext

from adapters.teams import turns
from adapters.teams.agents.adapter import outgoing, outgoing_activity, raw_activity
from adapters.teams.runtime import TeamsRuntime


class AgentsHandler(ActivityHandler):
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
