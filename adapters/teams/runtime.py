"""What the Teams adapter keeps for the life of the application, whatever the engine, shared
by the inbound side (:mod:`adapters.teams.turns`, :mod:`adapters.teams.hosting`) and the
outbound side (:mod:`adapters.teams.deliver`): the options, the engine's Bot Connector client
(:class:`ConnectorPort`: ours for botbuilder, the Agents SDK's for agents), the caches, where
to reach each person (conversation references in the database) and who sent an activity
(identity with email).

Engine-neutral: it works on the activity's JSON and never imports an SDK. Within this
package it imports only :mod:`~adapters.teams.connector`, :mod:`~adapters.teams.auth` and
:mod:`~adapters.teams.translate`; the inbound and outbound sides import it, never the
other way round.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from adapters.appkeys import BOT_KEY
from adapters.teams.auth import OPENID_METADATA_URL
from adapters.teams.connector import ConnectorError, ConnectorOptions
from adapters.teams.translate import PLATFORM, conversation_references, sender_key
from bot.app import BoundaryBot
from bot.machinery.config import Settings
from bot.port.events import Identity

log = logging.getLogger(__name__)

TENANT_WIDE = "*"  # conversation_refs row per tenant: service URL and bot id for new chats
SEEN_MAX = 20_000
CACHE_MAX = 50_000
LOGIN = "https://login.microsoftonline.com"
BOT_FRAMEWORK_TENANT = "botframework.com"


@dataclass
class TeamsOptions:
    """What the Teams adapter needs; made from Settings, adjustable before start-up (tests
    point the login service and the OpenID metadata at local fakes)."""

    app_id: str = ""
    password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    engine: str = "botbuilder"
    login_url: str = LOGIN
    openid_metadata_url: str = OPENID_METADATA_URL
    connector: ConnectorOptions = field(default_factory=ConnectorOptions)

    @classmethod
    def from_settings(cls, settings: Settings) -> TeamsOptions:
        return cls(
            app_id=settings.microsoft_app_id or "",
            password=settings.microsoft_app_password or "",
            tenant_id=settings.microsoft_app_tenant_id or "",
            app_type=settings.microsoft_app_type or "MultiTenant",
            engine=settings.teams_engine,
            login_url=settings.teams_login_url or LOGIN,
            openid_metadata_url=settings.teams_openid_url or OPENID_METADATA_URL,
        )

    @property
    def authority_tenant(self) -> str:
        """Where the bot's tokens come from: its own tenant when single-tenant, else the
        Bot Framework's."""
        single = self.app_type.lower() == "singletenant" and self.tenant_id
        return self.tenant_id if single else BOT_FRAMEWORK_TENANT

    @property
    def authority(self) -> str:
        return f"{self.login_url.rstrip('/')}/{self.authority_tenant}"

    @property
    def token_url(self) -> str:
        return f"{self.authority}/oauth2/v2.0/token"


class UnreadableActivity(ValueError):
    """An engine's SDK cannot take this activity (hosting answers 400). The message names the
    field, never its value."""


class ConnectorPort(Protocol):
    """The Bot Connector routes the bot uses, as plain JSON; each engine brings its own client
    (both raise :class:`~adapters.teams.connector.ConnectorError`)."""

    async def create_conversation(self, service_url: str, params: dict, *, retries: int = 0) -> dict: ...
    async def send_to_conversation(self, service_url: str, conversation_id: str, activity: Any,
                                   *, retries: int = 0) -> dict: ...
    async def reply_to_activity(self, service_url: str, conversation_id: str, activity_id: str,
                                activity: Any, *, retries: int = 0) -> dict: ...
    async def update_activity(self, service_url: str, conversation_id: str, activity_id: str,
                              activity: Any, *, retries: int = 0) -> dict: ...
    async def get_member(self, service_url: str, conversation_id: str, member_id: str) -> dict: ...
    async def close(self) -> None: ...


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

    def __init__(self, app: web.Application, options: TeamsOptions, connector: ConnectorPort) -> None:
        self.app = app
        self.options = options
        self.connector = connector
        self.seen: _Lru = _Lru(SEEN_MAX)  # (conversation, activity id) → result future
        self.emails: _Lru = _Lru(CACHE_MAX)  # (tenant, aad id) → email or None
        self.saved_refs: _Lru = _Lru(CACHE_MAX)  # (tenant, user) → last reference saved

    @property
    def bot(self) -> BoundaryBot:
        return self.app[BOT_KEY]

    # --- who sent an activity ------------------------------------------------------------

    async def identity(self, body: dict) -> Identity:
        """The sender as the core knows people: tenant, Azure AD object id and email."""
        key = sender_key(body)
        if key not in self.emails:
            self.emails.put(key, await self._email(body))
        tenant, aad = key
        return Identity(PLATFORM, tenant, aad, self.emails.get(key))

    async def _email(self, body: dict) -> str | None:
        """The member's email (or UPN) from the connector, for linking to the org file."""
        try:
            member = await self.connector.get_member(
                body["serviceUrl"], body["conversation"]["id"], body["from"]["id"]
            )
        except ConnectorError as exc:
            log.info("Teams member lookup failed: %s", exc.reason)
            return None
        email = member.get("email") or member.get("userPrincipalName")
        return email if isinstance(email, str) and "@" in email else None

    # --- where to reach people -----------------------------------------------------------

    async def remember(self, body: dict) -> None:
        """Keep the conversation reference for proactive messages (on every activity,
        including installation and conversation updates)."""
        found = conversation_references(body)
        if found is not None:
            await self.save_reference(*found)

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

    async def find_reference(self, tenant: str, user: str) -> tuple[dict | None, dict | None]:
        """(this person's reference, the tenant's reference): the tenant's is only read when
        the person has none, to open a new chat with them."""
        bot = self.bot
        async with bot.db.transaction() as tx:
            ref = await tx.conversations.get(PLATFORM, tenant, user)
            tenant_ref = None if ref else await tx.conversations.get(PLATFORM, tenant, TENANT_WIDE)
        return ref, tenant_ref


TEAMS_KEY = web.AppKey("teams", TeamsRuntime)


class TeamsEngine(Protocol):
    """One SDK running Teams turns behind :mod:`adapters.teams.hosting`: its authentication of
    incoming requests, its turn pipeline, its Bot Connector client and token source. Made by
    ``create_engine(app, options)`` in :mod:`adapters.teams.botbuilder_engine` or
    :mod:`adapters.teams.agents`."""

    name: str
    rt: TeamsRuntime
    tokens: Any  # .token(), .invalidate(token); None without an app id

    async def authenticate(self, authorization: str | None, body: dict) -> None:
        """Raise :class:`~adapters.teams.auth.Unauthorized` unless the Bot Connector sent it."""

    async def process(self, body: dict) -> tuple[int, Any]:
        """Run one turn: (HTTP status, invoke response body or None)."""

    async def close(self) -> None: ...
