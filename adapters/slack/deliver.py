"""Slack's implementation of the delivery port (bot.delivery.Deliverer).

A DM is opened with conversations.open once per person: its channel id is kept in the
database (``conversation_refs``, shared by every instance and kept across restarts) and in a
bounded memory in front of it; the view is posted with chat.postMessage; ``update`` is chat.update. Slack's answers become success,
:class:`RetryLater` or :class:`Undeliverable`. No retries happen here — the caller decides.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks, webapi
from bot.port.delivery import Address, MessageRef, RetryLater, Undeliverable
from bot.port.views import Card, Notice

if TYPE_CHECKING:
    from bot.machinery.storage.db import Database

log = logging.getLogger(__name__)

PLATFORM = "slack"
DM_CACHE_SIZE = 10_000
# Slack error codes that no retry will fix.
PERMANENT = {
    "user_not_found", "channel_not_found", "invalid_auth", "not_authed", "account_inactive",
    "token_revoked", "token_expired", "not_in_channel", "is_archived", "user_disabled",
    "cannot_dm_bot", "missing_scope", "no_permission", "invalid_blocks", "invalid_arguments",
    "msg_too_long", "message_not_found", "cant_update_message", "edit_window_closed",
    "restricted_action", "team_access_not_granted", "org_login_required", "ekm_access_denied",
    "invalid_blocks_format", "too_many_attachments", "no_text", "user_is_bot",
}
TRANSIENT = {"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"}


def translate(exc: BaseException) -> RetryLater | Undeliverable:
    """A slack_sdk or network failure as the delivery port's outcome (never with message text)."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", None)
        error = ""
        if isinstance(getattr(response, "data", None), dict):
            error = str(response.data.get("error") or "")
        if status == 429 or error == "ratelimited":
            return RetryLater("slack: rate limited", after=_retry_after(response), code="rate_limited")
        if status is not None and status >= 500:
            return RetryLater(f"slack: HTTP {status}", after=_retry_after(response))
        if error in TRANSIENT:
            return RetryLater(f"slack: {error}")
        if error in PERMANENT or error:
            return Undeliverable(f"slack: {error}", code=_code(error))
        return RetryLater(f"slack: HTTP {status}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return RetryLater(f"slack: network ({type(exc).__name__})", code="network")
    return RetryLater(f"slack: {type(exc).__name__}", code="error")


AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "missing_scope",
               "no_permission", "account_inactive", "team_access_not_granted", "org_login_required"}
RECIPIENT_ERRORS = {"user_not_found", "channel_not_found", "user_disabled", "cannot_dm_bot", "user_is_bot",
                    "is_archived", "not_in_channel"}


def _code(error: str) -> str:
    """A Slack error code as one of the delivery port's reason codes (for metrics)."""
    if error in AUTH_ERRORS:
        return "auth"
    if error in RECIPIENT_ERRORS:
        return "unknown_recipient"
    return "rejected"


def _retry_after(response) -> float | None:
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SlackDeliverer:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._dm: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._db: Database | None = None

    def keep_dms_in(self, db: Database) -> None:
        """Keep DM channel ids in this database as well as in memory."""
        self._db = db

    def remember_dm(self, workspace: str, user_id: str, channel: str) -> None:
        self._dm[(workspace, user_id)] = channel
        self._dm.move_to_end((workspace, user_id))
        while len(self._dm) > DM_CACHE_SIZE:
            self._dm.popitem(last=False)

    def known_dm(self, workspace: str, user_id: str) -> str | None:
        return self._dm.get((workspace, user_id))

    async def dm_channel(self, to: Address) -> str:
        channel = self.known_dm(to.workspace, to.user_id)
        if channel:
            return channel
        if (stored := await self._stored_dm(to)) is not None:
            self.remember_dm(to.workspace, to.user_id, stored)
            return stored
        try:
            response = await self.client.conversations_open(users=to.user_id)
        except Exception as exc:
            raise translate(exc) from None
        channel = str(response["channel"]["id"])
        await self._store_dm(to, channel)
        self.remember_dm(to.workspace, to.user_id, channel)
        return channel

    async def _stored_dm(self, to: Address) -> str | None:
        if self._db is None:
            return None
        try:
            async with self._db.transaction() as tx:
                stored = await tx.conversations.get(PLATFORM, to.workspace, to.user_id)
        except Exception as exc:  # the database's trouble must not stop a DM: Slack can tell us
            log.warning("slack DM channel not read from the database: %s", type(exc).__name__)
            return None
        return str(stored["channel"]) if stored and stored.get("channel") else None

    async def _store_dm(self, to: Address, channel: str) -> None:
        if self._db is None:
            return
        try:
            async with self._db.transaction() as tx:
                await tx.conversations.save(PLATFORM, to.workspace, to.user_id, {"channel": channel},
                                            datetime.now(UTC))
        except Exception as exc:  # e.g. two first DMs to one person at once: the other one stored it
            log.info("slack DM channel not stored: %s", type(exc).__name__)

    async def _forget_dm(self, to: Address) -> None:
        self._dm.pop((to.workspace, to.user_id), None)
        if self._db is not None:
            try:
                async with self._db.transaction() as tx:
                    await tx.conversations.forget(PLATFORM, to.workspace, to.user_id)
            except Exception as exc:
                log.warning("slack DM channel not forgotten in the database: %s", type(exc).__name__)

    async def send(self, to: Address, view: Card | Notice, key: str) -> MessageRef:
        if to.platform != PLATFORM:
            raise Undeliverable(f"not a Slack address: {to.platform}")
        channel = await self.dm_channel(to)
        try:
            response = await webapi.call(self.client, "chat.postMessage", {"channel": channel, **blocks.message(view)})
        except Exception as exc:
            outcome = translate(exc)
            if isinstance(outcome, Undeliverable) and "channel_not_found" in outcome.reason:
                await self._forget_dm(to)
            raise outcome from None
        return MessageRef(PLATFORM, {"channel": str(response["channel"]), "ts": str(response["ts"])})

    async def update(self, ref: MessageRef, view: Card | Notice, key: str) -> MessageRef:
        channel, ts = ref.data.get("channel"), ref.data.get("ts")
        if ref.platform != PLATFORM or not channel or not ts:
            raise Undeliverable("not a Slack message reference")
        try:
            response = await webapi.call(self.client, "chat.update", {"channel": channel, "ts": ts, **blocks.message(view)})
        except Exception as exc:
            raise translate(exc) from None
        return MessageRef(PLATFORM, {"channel": str(response["channel"]), "ts": str(response["ts"])})


async def with_retries(call, *, attempts: int = 3, max_wait: float = 10.0):
    """For replies to the person who just acted: a few attempts, honouring Retry-After.

    ``call`` is awaited again only after a failure, so a success is never repeated.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryLater as exc:
            if attempt == attempts or (exc.after or 0) > max_wait:
                raise
            await asyncio.sleep(exc.after if exc.after is not None else 0.5 * attempt)
    raise AssertionError("unreachable")
