"""The Bot Connector REST API through one shared aiohttp session.

Stock botbuilder 4.17.1 builds a new msrest ``ConnectorClient`` (and a new TCP connection,
and with an app id new MSAL credentials) for every incoming activity. Here one
:class:`Connector` per application holds one ``aiohttp.ClientSession`` (keep-alive, reused
connections) and one :class:`TokenSource` per app id, so a turn costs one HTTP request per
reply and a token is fetched once per lifetime.

Only the routes the bot uses are implemented, with the bodies the REST reference documents:

- ``POST /v3/conversations`` (create a 1:1 conversation)
- ``POST /v3/conversations/{conversationId}/activities`` (send to a conversation)
- ``POST /v3/conversations/{conversationId}/activities/{activityId}`` (reply to an activity)
- ``PUT  /v3/conversations/{conversationId}/activities/{activityId}`` (update an activity)
- ``GET  /v3/conversations/{conversationId}/members/{memberId}`` (one member, with email)

Errors never carry request or response bodies (they may quote what people wrote).
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

from adapters.teams.serviceurls import DEFAULT_HOSTS, allowed

log = logging.getLogger(__name__)

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
MAX_RETRY_AFTER = 10.0  # seconds we are prepared to wait inside a turn


class ConnectorError(Exception):
    """The connector refused or failed. ``status`` is None for network trouble."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class TokenError(Exception):
    """No token could be acquired for the app id (wrong password, tenant, network)."""


class TokenSource:
    """OAuth client-credentials tokens for one app id, cached until shortly before expiry.

    Concurrent turns that need a token wait for one acquisition (single flight). Tokens are
    fetched with the shared aiohttp session, so the event loop never blocks on them.
    """

    def __init__(self, app_id: str, password: str, token_url: str, session_getter) -> None:
        self.app_id = app_id
        self._password = password
        self.token_url = token_url
        self._session = session_getter
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.acquisitions = 0

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            await self._acquire()
            return self._token

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token, self._expires_at = None, 0.0

    async def _acquire(self) -> None:
        self.acquisitions += 1
        form = {
            "grant_type": "client_credentials",
            "client_id": self.app_id,
            "client_secret": self._password,
            "scope": BOT_FRAMEWORK_SCOPE,
        }
        try:
            async with self._session().post(self.token_url, data=form) as response:
                if response.status != 200:
                    raise TokenError(f"token endpoint answered {response.status}")
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise TokenError(f"token endpoint unreachable ({exc.__class__.__name__})") from None
        if not isinstance(body, dict) or not body.get("access_token"):
            raise TokenError("token endpoint answered without a token")
        lifetime = float(body.get("expires_in") or 3600)
        # Refresh five minutes early (or at 90% of a short lifetime).
        margin = min(300.0, lifetime * 0.1)
        self._token = str(body["access_token"])
        self._expires_at = time.monotonic() + lifetime - margin


@dataclass(frozen=True, slots=True)
class ConnectorOptions:
    timeout: float = 15.0
    turn_retries: int = 2  # retries of a reply inside a turn on 429/5xx
    ca_file: str | None = None  # an extra CA to trust (tests: the local login service's)
    trace_configs: tuple = ()  # aiohttp TraceConfigs (outbound spans, when tracing is on)
    service_hosts: tuple[str, ...] = DEFAULT_HOSTS  # where activities may be sent (serviceurls.py)
    allow_loopback: bool = False  # local mode: the local fake connector

    def check_service_url(self, service_url: str) -> None:
        """Refuse (before any token is fetched) an address the bot may not send to."""
        if not allowed(service_url, self.service_hosts, self.allow_loopback):
            raise ConnectorError("service URL not allowed", 403)


def client_session(options: ConnectorOptions) -> aiohttp.ClientSession:
    """The one aiohttp session an engine uses for every outbound call (connector, tokens, keys)."""
    ssl_context: ssl.SSLContext | bool = True
    if options.ca_file:
        ssl_context = ssl.create_default_context(cafile=options.ca_file)
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=options.timeout),
        connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300, ssl=ssl_context),
        trace_configs=list(options.trace_configs) or None,
        json_serialize=_json,  # every reply carries a card: orjson encodes it several times faster
    )


def _json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what only the standard library encodes (a lone surrogate echoed back)
        return json.dumps(value)


# One try of a connector call with this bearer token (None without an app id):
# (HTTP status, JSON object answered or None, Retry-After seconds or None).
# Network trouble is raised as TimeoutError or aiohttp.ClientError.
Attempt = Callable[[str | None], Awaitable[tuple[int, dict | None, float | None]]]


async def call_with_retries(attempt: Attempt, tokens, retries: int, route: str) -> dict:
    """The retry policy both engines' connectors share: a fresh token once after a 401,
    ``retries`` more tries on 429/5xx (waiting as ``Retry-After`` says, up to
    :data:`MAX_RETRY_AFTER`) and on network trouble; then :class:`ConnectorError`."""
    refreshed = False
    tries = 0
    while True:
        token = None
        if tokens is not None:
            try:
                token = await tokens.token()
            except TokenError as exc:
                raise ConnectorError(str(exc)) from None
        try:
            status, data, retry_after = await attempt(token)
        except (TimeoutError, aiohttp.ClientError) as exc:
            if tries < retries:
                tries += 1
                await asyncio.sleep(0.2 * tries)
                continue
            raise ConnectorError(f"connector unreachable ({exc.__class__.__name__})") from None
        if 200 <= status < 300:
            return data if isinstance(data, dict) else {}
        if status == 401 and token is not None and not refreshed:
            tokens.invalidate(token)
            refreshed = True
            continue
        if (status == 429 or status >= 500) and tries < retries:
            wait = retry_after if retry_after is not None else 0.2 * (tries + 1)
            if wait <= MAX_RETRY_AFTER:
                tries += 1
                await asyncio.sleep(wait)
                continue
        raise ConnectorError(f"{route} answered {status}", status, retry_after)


class Connector:
    """Bot Connector calls for one bot, sharing a session and a token source."""

    def __init__(self, tokens: TokenSource | None, options: ConnectorOptions | None = None) -> None:
        self.tokens = tokens
        self.options = options or ConnectorOptions()
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = client_session(self.options)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    # --- the routes -------------------------------------------------------------------

    async def create_conversation(self, service_url: str, params: dict, *, retries: int = 0) -> dict:
        return await self._call("POST", service_url, "/v3/conversations", params, retries)

    async def send_to_conversation(self, service_url: str, conversation_id: str, activity: dict,
                                   *, retries: int = 0) -> dict:
        path = f"/v3/conversations/{_seg(conversation_id)}/activities"
        return await self._call("POST", service_url, path, activity, retries)

    async def reply_to_activity(self, service_url: str, conversation_id: str, activity_id: str,
                                activity: dict, *, retries: int = 0) -> dict:
        path = f"/v3/conversations/{_seg(conversation_id)}/activities/{_seg(activity_id)}"
        return await self._call("POST", service_url, path, activity, retries)

    async def update_activity(self, service_url: str, conversation_id: str, activity_id: str,
                              activity: dict, *, retries: int = 0) -> dict:
        path = f"/v3/conversations/{_seg(conversation_id)}/activities/{_seg(activity_id)}"
        return await self._call("PUT", service_url, path, activity, retries)

    async def get_member(self, service_url: str, conversation_id: str, member_id: str) -> dict:
        path = f"/v3/conversations/{_seg(conversation_id)}/members/{_seg(member_id)}"
        return await self._call("GET", service_url, path, None, 0)

    # --- the plumbing -----------------------------------------------------------------

    async def _call(self, method: str, service_url: str, path: str, body: Any, retries: int) -> dict:
        self.options.check_service_url(service_url)
        url = service_url.rstrip("/") + path

        async def attempt(token: str | None) -> tuple[int, dict | None, float | None]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with self.session().request(method, url, json=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    if response.content_length == 0:
                        return response.status, None, None
                    try:
                        return response.status, await response.json(content_type=None), None
                    except ValueError:
                        return response.status, None, None
                await response.read()
                return response.status, None, retry_after_seconds(response.headers.get("Retry-After"))

        return await call_with_retries(attempt, self.tokens, retries, f"{method} {route_name(path)}")


def _seg(value: str) -> str:
    return quote(value, safe=":@-._~")


def route_name(path: str) -> str:
    """The route with ids left out, for errors and logs: ids are not secrets, but short."""
    parts = path.split("/")
    return "/".join("{id}" if i in (3, 5) else p for i, p in enumerate(parts))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
