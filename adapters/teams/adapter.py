"""botbuilder's transport seam: one turn for an activity's JSON, its replies sent through
the shared connector.

botbuilder-specific. botbuilder-core's ``ActivityHandler`` and ``TurnContext`` route each
activity (see :mod:`adapters.teams.activity_handler`), but the transport is ours:
:class:`TeamsAdapter` sends through the shared :class:`~adapters.teams.connector.Connector`
instead of building a new msrest client per activity, and :meth:`TeamsAdapter.process`
stands in for ``process_activity`` (the HTTP side around it is :mod:`adapters.teams.hosting`).
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import ActivityHandler, BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)

from adapters.teams import cards
from adapters.teams.connector import Connector, ConnectorError
from bot.port.views import View

log = logging.getLogger(__name__)

RAW_KEY = "boundary.raw"  # turn_state: the activity's JSON, which the handler reads


def raw_activity(context: TurnContext) -> dict:
    """The JSON of the activity being handled (the Activity object has only what
    botbuilder's routing and addressing need)."""
    return context.turn_state[RAW_KEY]


class TeamsAdapter(BotAdapter):
    """Sends a turn's replies through the shared connector (retrying 429/5xx as told)."""

    def __init__(self, connector: Connector, handler: ActivityHandler) -> None:
        super().__init__(on_turn_error=self._on_error)
        self.connector = connector
        self.handler = handler

    async def process(self, body: dict) -> tuple[int, Any]:
        """One turn for the activity ``body``: (status, invoke response body or None)."""
        activity = _light_activity(body)
        context = TurnContext(self, activity)
        context.turn_state[RAW_KEY] = body
        await self.run_pipeline(context, self.handler.on_turn)
        if activity.type == ActivityTypes.invoke:
            response = context.turn_state.get(BotAdapter._INVOKE_RESPONSE_KEY)
            value = getattr(response, "value", None)
            if isinstance(value, InvokeResponse):
                return value.status, value.body
            return 200, None
        return 200, None

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        # Type only: a message could quote what someone wrote.
        if isinstance(error, ConnectorError):
            log.warning("Teams turn could not reply: %s", error.reason)
        else:
            log.error("Teams turn failed with %s", error.__class__.__name__, exc_info=False)

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse())
                continue
            wire = to_wire(activity)
            retries = self.connector.options.turn_retries
            if activity.reply_to_id:
                answer = await self.connector.reply_to_activity(
                    activity.service_url, activity.conversation.id, activity.reply_to_id, wire,
                    retries=retries,
                )
            else:
                answer = await self.connector.send_to_conversation(
                    activity.service_url, activity.conversation.id, wire, retries=retries
                )
            responses.append(ResourceResponse(id=answer.get("id")))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        wire = to_wire(activity)
        wire["id"] = activity.id
        wire.pop("replyToId", None)
        await self.connector.update_activity(
            activity.service_url, activity.conversation.id, activity.id, wire,
            retries=self.connector.options.turn_retries,
        )
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        raise NotImplementedError("the bot never deletes messages")


def _light_activity(body: dict) -> Activity:
    """The fields botbuilder's routing and addressing use (msrest's deserializer costs more
    than the rest of the adapter's turn; the handler reads everything else from the body)."""
    def account(part: dict) -> ChannelAccount:
        return ChannelAccount(id=part.get("id"), name=part.get("name"), aad_object_id=part.get("aadObjectId"))

    conversation = body["conversation"]
    return Activity(
        type=body["type"],
        id=body.get("id"),
        name=body.get("name") if isinstance(body.get("name"), str) else None,
        reply_to_id=body.get("replyToId") if isinstance(body.get("replyToId"), str) else None,
        service_url=body["serviceUrl"],
        channel_id=body["channelId"],
        locale=body.get("locale") if isinstance(body.get("locale"), str) else None,
        from_property=account(body["from"]),
        recipient=account(body["recipient"]),
        conversation=ConversationAccount(
            id=conversation["id"], conversation_type=conversation.get("conversationType"),
        ),
    )


def to_wire(activity: Activity) -> dict:
    """An outgoing activity as the REST API documents it (camelCase, no msrest).

    Written by hand because botbuilder-schema would write the conversation's tenant as
    ``tenantID`` and costs more CPU than the rest of the turn.
    """
    wire: dict[str, Any] = {"type": activity.type or ActivityTypes.message}
    if activity.from_property is not None:
        wire["from"] = {"id": activity.from_property.id, "name": activity.from_property.name}
    if activity.recipient is not None:
        wire["recipient"] = {"id": activity.recipient.id}
        if activity.recipient.aad_object_id:
            wire["recipient"]["aadObjectId"] = activity.recipient.aad_object_id
    if activity.conversation is not None:
        wire["conversation"] = {"id": activity.conversation.id}
    if activity.reply_to_id:
        wire["replyToId"] = activity.reply_to_id
    for attr, key in (("text", "text"), ("text_format", "textFormat"), ("summary", "summary"),
                      ("input_hint", "inputHint"), ("locale", "locale"), ("channel_id", "channelId")):
        value = getattr(activity, attr, None)
        if value:
            wire[key] = value
    if activity.attachments:
        wire["attachments"] = [
            {"contentType": a.content_type, "content": a.content} for a in activity.attachments
        ]
    return wire


def outgoing(view: View) -> Activity:
    """A botbuilder Activity carrying our rendering of ``view``."""
    return outgoing_activity(cards.activity_for(view))


def outgoing_activity(body: dict) -> Activity:
    """A botbuilder Activity for a message body rendered by :mod:`adapters.teams.cards`
    (addressing is added by ``TurnContext``)."""
    return Activity(
        type=ActivityTypes.message,
        text=body.get("text"),
        text_format=body.get("textFormat"),
        summary=body.get("summary"),
        attachments=[Attachment(content_type=a["contentType"], content=cards.Rendered(a["content"]))
                     for a in body.get("attachments", ())] or None,
    )
