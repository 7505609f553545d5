"""The Agents engine's check of the Bot Connector's JWT on ``POST /api/messages``.

The Agents SDK's :class:`JwtTokenValidator` does the validation (signature, RS256, audience =
our app id, lifetime with five minutes' leeway, issuer on its allow-list), with two changes:

- its key source. The SDK's fetches keys with ``PyJWKClient`` in a worker thread for every
  token, from a fixed address. Ours hands it the Bot Framework's keys from
  :class:`~adapters.teams.auth.SigningKeys` (cached; fetched with the engine's shared aiohttp
  session; from the OpenID metadata the options name, so tests can use a local one) and
  refuses keys of any other issuer — Teams' tokens come from the Bot Framework.
- what it leaves to its aiohttp hosting or does not check, checked here as the botbuilder
  engine does: a token must expire; the key must be endorsed for the activity's channel; a
  token that names a service URL is only good for activities from it (the SDK compares hosts
  only, and only logs a mismatch unless a host allow-list is on).

Anything wrong is :class:`~adapters.teams.auth.Unauthorized` (a 401), whatever the SDK raised.
"""

from __future__ import annotations

import jwt
from microsoft_agents.hosting.core import AgentAuthConfiguration, JwtTokenValidator
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from adapters.teams.auth import (
    ISSUER,
    SigningKeys,
    Unauthorized,
    VerifiedTokens,
    endorsed,
    service_url_matches,
    still_good,
)

BOT_FRAMEWORK_KEYS = {AuthenticationConstants.PUBLIC_ABS_JWKS_URL}


class _BotFrameworkKeySource:
    """Stands in for the SDK validator's per-address ``PyJWKClient`` manager."""

    def __init__(self, keys: SigningKeys) -> None:
        self.keys = keys

    async def get_signing_key(self, jwks_uri: str, header: dict) -> jwt.PyJWK:
        if jwks_uri not in BOT_FRAMEWORK_KEYS:
            raise ValueError("not a Bot Framework token")
        kid = header.get("kid")
        jwk = await self.keys.get(kid) if isinstance(kid, str) else None
        if jwk is None:
            raise ValueError("token signed with an unknown key")
        return jwt.PyJWK(jwk, algorithm="RS256")


class AgentsJwtCheck:
    def __init__(self, app_id: str, keys: SigningKeys) -> None:
        self.keys = keys
        configuration = AgentAuthConfiguration(
            client_id=app_id, issuers=[ISSUER], validate_issuer=True, anonymous_allowed=False,
        )
        self.validator = JwtTokenValidator(configuration)
        self.validator._jwk_client_manager = _BotFrameworkKeySource(keys)  # see the module's docstring
        self.verified = VerifiedTokens()

    async def check(self, authorization: str | None, channel_id: str | None, service_url: str | None) -> dict:
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise Unauthorized("no bearer token")
        if (known := self.verified.get(token)) is not None:
            return await still_good(self.keys, known, channel_id, service_url)
        try:
            identity = await self.validator.validate_token(token)
            kid = jwt.get_unverified_header(token).get("kid")
        except Exception as exc:  # the SDK raises PyJWT's errors, ValueError, KeyError…: all a 401
            raise Unauthorized(f"token rejected ({exc.__class__.__name__})") from None
        claims = dict(identity.claims)
        if "exp" not in claims:
            raise Unauthorized("token without an expiry")
        jwk = await self.keys.get(kid)
        if jwk is None or not endorsed(jwk, channel_id):
            raise Unauthorized("signing key not endorsed for this channel")
        if not service_url_matches(claims, service_url):
            raise Unauthorized("token is for another service URL")
        self.verified.keep(token, claims, kid)
        return dict(claims)
