"""botbuilder's ``ActivityHandler``: each kind of activity handed to the core, its views
sent back as replies.

botbuilder-specific, but only glue: reading activities as events is
:mod:`adapters.teams.translate` and :mod:`adapters.teams.submissions`, rendering views is
:mod:`adapters.teams.cards` (all engine-neutral); who sent an activity and where to reach
them is :class:`~adapters.teams.runtime.TeamsRuntime`.
"""

from __future__ import annotations

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext

from adapters.teams import submissions, translate
from adapters.teams.adapter import outgoing, outgoing_activity, raw_activity
from adapters.teams.runtime import TeamsRuntime
from bot.port.events import FormSubmitted
from bot.port.views import View


class BoundaryHandler(ActivityHandler):
    def __init__(self, rt: TeamsRuntime) -> None:
        self.rt = rt

    async def on_turn(self, turn_context: TurnContext):
        await self.rt.remember(raw_activity(turn_context))
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext):
        body = raw_activity(turn_context)
        if not translate.is_personal(body):
            await turn_context.send_activity(outgoing(translate.PRIVATE_ONLY))
            return
        identity = await self.rt.identity(body)
        event = translate.message_event(body, identity)
        if event is None:
            await turn_context.send_activity(outgoing(translate.NOT_OURS))
            return
        views = await self.rt.bot.handle(event)
        if isinstance(event, FormSubmitted):
            update, views = submissions.after_form_submitted(body, event.form_id, views)
            if update is not None:
                replacement = outgoing_activity(update.activity)
                replacement.id = update.activity_id
                await turn_context.update_activity(replacement)
        await self._send(turn_context, views)

    async def _send(self, context: TurnContext, views: list[View]) -> None:
        if views:
            await context.send_activities([outgoing(v) for v in views])

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        body = raw_activity(turn_context)
        submission = submissions.task_fetch_button(body)
        if submission is None:
            status, answer = submissions.invoke_refused()
            return InvokeResponse(status=status, body=answer)
        identity = await self.rt.identity(body)
        event = submissions.event_for(submission, identity, translate.event_id(body))
        views = await self.rt.bot.handle(event)
        status, answer = submissions.task_fetch_answer(views)
        return InvokeResponse(status=status, body=answer)

    async def on_conversation_update_activity(self, turn_context: TurnContext):
        return  # the reference was stored in on_turn

    async def on_installation_update(self, turn_context: TurnContext):
        return  # the reference was stored in on_turn

    async def on_unrecognized_activity_type(self, turn_context: TurnContext):
        return
