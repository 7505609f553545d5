"""The Agents engine's Bot Connector client: the Agents SDK's ``TeamsConnectorClient``, one per
service URL for the life of the application, over the engine's one aiohttp session.

Stock, the SDK builds a connector client per turn: a new ``aiohttp.ClientSession`` (so a new
TCP connection per turn), a product string read from package metadata, and the token baked
into the session's headers. Here each client is made once per service URL on a
:class:`_BoundSession` — what the SDK's operations need of a session (relative routes, default
headers, ``close``) — that sends through the shared session with the token of the call in
progress (a context variable, so concurrent turns never see each other's token). Calls go
through :func:`~adapters.teams.connector.call_with_retries`, the policy the botbuilder engine
uses too, and failures become :class:`~adapters.teams.connector.ConnectorError` with the
status only (the SDK's errors quote the response body).

The routes and their bodies are the SDK's; the methods take and give plain JSON (or an SDK
``Activity``) like :class:`~adapters.teams.connector.Connector`, so the delivery port and the
runtime work with either engine.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ConversationParameters, ResourceResponse
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient
from pydantic import BaseModel

from adapters.teams.connector import (
    ConnectorOptions,
    call_with_retries,
    client_session,
    retry_after_seconds,
)

_BEARER: contextvars.ContextVar[str | None] = contextvars.ContextVar("teams_bearer", default=None)
USER_AGENT = "BoundaryBot (Microsoft 365 Agents SDK)"
MAX_CLIENTS = 256


class _BoundSession:
    """The shared aiohttp session seen from one service URL."""

    def __init__(self, shared: Callable[[], aiohttp.ClientSession], base_url: str) -> None:
        self._shared = shared
        self._base_url = base_url.rstrip("/") + "/"
        self.headers: dict[str, str] = {"User-Agent": USER_AGENT}

    def request(self, method: str, url: str, *, headers: dict | None = None, **kwargs):
        merged = {**self.headers, **(headers or {})}
        token = _BEARER.get()
        if token:
            merged["Authorization"] = f"Bearer {token}"
        return self._shared().request(method, self._base_url + str(url).lstrip("/"), headers=merged, **kwargs)

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs):
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.request("DELETE", url, **kwargs)

    async def close(self) -> None:
        return  # the shared session outlives every client


def as_activity(activity: Activity | dict) -> Activity:
    return activity if isinstance(activity, Activity) else Activity.model_validate(activity)


def _json(result: Any) -> dict:
    if isinstance(result, ResourceResponse):  # every reply: skip a model dump for one field
        return {"id": result.id} if result.id else {}
    if isinstance(result, BaseModel):
        return result.model_dump(by_alias=True, exclude_none=True, mode="json")
    return result if isinstance(result, dict) else {}


class AgentsConnector:
    def __init__(self, tokens, options: ConnectorOptions | None = None) -> None:
        self.tokens = tokens
        self.options = options or ConnectorOptions()
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[str, TeamsConnectorClient] = {}

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = client_session(self.options)
        return self._session

    async def close(self) -> None:
        self._clients.clear()
        if self._session is not None:
            await self._session.close()
        if self.tokens is not None:
            self.tokens.close()

    def client(self, service_url: str) -> TeamsConnectorClient:
        client = self._clients.get(service_url)
        if client is None:
            if len(self._clients) >= MAX_CLIENTS:
                self._clients.clear()
            client = TeamsConnectorClient(service_url, "", session=_BoundSession(self.session, service_url))
            self._clients[service_url] = client
        return client

    # --- the routes -------------------------------------------------------------------

    async def create_conversation(self, service_url: str, params: dict, *, retries: int = 0) -> dict:
        parameters = ConversationParameters.model_validate(params)
        return await self._call(service_url, "POST /v3/conversations", retries,
                                lambda c: c.conversations.create_conversation(parameters))

    async def send_to_conversation(self, service_url: str, conversation_id: str, activity: Activity | dict,
                                   *, retries: int = 0) -> dict:
        body = as_activity(activity)
        return await self._call(service_url, "POST /v3/conversations/{id}/activities", retries,
                                lambda c: c.conversations.send_to_conversation(conversation_id, body))

    async def reply_to_activity(self, service_url: str, conversation_id: str, activity_id: str,
                                activity: Activity | dict, *, retries: int = 0) -> dict:
        body = as_activity(activity)
        return await self._call(service_url, "POST /v3/conversations/{id}/activities/{id}", retries,
                                lambda c: c.conversations.reply_to_activity(conversation_id, activity_id, body))

    async def update_activity(self, service_url: str, conversation_id: str, activity_id: str,
                              activity: Activity | dict, *, retries: int = 0) -> dict:
        # Rebuilt from its JSON: the SDK sends every field ever set (None included) on updates.
        wire = as_activity(activity).model_dump(by_alias=True, exclude_none=True, mode="json")
        wire.pop("replyToId", None)
        wire["id"] = activity_id
        body = Activity.model_validate(wire)
        return await self._call(service_url, "PUT /v3/conversations/{id}/activities/{id}", retries,
                                lambda c: c.conversations.update_activity(conversation_id, activity_id, body))

    async def get_member(self, service_url: str, conversation_id: str, member_id: str) -> dict:
        return await self._call(service_url, "GET /v3/conversations/{id}/members/{id}", 0,
                                lambda c: c.get_conversation_member(conversation_id, member_id))

    # --- the plumbing -----------------------------------------------------------------

    async def _call(self, service_url: str, route: str, retries: int,
                    operation: Callable[[TeamsConnectorClient], Awaitable[Any]]) -> dict:
        self.options.check_service_url(service_url)
        client = self.client(service_url)

        async def attempt(token: str | None) -> tuple[int, dict | None, float | None]:
            bearer = _BEARER.set(token)
            try:
                result = await operation(client)
            except aiohttp.ClientResponseError as exc:
                if 200 <= exc.status < 300:  # an answer without the JSON the SDK expected
                    return exc.status, None, None
                after = retry_after_seconds(exc.headers.get("Retry-After")) if exc.headers else None
                return exc.status, None, after
            except ValueError:  # the answer did not fit the SDK's model: sent, nothing to read
                return 200, None, None
            finally:
                _BEARER.reset(bearer)
            return 200, _json(result), None

        return await call_with_retries(attempt, self.tokens, retries, route)
