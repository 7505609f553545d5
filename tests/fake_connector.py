"""A fake Bot Connector (with a local Microsoft login, tests/fake_login.py) on free loopback
ports.

It answers the REST routes the Teams adapter uses, as the Bot Connector API reference
documents them, and records every request (method, path, JSON body, Authorization header,
and the claims of the bearer token when the login service issued it):

- ``POST /v3/conversations`` — create a 1:1 conversation (403 when the app is not
  installed for the member, as Teams answers)
- ``POST /v3/conversations/{id}/activities`` — send to a conversation
- ``POST /v3/conversations/{id}/activities/{activityId}`` — reply to an activity
- ``PUT  /v3/conversations/{id}/activities/{activityId}`` — update an activity
- ``GET  /v3/conversations/{id}/members/{memberId}`` — one member (email, UPN, aad id)
- ``GET /openid`` and ``GET /keys`` — the Bot Framework's OpenID metadata and signing keys
  (``jwks``), for the JWT on incoming activities

A request with a bearer token the login service did not issue (or that has expired) is
answered 401, as the real connector does; one without a token is accepted (a bot without an
app id, for local use). The login service runs over HTTPS: see :attr:`FakeConnector.login`.

A message (sent or updated) over Teams' size limit — about 28 KB, counted here as the whole
activity's JSON, the strictest reading — is refused with 413 ``MessageSizeTooBig`` and kept in
``refused``, so a card that grows with the organisation fails in tests as it would in Teams.

``fail(status, times, retry_after)`` makes the next ``times`` connector calls answer
``status`` (with ``Retry-After`` when given).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from tests.fake_login import FakeLogin

MESSAGE_MAX_BYTES = 28 * 1024


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    authorization: str | None
    token: dict | None = None  # the verified claims of the bearer token

    @property
    def token_number(self) -> int | None:
        """Which acquisition at the login service made the token this request carried."""
        return (self.token or {}).get("n")

    @property
    def activity(self) -> dict:
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class FakeConnector:
    members: dict[str, dict] = field(default_factory=dict)  # member id (29:… or aad) → member
    installed: set[str] = field(default_factory=set)  # members who can get a new 1:1 chat
    jwks: list[dict] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    refused: list[Recorded] = field(default_factory=list)  # messages over the size limit
    url: str = ""
    login: FakeLogin = field(default_factory=FakeLogin)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._failures: list[tuple[int, float | None]] = []
        self._runner: web.AppRunner | None = None
        self.activities: dict[tuple[str, str], dict] = {}  # (conversation, id) → latest body

    # --- control -------------------------------------------------------------------------

    def fail(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        self._failures.extend([(status, retry_after)] * times)

    def recover(self) -> None:
        """Stop failing: answer normally from now on."""
        self._failures.clear()

    def delivered_texts(self) -> list[str]:
        """The text of every message the connector accepted (one entry per accepted send)."""
        return [b.get("text", "") for b in self.activities.values() if isinstance(b, dict)]

    def add_member(self, member_id: str, aad: str, email: str, name: str, *, installed: bool = True,
                   tenant: str = "tenant-1") -> None:
        member = {"id": member_id, "objectId": aad, "aadObjectId": aad, "name": name,
                  "givenName": name.split()[0], "email": email, "userPrincipalName": email,
                  "tenantId": tenant, "userRole": "user"}
        self.members[member_id] = member
        self.members[aad] = member
        if installed:
            self.installed.update({member_id, aad})

    @property
    def token_requests(self) -> list[dict]:
        """Every token request the login service received (the forms, in order)."""
        return self.login.requests

    def sent(self, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v3/") and (method is None or r.method == method)]

    # --- server --------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/openid", self._openid)
        app.router.add_get("/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        await self.login.start()
        return self.url

    async def stop(self) -> None:
        await self.login.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> tuple[Any, web.Response | None]:
        body = None
        self._raw_size = 0
        if request.can_read_body:
            raw = await request.read()
            self._raw_size = len(raw)
            try:
                body = orjson.loads(raw)  # fast, for load tests; the standard library for the rest
            except ValueError:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        authorization = request.headers.get("Authorization")
        claims = None
        if authorization and authorization.startswith("Bearer "):
            claims = self.login.verify(authorization[len("Bearer "):])
        self.requests.append(Recorded(request.method, request.path, body, authorization, claims))
        if authorization and claims is None:
            return body, web.json_response({"error": {"code": "Unauthorized", "message": "bad token"}}, status=401)
        if self._failures:
            status, retry_after = self._failures.pop(0)
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return body, web.json_response(
                {"error": {"code": "ServiceError", "message": "fake failure"}}, status=status, headers=headers
            )
        if not (isinstance(body, dict) or request.method == "GET"):
            return body, web.json_response({"error": {"code": "BadArgument", "message": "no JSON body"}}, status=400)
        return body, None

    async def _create(self, request: web.Request) -> web.Response:
        body, failure = await self._record(request)
        if failure:
            return failure
        members = body.get("members") or []
        if not (isinstance(body.get("bot"), dict) and len(members) == 1 and body.get("tenantId")):
            return web.json_response({"error": {"code": "BadArgument", "message": "bad parameters"}}, status=400)
        if members[0].get("id") not in self.installed:
            return web.json_response({"error": {"code": "Forbidden", "message": "not installed"}}, status=403)
        return web.json_response({"id": f"a:new-{next(self._ids)}"}, status=201)

    def _too_big(self, body: Any) -> web.Response | None:
        if self._raw_size <= MESSAGE_MAX_BYTES:  # as sent is never smaller than compact
            return None
        size = len(json.dumps(body, separators=(",", ":")).encode())
        if size <= MESSAGE_MAX_BYTES:
            return None
        self.refused.append(self.requests[-1])
        return web.json_response({"error": {"code": "MessageSizeTooBig",
                                            "message": f"{size} bytes; at most {MESSAGE_MAX_BYTES}"}}, status=413)

    async def _send(self, request: web.Request) -> web.Response:
        body, failure = await self._record(request)
        if failure := failure or self._too_big(body):
            return failure
        activity_id = f"1:{next(self._ids)}"
        self.activities[(request.match_info["cid"], activity_id)] = body
        return web.json_response({"id": activity_id}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._send(request)

    async def _update(self, request: web.Request) -> web.Response:
        body, failure = await self._record(request)
        if failure := failure or self._too_big(body):
            return failure
        key = (request.match_info["cid"], request.match_info["aid"])
        if key not in self.activities:
            return web.json_response({"error": {"code": "ActivityNotFound", "message": "unknown"}}, status=404)
        self.activities[key] = body
        return web.json_response({"id": request.match_info["aid"]})

    async def _member(self, request: web.Request) -> web.Response:
        _, failure = await self._record(request)
        if failure:
            return failure
        member = self.members.get(request.match_info["mid"])
        if member is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation", "message": "?"}}, status=404)
        return web.json_response(member)

    async def _openid(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": "https://api.botframework.com", "jwks_uri": f"{self.url}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": self.jwks})
