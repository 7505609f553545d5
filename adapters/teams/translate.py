"""Teams activities (their JSON, as the Bot Connector posts it) read as the core's events.

Engine-neutral: plain dicts in, :mod:`bot.port` events out, no botbuilder import, so the
Microsoft 365 Agents SDK engine can reuse it. A typed verb becomes ``Command``; a card's
submission becomes ``ButtonPressed`` or ``FormSubmitted`` (see :mod:`adapters.teams.submissions`).
The person is ``Identity("teams", tenant, aadObjectId, email)``: the email needs a connector
call, so it is looked up (and cached) by :mod:`adapters.teams.runtime`.
"""

from __future__ import annotations

import html
import re
import uuid

from adapters.teams import cards, submissions
from bot.app import parse_command
from bot.port.events import ButtonPressed, Command, FormSubmitted, Identity
from bot.port.views import Notice

PLATFORM = "teams"

PRIVATE_ONLY = Notice(
    "I only work in a private chat with you, so that nothing you tell me is seen by others. "
    "Open a chat with Boundary Bot and type help."
)
NOT_OURS = Notice("That card is no longer in use. Type help to see what you can do.")

_MENTION = re.compile(r"<at>.*?</at>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(value) -> bool:
    """A non-empty string that is valid Unicode (JSON allows lone surrogates; nothing else does)."""
    if not isinstance(value, str) or not value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def missing_fields(body: dict) -> list[str]:
    """What an activity lacks before the bot can answer it (empty when it is complete)."""
    missing = []
    for name in ("type", "channelId", "serviceUrl"):
        if not _text(body.get(name)):
            missing.append(name)
    for name in ("conversation", "from", "recipient"):
        part = body.get(name)
        if not isinstance(part, dict) or not _text(part.get("id")):
            missing.append(f"{name}.id")
    if body.get("type") in ("message", "invoke") and not _text(body.get("id")):
        missing.append("id")
    channel = body.get("channelId")
    if _text(channel) and not channel.split(":", 1)[0]:
        missing.append("channelId (a channel name, optionally :subchannel)")
    url = body.get("serviceUrl")
    if isinstance(url, str) and url and not url.startswith(("https://", "http://")):
        missing.append("serviceUrl (an http or https URL)")
    return missing


def is_personal(body: dict) -> bool:
    """A 1:1 chat with the bot (the only place it works; absent means personal)."""
    return body["conversation"].get("conversationType") in (None, "personal")


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
        if isinstance(tenant, dict) and _text(tenant.get("id")):
            return tenant["id"]
    conversation = body.get("conversation") or {}
    for key in ("tenantId", "tenantID"):
        if _text(conversation.get(key)):
            return conversation[key]
    return f"channel:{body.get('channelId', 'unknown')}"


def sender_key(body: dict) -> tuple[str, str]:
    """(tenant, Azure AD object id) of whoever sent the activity: the user id when Teams
    leaves the object id out."""
    user = body["from"]
    return tenant_of(body), user.get("aadObjectId") or user["id"]


def event_id(body: dict) -> str:
    """The core's idempotency key for this activity (a redelivery has the same one). The
    Connector always sends an id; an activity without one cannot be recognised when it comes
    again, so it gets a key of its own rather than failing the turn."""
    return f"teams:{body['conversation']['id']}:{body.get('id') or 'no-id-' + uuid.uuid4().hex}"


def conversation_references(body: dict) -> tuple[str, str, dict, dict] | None:
    """(tenant, user, reference, tenant reference) to store for proactive messages, or None
    outside a 1:1 chat. The tenant's reference keeps the service URL and bot id for opening
    chats with people the bot has not talked to yet."""
    if not is_personal(body):
        return None
    conversation = body["conversation"]
    user = body["from"]
    tenant, user_key = sender_key(body)
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
    return tenant, user_key, ref, tenant_ref


def message_event(body: dict, identity: Identity) -> Command | ButtonPressed | FormSubmitted | None:
    """A message activity as the core's event; None for a submission from a card that is
    not ours (or no longer is), which is answered with :data:`NOT_OURS`."""
    submission = cards.read_submission(body.get("value"))
    if submission is None:
        text = message_text(body.get("text"))
        if isinstance(body.get("value"), dict) and not text:
            return None
        verb, args = parse_command(text)
        return Command(identity, verb, args, event_id=event_id(body))
    return submissions.event_for(submission, identity, event_id(body))
