"""A local Microsoft Graph (``/v1.0/users``, paged with ``@odata.nextLink``) and the login
service's client-credentials token endpoint, on a free loopback port (plain HTTP)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from aiohttp import web

from tests.conftest import free_port

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "app-id-for-graph"
CLIENT_SECRET = "graph-secret-not-real"


@dataclass
class FakeGraph:
    users: list[dict] = field(default_factory=list)  # Graph user objects (id, displayName, mail, …)
    page_size: int = 2  # small, so every test pages
    tokens: set[str] = field(default_factory=set)
    pages_served: int = 0
    throttle_next: int = 0  # answer this many user-list requests with 429 Retry-After: 1
    url: str = ""

    async def start(self) -> FakeGraph:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/v1.0/users", self._users)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (request.match_info["tenant"], form.get("client_id"), form.get("client_secret"),
                form.get("grant_type")) != (TENANT, CLIENT_ID, CLIENT_SECRET, "client_credentials"):
            return web.json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_hex(8)
        self.tokens.add(token)
        return web.json_response({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    async def _users(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return web.json_response({"error": {"code": "InvalidAuthenticationToken"}}, status=401)
        if self.throttle_next:
            self.throttle_next -= 1
            return web.json_response({"error": {"code": "TooManyRequests"}}, status=429, headers={"Retry-After": "1"})
        top = min(int(request.query.get("$top", "100")), self.page_size)
        start = int(request.query.get("$skiptoken", "0"))
        wanted = request.query.get("$select", "").split(",")
        page = [{k: v for k, v in u.items() if k in wanted} for u in self.users[start:start + top]]
        body: dict = {"value": page}
        if start + top < len(self.users):
            body["@odata.nextLink"] = (f"{self.url}/v1.0/users?$select={request.query.get('$select', '')}"
                                       f"&$top={top}&$skiptoken={start + top}")
        self.pages_served += 1
        return web.json_response(body)
