"""The delivery port for Teams: proactive 1:1 messages and updates in place.

A person the bot has talked to is reached through the conversation reference stored on
their last activity. A person it has never talked to gets a new 1:1 conversation
(``POST /v3/conversations`` with the bot, their Azure AD object id and the tenant), using
the service URL and bot id last seen in their tenant. Teams refuses that when the app is
not installed for them (403/404): that is :class:`Undeliverable`, with a reason the person
waiting can be told. Nothing here retries: the outbox does.

botbuilder-free: views are rendered by :mod:`adapters.teams.cards` and sent as plain JSON
through the runtime's shared :class:`~adapters.teams.connector.Connector`; the stored
references come from :class:`~adapters.teams.runtime.TeamsRuntime`.
"""

from __future__ import annotations

from adapters.teams import cards
from adapters.teams.connector import ConnectorError
from adapters.teams.runtime import TeamsRuntime
from adapters.teams.translate import PLATFORM
from bot.port.delivery import Address, MessageRef, RetryLater, Undeliverable
from bot.port.views import Card, Notice


def _failure(exc: ConnectorError, what: str) -> Exception:
    status = exc.status
    if status == 429:
        return RetryLater(f"Teams is rate limiting {what}", after=exc.retry_after, code="rate_limited")
    if status is None or status >= 500 or status == 401:
        code = "network" if status is None else "auth" if status == 401 else "unavailable"
        return RetryLater(f"Teams could not take {what} now ({exc.reason})", after=exc.retry_after, code=code)
    if status == 403:
        return Undeliverable(
            f"Teams refused {what} (403): the person has not installed Boundary Bot, has "
            "blocked it, or it is not allowed in their organisation", code="not_installed"
        )
    if status == 404:
        return Undeliverable(
            f"Teams does not know this chat or person (404) for {what}: Boundary Bot is "
            "probably not installed for them", code="not_installed"
        )
    return Undeliverable(f"Teams rejected {what} ({status})")


class TeamsDeliverer:
    platform = PLATFORM

    def __init__(self, rt: TeamsRuntime) -> None:
        self.rt = rt

    async def send(self, to: Address, view: Card | Notice, key: str) -> MessageRef:
        ref = await self._reference(to)
        body = cards.activity_for(view)
        try:
            answer = await self.rt.connector.send_to_conversation(
                ref["service_url"], ref["conversation_id"], body
            )
        except ConnectorError as exc:
            raise _failure(exc, "the message") from None
        return MessageRef(PLATFORM, {
            "service_url": ref["service_url"],
            "conversation_id": ref["conversation_id"],
            "activity_id": str(answer.get("id") or ""),
        })

    async def update(self, ref: MessageRef, view: Card | Notice, key: str) -> MessageRef:
        data = ref.data
        if not all(data.get(k) for k in ("service_url", "conversation_id", "activity_id")):
            raise Undeliverable("the earlier Teams message cannot be found to update")
        body = cards.activity_for(view)
        body["id"] = data["activity_id"]
        try:
            await self.rt.connector.update_activity(
                data["service_url"], data["conversation_id"], data["activity_id"], body
            )
        except ConnectorError as exc:
            raise _failure(exc, "the update") from None
        return ref

    async def _reference(self, to: Address) -> dict:
        if to.platform != PLATFORM:
            raise Undeliverable(f"not a Teams address ({to.platform})")
        ref, tenant = await self.rt.find_reference(to.workspace, to.user_id)
        if ref:
            return ref
        return await self._new_conversation(to, tenant)

    async def _new_conversation(self, to: Address, tenant: dict | None) -> dict:
        bot_id = (tenant or {}).get("bot_id") or (f"28:{self.rt.options.app_id}" if self.rt.options.app_id else None)
        if not tenant or not bot_id:
            raise Undeliverable(
                "Boundary Bot has never been used in this person's Teams organisation, so "
                "it does not know where to reach them: ask them to open Boundary Bot in Teams once",
                code="not_installed",
            )
        params = {
            "bot": {"id": bot_id},
            "members": [{"id": to.user_id}],
            "isGroup": False,
            "tenantId": to.workspace,
            "channelData": {"tenant": {"id": to.workspace}},
        }
        try:
            answer = await self.rt.connector.create_conversation(tenant["service_url"], params)
        except ConnectorError as exc:
            raise _failure(exc, "a new chat with this person") from None
        conversation_id = answer.get("id")
        if not isinstance(conversation_id, str) or not conversation_id:
            raise RetryLater("Teams created no conversation id")
        ref = {
            "service_url": answer.get("serviceUrl") or tenant["service_url"],
            "conversation_id": conversation_id,
            "user_id": to.user_id,
            "bot_id": bot_id,
            "bot_name": tenant.get("bot_name", ""),
            "channel_id": tenant.get("channel_id", "msteams"),
            "tenant_id": to.workspace,
        }
        await self.rt.save_reference(to.workspace, to.user_id, ref, {
            k: tenant[k] for k in ("service_url", "bot_id", "bot_name", "channel_id") if k in tenant
        })
        return ref
