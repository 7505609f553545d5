"""The Agents engine's tokens for the Bot Connector: MSAL, through the Agents SDK's
:class:`MsalAuth`, with a cache in front.

Stock, every outgoing connector client asks ``MsalAuth`` for a token: a hop to a worker
thread and a look into MSAL's cache per turn, and the first time MSAL builds its client (with
blocking HTTP for the authority's metadata) on the event loop. Here one :class:`MsalTokens`
per app keeps the token until shortly before it expires; concurrent turns wait for one
acquisition (single flight); MSAL's client is built in a worker thread. After the connector
refuses a token (401) it is dropped from our cache and from MSAL's, so the next call gets a
new one — MSAL would otherwise return the cached one, as it does not force refreshes of
client-credential tokens.

MSAL's HTTP client is a ``requests`` session of ours: it trusts an extra CA when the options
name one (tests' local login service), and authority discovery is turned off for a login
service that is not Microsoft's.
"""

from __future__ import annotations

import asyncio
import time

import requests
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import AgentAuthConfiguration
from msal import ConfidentialClientApplication, TokenCache

from adapters.teams.connector import BOT_FRAMEWORK_SCOPE, TokenError
from adapters.teams.runtime import LOGIN, TeamsOptions


class _Http(requests.Session):
    """MSAL's HTTP client. An extra CA, when given, is passed with every request: a session's
    own ``verify`` loses to ``REQUESTS_CA_BUNDLE`` in the environment."""

    def __init__(self, ca_file: str | None) -> None:
        super().__init__()
        self.ca_file = ca_file

    def request(self, method, url, **kwargs):
        if self.ca_file:
            kwargs.setdefault("verify", self.ca_file)
        return super().request(method, url, **kwargs)


class _MsalAuth(MsalAuth):
    """The SDK's MsalAuth (client secret), with MSAL's HTTP client and discovery set by us."""

    def __init__(self, configuration: AgentAuthConfiguration, http: requests.Session, discovery: bool) -> None:
        super().__init__(configuration)
        self._http = http
        self._discovery = discovery

    def _create_client_application(self, tenant_id: str | None = None) -> ConfidentialClientApplication:
        config = self.configuration
        return ConfidentialClientApplication(
            client_id=config.CLIENT_ID,
            authority=MsalAuth._resolve_authority(config, tenant_id),
            client_credential=config.CLIENT_SECRET,
            http_client=self._http,
            instance_discovery=None if self._discovery else False,
        )


class MsalTokens:
    def __init__(self, options: TeamsOptions) -> None:
        self.app_id = options.app_id
        configuration = AgentAuthConfiguration(
            client_id=options.app_id, client_secret=options.password,
            tenant_id=options.authority_tenant, authority=options.authority,
            scopes=[BOT_FRAMEWORK_SCOPE],
        )
        self._http = _Http(options.connector.ca_file)
        self.msal = _MsalAuth(configuration, self._http, discovery=options.login_url == LOGIN)
        self._credential = self.msal.get_token_credential()
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.acquisitions = 0

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if not (self._token and time.monotonic() < self._expires_at):
                await self._acquire()
            return self._token

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token, self._expires_at = None, 0.0
        client = self.msal._msal_auth_client_map.get(self.msal._client_rep())
        if isinstance(client, ConfidentialClientApplication):
            cache = client.token_cache
            refused = [entry for entry in cache.search(TokenCache.CredentialType.ACCESS_TOKEN)
                       if entry.get("secret") == token]
            for entry in refused:
                cache.remove_at(entry)

    async def _acquire(self) -> None:
        self.acquisitions += 1
        try:
            await asyncio.to_thread(self.msal._get_client)  # MSAL's discovery is blocking HTTP
            access = await self._credential.get_token(BOT_FRAMEWORK_SCOPE)
        except Exception as exc:  # MSAL and the SDK raise ValueError, requests' errors…
            raise TokenError(f"MSAL could not get a token ({exc.__class__.__name__})") from None
        lifetime = max(0.0, access.expires_on - time.time())
        margin = min(300.0, lifetime * 0.1)  # refresh five minutes early, or at 90% of a short life
        self._token = access.token
        self._expires_at = time.monotonic() + lifetime - margin

    def close(self) -> None:
        self._http.close()
