"""The SCIM 2.0 endpoint (``/scim/v2``): Entra ID and Okta provision people and groups here.

The protocol (routing, validation, PATCH, filters, paging, ETags, errors) is scim2-server's;
this adapter turns aiohttp requests into its framework-neutral ``ScimRequest``, checks the
bearer token against the hash in ``BOUNDARY_SCIM_TOKEN_HASH`` and runs each request in one
database transaction over :class:`adapters.scim.storage.DirectoryStorage`. What a change
means for people (adopting someone the org file lists, leaving, groups) is the core's
(``bot.org.directory``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets

from aiohttp import web
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    External,
    Filter,
    Group,
    Patch,
    Reference,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    UnauthorizedException,
    User,
)
from scim2_server.applications.base import BaseApplication
from scim2_server.handler import AsyncScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from adapters.appkeys import BOT_KEY
from adapters.scim.storage import DirectoryStorage
from bot.machinery.config import Settings
from bot.runtime import StartupError

log = logging.getLogger(__name__)

PREFIX = "/scim"
MAX_RESULTS = 200


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the hash to configure (only the hash is ever stored)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def provider() -> ScimProvider:
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token", primary=True,
            description="The token made with `boundary-bot scim token`",
            spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"))],
    )
    return ScimProvider(models=[User, EnterpriseUser, Group],
                        resource_types=[ResourceType.from_resource(User[EnterpriseUser]),
                                        ResourceType.from_resource(Group)],
                        config=config)


class ScimEndpoint(BaseApplication):
    """scim2-server's request cycle (auth, errors, headers) on aiohttp, one transaction per request."""

    def __init__(self, expected_hash: str) -> None:
        super().__init__(provider(), ScimService(provider(), secret=expected_hash))
        self.expected_hash = expected_hash

    def check_auth(self, request: ScimRequest) -> None:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token_hash(token.strip()), self.expected_hash):
            raise UnauthorizedException(detail="a valid bearer token is required")

    async def respond(self, request: web.Request) -> web.Response:
        tail = request.match_info.get("tail", "")
        scim_request = ScimRequest(
            method=request.method, base_url=f"{request.scheme}://{request.host}{PREFIX}/v2",
            path=self.split_path("/" + tail.lstrip("/")) if tail else "/",
            query=dict(request.query), headers=list(request.headers.items()), body=await request.read(),
        )
        bot = request.app[BOT_KEY]
        try:
            if self.needs_auth(scim_request):
                self.check_auth(scim_request)
            async with bot.db.transaction() as tx:
                storage = DirectoryStorage(tx, bot.features, bot.sealer, bot.clock.now())
                response = await AsyncScimHandler(self.service, storage).handle(scim_request)
        except Exception as exc:  # SCIM errors become SCIM error bodies; anything else a 500
            response = self.handle_exception(scim_request, exc)
        response = self.finalize_response(scim_request, response)
        body = None if response.body is None else json.dumps(response.body)
        return web.Response(status=int(response.status), body=body, headers=response.headers)

    def handle_exception(self, request: ScimRequest, exception: Exception):
        # Logged by type only: SCIM bodies carry names and emails.
        if not hasattr(exception, "status"):
            log.error("SCIM %s failed with %s", request.method, exception.__class__.__name__)
        return self.service.error_response(exception)


def setup_scim(app: web.Application, settings: Settings) -> None:
    """Mount ``/scim/v2`` (only when a token hash is configured)."""
    expected = settings.scim_token_hash.strip().lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        # Said without the value: what was pasted may be the token itself.
        raise StartupError("BOUNDARY_SCIM_TOKEN_HASH must be the SHA-256 (64 hex digits) that "
                           "`boundary-bot scim token` prints, not the token itself")
    endpoint = ScimEndpoint(expected)
    app.router.add_route("*", PREFIX + "/v2", endpoint.respond)
    app.router.add_route("*", PREFIX + "/v2/{tail:.*}", endpoint.respond)
