"""``POST /api/messages``: Teams activities in, the core's events through, cards out.

botbuilder-core's ``ActivityHandler`` and ``TurnContext`` route each activity, but the HTTP
side is ours (the 4.17 aiohttp integration answers 500 to invokes with a body, and its error
middleware is app-wide), and so is the transport: :class:`TeamsAdapter` sends through the
shared :class:`~adapters.teams.connector.Connector` instead of building a new msrest client
per activity.

Translation only: a typed verb becomes ``Command``, a card submission ``FormSubmitted``,
a card button ``ButtonPressed``, each with ``Identity("teams", tenant, aadObjectId, email)``;
the core's views come back as Adaptive Cards (see :mod:`adapters.teams.cards`).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY
from adapters.teams import cards
from adapters.teams.auth import OPENID_METADATA_URL, JwtValidator, Unauthorized
from adapters.teams.connector import (
    LOGIN_URL,
    Connector,
    ConnectorError,
    ConnectorOptions,
    TokenSource,
)
from bot.app import BoundaryBot, parse_command
from bot.machinery.config import Settings
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Card, Form, Notice, View

log = logging.getLogger(__name__)

PLATFORM = "teams"
TENANT_WIDE = "*"  # conversation_refs row per tenant: service URL and bot id for new chats
MAX_BODY = 256 * 1024
SEEN_MAX = 20_000
CACHE_MAX = 50_000

PRIVATE_ONLY = Notice(
    "I only work in a private chat with you, so that nothing you tell me is seen by others. "
    "Open a chat with Boundary Bot and type help."
)
NOT_OURS = Notice("That card is no longer in use. Type help to see what you can do.")


@dataclass
class TeamsOptions:
    """What the Teams adapter needs; made from Settings, adjustable before start-up (tests
    point the token and OpenID endpoints at local fakes)."""

    app_id: str = ""
    password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    token_url: str = ""
    openid_metadata_url: str = OPENID_METADATA_URL
    connector: ConnectorOptions = field(default_factory=ConnectorOptions)

    @classmethod
    def from_settings(cls, settings: Settings) -> TeamsOptions:
        app_type = settings.microsoft_app_type or "MultiTenant"
        tenant = settings.microsoft_app_tenant_id or ""
        authority = tenant if app_type.lower() == "singletenant" and tenant else "botframework.com"
        return cls(
            app_id=settings.microsoft_app_id or "",
            password=settings.microsoft_app_password or "",
            tenant_id=tenant,
            app_type=app_type,
            token_url=LOGIN_URL.format(tenant=authority),
        )


OPTIONS_KEY = web.AppKey("teams_options", TeamsOptions)


class _Lru(OrderedDict):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class TeamsRuntime:
    """Everything the Teams adapter keeps for the life of the application."""

    def __init__(self, app: web.Application, options: TeamsOptions) -> None:
        from adapters.teams.deliver import TeamsDeliverer

        self.app = app
        self.options = options
        self.tokens: TokenSource | None = None
        connector = Connector(None, options.connector)
        if options.app_id:
            self.tokens = TokenSource(options.app_id, options.password, options.token_url, connector.session)
            connector.tokens = self.tokens
        self.connector = connector
        self.validator = (
            JwtValidator(options.app_id, connector.session, options.openid_metadata_url)
            if options.app_id else None
        )
        self.adapter = TeamsAdapter(self)
        self.handler = BoundaryHandler(self)
        self.deliverer = TeamsDeliverer(self)
        self.seen: _Lru = _Lru(SEEN_MAX)  # (conversation, activity id) → result future
        self.emails: _Lru = _Lru(CACHE_MAX)  # (tenant, aad id) → email or None
        self.saved_refs: _Lru = _Lru(CACHE_MAX)  # (tenant, user) → last reference saved

    @property
    def bot(self) -> BoundaryBot:
        return self.app[BOT_KEY]

    async def save_reference(self, tenant: str, user: str, ref: dict, tenant_ref: dict) -> None:
        """Store where to reach this person (and the tenant) — only when it changed."""
        changes = [
            (key, data) for key, data in (((tenant, user), ref), ((tenant, TENANT_WIDE), tenant_ref))
            if self.saved_refs.get(key) != data
        ]
        if not changes:
            return
        bot = self.bot
        async with bot.db.transaction() as tx:
            for (workspace, user_id), data in changes:
                await tx.conversations.save(PLATFORM, workspace, user_id, data, bot.clock.now())
        for key, data in changes:
            self.saved_refs.put(key, data)


TEAMS_KEY = web.AppKey("teams", TeamsRuntime)


def setup_teams(app: web.Application, settings: Settings) -> None:
    """Mount ``POST /api/messages`` and register the Teams deliverer."""
    app[OPTIONS_KEY] = TeamsOptions.from_settings(settings)

    async def runtime(app: web.Application):
        rt = TeamsRuntime(app, app[OPTIONS_KEY])
        app[TEAMS_KEY] = rt
        app[DELIVERERS_KEY][PLATFORM] = rt.deliverer
        yield
        await rt.connector.close()

    app.cleanup_ctx.append(runtime)
    app.router.add_post("/api/messages", messages)


# --- HTTP ------------------------------------------------------------------------------


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _missing(body: dict) -> list[str]:
    missing = []
    for name in ("type", "channelId", "serviceUrl"):
        if not isinstance(body.get(name), str) or not body[name]:
            missing.append(name)
    for name in ("conversation", "from", "recipient"):
        part = body.get(name)
        if not isinstance(part, dict) or not isinstance(part.get("id"), str) or not part["id"]:
            missing.append(f"{name}.id")
    if body.get("type") in (ActivityTypes.message, ActivityTypes.invoke) and not isinstance(body.get("id"), str):
        missing.append("id")
    url = body.get("serviceUrl")
    if isinstance(url, str) and url and not url.startswith(("https://", "http://")):
        missing.append("serviceUrl (an http or https URL)")
    return missing


async def messages(request: web.Request) -> web.Response:
    rt = request.app[TEAMS_KEY]
    if request.content_type != "application/json":
        return _problem(415, "expected Content-Type: application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _problem(413, "activity too large")
    try:
        raw = await request.read()  # aiohttp caps this at client_max_size (1 MiB)
    except web.HTTPRequestEntityTooLarge:
        return _problem(413, "activity too large")
    except (ConnectionError, asyncio.CancelledError):
        raise
    except Exception:  # a broken or truncated body
        return _problem(400, "could not read the request body")
    if len(raw) > MAX_BODY:
        return _problem(413, "activity too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return _problem(400, "the body is not a JSON object")
    if missing := _missing(body):
        return _problem(400, "missing or invalid: " + ", ".join(missing))
    if rt.validator is not None:
        try:
            await rt.validator.check(
                request.headers.get("Authorization"), body["channelId"], body["serviceUrl"]
            )
        except Unauthorized as exc:
            log.info("refused an activity: %s", exc)
            return _problem(401, "unauthorized")

    # A redelivered activity (same conversation and id) has no second effect here: the
    # first delivery's answer is returned. The core also dedupes on event_id across instances.
    key = (body["conversation"]["id"], body.get("id") or "")
    if key[1] and key in rt.seen:
        status, payload = await asyncio.shield(rt.seen[key])
        return _answer(status, payload)
    done: asyncio.Future = asyncio.get_running_loop().create_future()
    if key[1]:
        rt.seen.put(key, done)
    try:
        status, payload = await _turn(rt, body)
    except BaseException:
        done.set_result((200, None))
        raise
    done.set_result((status, payload))
    return _answer(status, payload)


def _answer(status: int, payload: Any) -> web.Response:
    if payload is None:
        return web.Response(status=status)
    return web.json_response(payload, status=status)


async def _turn(rt: TeamsRuntime, body: dict) -> tuple[int, Any]:
    activity = _light_activity(body)
    context = TurnContext(rt.adapter, activity)
    context.turn_state["boundary.raw"] = body
    await rt.adapter.run_pipeline(context, rt.handler.on_turn)
    if activity.type == ActivityTypes.invoke:
        response = context.turn_state.get(BotAdapter._INVOKE_RESPONSE_KEY)
        value = getattr(response, "value", None)
        if isinstance(value, InvokeResponse):
            return value.status, value.body
        return 200, None
    return 200, None


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


# --- the adapter: botbuilder's transport seam --------------------------------------------


class TeamsAdapter(BotAdapter):
    """Sends a turn's replies through the shared connector (retrying 429/5xx as told)."""

    def __init__(self, rt: TeamsRuntime) -> None:
        super().__init__(on_turn_error=self._on_error)
        self.rt = rt

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
            retries = self.rt.connector.options.turn_retries
            if activity.reply_to_id:
                answer = await self.rt.connector.reply_to_activity(
                    activity.service_url, activity.conversation.id, activity.reply_to_id, wire,
                    retries=retries,
                )
            else:
                answer = await self.rt.connector.send_to_conversation(
                    activity.service_url, activity.conversation.id, wire, retries=retries
                )
            responses.append(ResourceResponse(id=answer.get("id")))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        wire = to_wire(activity)
        wire["id"] = activity.id
        wire.pop("replyToId", None)
        await self.rt.connector.update_activity(
            activity.service_url, activity.conversation.id, activity.id, wire,
            retries=self.rt.connector.options.turn_retries,
        )
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference):
        raise NotImplementedError("the bot never deletes messages")


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
    from botbuilder.schema import Attachment

    body = cards.activity_for(view)
    return Activity(
        type=ActivityTypes.message,
        text=body.get("text"),
        text_format=body.get("textFormat"),
        summary=body.get("summary"),
        attachments=[Attachment(content_type=a["contentType"], content=_Rendered(a["content"]))
                     for a in body.get("attachments", ())] or None,
    )


# --- the activity handler: translation ---------------------------------------------------

_MENTION = re.compile(r"<at>.*?</at>", re.S)
_TAG = re.compile(r"<[^>]+>")


def message_text(text: str | None) -> str:
    """The typed words, without the bot's @mention or any formatting tags."""
    if not text:
        return ""
    return html.unescape(_TAG.sub(" ", _MENTION.sub(" ", text))).strip()


def tenant_of(body: dict) -> str:
    """Teams puts the tenant in channel data (botbuilder-schema would call it tenantID)."""
    channel_data = body.get("channelData")
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
            return tenant["id"]
    conversation = body.get("conversation") or {}
    for key in ("tenantId", "tenantID"):
        if isinstance(conversation.get(key), str) and conversation[key]:
            return conversation[key]
    return f"channel:{body.get('channelId', 'unknown')}"


class BoundaryHandler(ActivityHandler):
    def __init__(self, rt: TeamsRuntime) -> None:
        self.rt = rt

    async def on_turn(self, turn_context: TurnContext):
        await self._remember(turn_context)
        await super().on_turn(turn_context)

    async def _remember(self, context: TurnContext) -> None:
        """Keep the conversation reference for proactive messages (on every activity,
        including installation and conversation updates)."""
        body = context.turn_state["boundary.raw"]
        conversation = body["conversation"]
        if conversation.get("conversationType") not in (None, "personal"):
            return
        user = body["from"]
        tenant = tenant_of(body)
        user_key = user.get("aadObjectId") or user["id"]
        bot = body["recipient"]
        ref = {
            "service_url": body["serviceUrl"],
            "conversation_id": conversation["id"],
            "user_id": user["id"],
            "bot_id": bot["id"],
            "bot_name": bot.get("name") or "",
            "channel_id": body["channelId"],
            "tenant_id": tenant,
        }
        tenant_ref = {"service_url": body["serviceUrl"], "bot_id": bot["id"],
                      "bot_name": bot.get("name") or "", "channel_id": body["channelId"]}
        await self.rt.save_reference(tenant, user_key, ref, tenant_ref)

    async def _identity(self, context: TurnContext) -> Identity:
        body = context.turn_state["boundary.raw"]
        user = body["from"]
        tenant = tenant_of(body)
        aad = user.get("aadObjectId") or user["id"]
        key = (tenant, aad)
        if key not in self.rt.emails:
            self.rt.emails.put(key, await self._email(body))
        return Identity(PLATFORM, tenant, aad, self.rt.emails.get(key))

    async def _email(self, body: dict) -> str | None:
        """The member's email (or UPN) from the connector, for linking to the org file."""
        try:
            member = await self.rt.connector.get_member(
                body["serviceUrl"], body["conversation"]["id"], body["from"]["id"]
            )
        except ConnectorError as exc:
            log.info("Teams member lookup failed: %s", exc.reason)
            return None
        email = member.get("email") or member.get("userPrincipalName")
        return email if isinstance(email, str) and "@" in email else None

    async def on_message_activity(self, turn_context: TurnContext):
        body = turn_context.turn_state["boundary.raw"]
        if body["conversation"].get("conversationType") not in (None, "personal"):
            await turn_context.send_activity(outgoing(PRIVATE_ONLY))
            return
        identity = await self._identity(turn_context)
        event_id = f"teams:{body['conversation']['id']}:{body['id']}"
        submission = cards.read_submission(body.get("value"))
        if submission is None and isinstance(body.get("value"), dict) and not message_text(body.get("text")):
            await turn_context.send_activity(outgoing(NOT_OURS))
            return
        if submission is None:
            verb, args = parse_command(message_text(body.get("text")))
            views = await self.rt.bot.handle(Command(identity, verb, args, event_id=event_id))
            await self._send(turn_context, views)
        elif submission["kind"] == "button":
            views = await self.rt.bot.handle(
                ButtonPressed(identity, submission["action"], submission["value"], event_id=event_id)
            )
            await self._send(turn_context, views)
        else:
            form_id = submission["form_id"]
            views = await self.rt.bot.handle(FormSubmitted(
                identity, form_id, submission["values"], state=submission["state"], event_id=event_id,
            ))
            await self._after_submit(turn_context, form_id, submission, views)

    async def _after_submit(self, context: TurnContext, form_id: str, submission: dict,
                            views: list[View]) -> None:
        card_id = context.activity.reply_to_id
        first = views[0] if views else None
        if isinstance(first, Form) and first.form_id == form_id and first.errors and card_id:
            # The same form with errors: shown in place of the one submitted.
            await self._replace(context, card_id, outgoing(first))
            views = views[1:]
        elif isinstance(first, Card) and card_id:
            # Accepted: the form's card closes (without the answers), the reply follows.
            closed = Activity(
                type=ActivityTypes.message,
                attachments=[_attachment(cards.closed_form_card(submission.get("title") or "Form"))],
            )
            await self._replace(context, card_id, closed)
        await self._send(context, views)

    async def _replace(self, context: TurnContext, activity_id: str, activity: Activity) -> None:
        activity.id = activity_id
        await context.update_activity(activity)

    async def _send(self, context: TurnContext, views: list[View]) -> None:
        if views:
            await context.send_activities([outgoing(v) for v in views])

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        # Cards use Action.Submit, which arrives as a message; the one invoke we expect is
        # task/fetch, from a button that opens a dialog (a report's details).
        activity = turn_context.activity
        value = turn_context.turn_state["boundary.raw"].get("value")
        data = value.get("data") if isinstance(value, dict) else None
        submission = cards.read_submission(data) if activity.name == "task/fetch" else None
        if submission is None or submission["kind"] != "button":
            return InvokeResponse(
                status=400,
                body={"code": "BadRequest", "message": "Boundary Bot does not handle this request."},
            )
        identity = await self._identity(turn_context)
        event_id = f"teams:{activity.conversation.id}:{activity.id}"
        views = await self.rt.bot.handle(
            ButtonPressed(identity, submission["action"], submission["value"], event_id=event_id)
        )
        return InvokeResponse(status=200, body=cards.task_response(views[0] if views else Notice("")))

    async def on_conversation_update_activity(self, turn_context: TurnContext):
        return  # the reference was stored in on_turn

    async def on_installation_update(self, turn_context: TurnContext):
        return  # the reference was stored in on_turn

    async def on_unrecognized_activity_type(self, turn_context: TurnContext):
        return


def _attachment(card: dict):
    from botbuilder.schema import Attachment

    return Attachment(content_type=cards.CARD_CONTENT_TYPE, content=_Rendered(card))


class _Rendered(dict):
    """A rendered card: never changed after rendering, so TurnContext's deepcopy of each
    outgoing activity can share it instead of copying every element."""

    def __deepcopy__(self, memo):
        return self
