"""The Agents SDK's transport seam: one turn for an activity's JSON, its replies sent through
the engine's cached connector.

Agents-SDK-specific. The SDK's ``ActivityHandler`` and ``TurnContext`` route each activity
and address each reply (see :mod:`adapters.teams.agents.handler`), but :class:`AgentsAdapter`
is a plain ``ChannelAdapter`` rather than the SDK's ``CloudAdapter``: that one builds a
connector client, a user-token client and their aiohttp sessions for every activity, and
answers 500 to an activity its models refuse. The activity handed to the SDK carries only
the fields routing and addressing use, read from JSON that hosting has already checked (a
full ``Activity.model_validate`` can fail on any field, and the SDK logs the offending
input); the handler reads everything else from the JSON.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ChannelId,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)
from microsoft_agents.hosting.core import ActivityHandler, ChannelAdapter, TurnContext

from adapters.teams import cards, translate
from adapters.teams.agents.connector import AgentsConnector
from adapters.teams.connector import ConnectorError
from adapters.teams.runtime import UnreadableActivity
from bot.port.views import View

log = logging.getLogger(__name__)

RAW_KEY = "boundary.raw"  # turn_state: the activity's JSON, which the handler reads


def raw_activity(context: TurnContext) -> dict:
    return context.turn_state[RAW_KEY]


class AgentsAdapter(ChannelAdapter):
    def __init__(self, connector: AgentsConnector, handler: ActivityHandler) -> None:
        super().__init__()
        self.connector = connector
        self.handler = handler
        self.on_turn_error = self._on_error

    async def process(self, body: dict) -> tuple[int, Any]:
        """One turn for the activity ``body``: (status, invoke response body or None)."""
        activity = light_activity(body)
        context = TurnContext(self, activity)
        context.turn_state[RAW_KEY] = body
        await self.run_pipeline(context, self.handler.on_turn)
        if activity.type == ActivityTypes.invoke:
            response = context.turn_state.get(self.INVOKE_RESPONSE_KEY)
            value = getattr(response, "value", None)
            if isinstance(value, dict) and isinstance(value.get("status"), int):
                return value["status"], value.get("body")
        return 200, None

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        # Type only: a message could quote what someone wrote.
        if isinstance(error, ConnectorError):
            log.warning("Teams turn could not reply: %s", error.reason)
        else:
            log.error("Teams turn failed with %s", error.__class__.__name__, exc_info=False)

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses = []
        retries = self.connector.options.turn_retries
        for activity in activities:
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self.INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse())
                continue
            if activity.reply_to_id:
                answer = await self.connector.reply_to_activity(
                    activity.service_url, activity.conversation.id, activity.reply_to_id, activity,
                    retries=retries,
                )
            else:
                answer = await self.connector.send_to_conversation(
                    activity.service_url, activity.conversation.id, activity, retries=retries
                )
            responses.append(ResourceResponse(id=answer.get("id") or ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        await self.connector.update_activity(
            activity.service_url, activity.conversation.id, activity.id, activity,
            retries=self.connector.options.turn_retries,
        )
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        raise NotImplementedError("the bot never deletes messages")


def _text(part: dict, key: str) -> str | None:
    """A string field as the SDK's models accept it (non-empty, valid Unicode), else None:
    an empty ``locale`` or ``replyToId`` would be copied to the reply and refused there."""
    value = part.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _given(**fields) -> dict:
    """The fields that have a value (the SDK's models refuse None for most optional strings)."""
    return {name: value for name, value in fields.items() if value is not None}


def light_activity(body: dict) -> Activity:
    """The SDK Activity with what routing and addressing use (hosting checked that the ids are
    strings; everything optional is taken only when it is a string)."""
    def account(part: dict) -> ChannelAccount:
        return ChannelAccount(**_given(id=part["id"], name=_text(part, "name"),
                                       aad_object_id=_text(part, "aadObjectId")))

    try:
        channel = ChannelId(body["channelId"])  # its own checks, before the model's (which log the value)
    except Exception:
        raise UnreadableActivity("channelId") from None
    conversation = body["conversation"]
    try:
        return _activity(body, channel, conversation, account)
    except ValueError:  # pydantic's ValidationError: nothing left that hosting does not check
        raise UnreadableActivity("activity") from None


def _activity(body: dict, channel: ChannelId, conversation: dict, account) -> Activity:
    return Activity(**_given(
        type=body["type"],
        id=_text(body, "id"),
        name=_text(body, "name"),
        action=_text(body, "action"),
        reply_to_id=_text(body, "replyToId"),
        service_url=body["serviceUrl"],
        channel_id=channel,
        locale=_text(body, "locale"),
        from_property=account(body["from"]),
        recipient=account(body["recipient"]),
        conversation=ConversationAccount(**_given(
            id=conversation["id"], conversation_type=_text(conversation, "conversationType"),
            tenant_id=translate.tenant_of(body),
        )),
    ))


class _Outgoing(Activity):
    """A reply made for one turn and sent once: ``TurnContext`` deep-copies each outgoing
    activity before addressing it (pydantic's deep copy is a fifth of the SDK's turn); a
    shallow copy does, since addressing only assigns fields, and the rendered card is shared
    anyway (:class:`~adapters.teams.cards.Rendered`)."""

    def __deepcopy__(self, memo=None):
        return self.model_copy()


def outgoing(view: View) -> Activity:
    """An SDK Activity carrying our rendering of ``view``."""
    return outgoing_activity(cards.activity_for(view))


def outgoing_activity(body: dict) -> Activity:
    """An SDK Activity for a message body rendered by :mod:`adapters.teams.cards` (addressing
    is added by ``TurnContext``)."""
    return _Outgoing(**_given(
        type=ActivityTypes.message,
        text=body.get("text"),
        text_format=body.get("textFormat"),
        summary=body.get("summary"),
        attachments=[Attachment(content_type=a["contentType"], content=cards.Rendered(a["content"]))
                     for a in body.get("attachments", ())] or None,
    ))
