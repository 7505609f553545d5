"""Checking the Bot Connector's JWT on ``POST /api/messages``.

When ``MicrosoftAppId`` is set, every activity must carry ``Authorization: Bearer <jwt>``
issued by the Bot Framework (``iss`` https://api.botframework.com), for our app id
(``aud``), signed with a key published in the Bot Framework's OpenID metadata, endorsed for
the channel, and (when the token names one) for the activity's ``serviceUrl``. Anything
else is :class:`Unauthorized` — a 401, never a 500.

The signing keys are fetched asynchronously and cached (refetched daily, or when a token
names a key we have not seen, at most every five minutes) by :class:`SigningKeys`, which
both engines use; :class:`JwtValidator` is the botbuilder engine's check (the Agents engine
runs the Agents SDK's validator over the same keys: :mod:`adapters.teams.agents.auth`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict

import aiohttp
import jwt

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
ISSUER = "https://api.botframework.com"
KEYS_LIFETIME = 24 * 3600
UNKNOWN_KID_REFETCH = 300
LEEWAY = 300


class Unauthorized(Exception):
    """The request is not from the Bot Connector for this bot. The reason is for logs."""


class SigningKeys:
    """The Bot Framework's token signing keys (JWKs as published, with their endorsements),
    read from its OpenID metadata with the shared aiohttp session and cached: refetched
    daily, or when a token names a key we have not seen (at most every five minutes).

    Engine-neutral: both engines' validators take keys from here.
    """

    def __init__(self, session_getter, metadata_url: str = OPENID_METADATA_URL) -> None:
        self.metadata_url = metadata_url
        self._session = session_getter
        self._keys: dict[str, dict] = {}
        self._fetched_at: float | None = None  # monotonic time of the last fetch; None: never
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def get(self, kid: str) -> dict | None:
        """The published JWK with this key id, or None."""
        # The monotonic clock starts near zero at boot, so "never fetched" is its own state.
        if self._due(kid):
            async with self._lock:
                if self._due(kid):
                    await self._refresh()
        return self._keys.get(kid)

    def _due(self, kid: str) -> bool:
        if self._fetched_at is None:
            return True
        age = time.monotonic() - self._fetched_at
        return age > KEYS_LIFETIME or (kid not in self._keys and age > UNKNOWN_KID_REFETCH)

    async def _refresh(self) -> None:
        self.fetches += 1
        try:
            session = self._session()
            async with session.get(self.metadata_url) as response:
                metadata = await response.json(content_type=None)
            async with session.get(metadata["jwks_uri"]) as response:
                keys = (await response.json(content_type=None))["keys"]
        except (TimeoutError, aiohttp.ClientError, KeyError, TypeError, ValueError, json.JSONDecodeError):
            # Keep what we had; a token with an unknown key is then refused.
            self._fetched_at = time.monotonic()
            return
        self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}
        self._fetched_at = time.monotonic()


def endorsed(jwk: dict, channel_id: str | None) -> bool:
    """Whether the key may sign tokens for this channel (keys without a list may sign any)."""
    endorsements = jwk.get("endorsements")
    return not (channel_id and isinstance(endorsements, list) and channel_id not in endorsements)


def service_url_matches(claims: dict, service_url: str | None) -> bool:
    """A token that names a service URL is only good for activities from that URL."""
    claimed = claims.get("serviceurl") or claims.get("serviceUrl")
    return not (claimed and service_url and str(claimed).rstrip("/") != service_url.rstrip("/"))


class VerifiedTokens:
    """Tokens whose signature, issuer, audience and dates were checked, kept until they
    expire: the Bot Connector sends one token with every activity for up to an hour, and
    checking its RSA signature again each time cost a twentieth of a whole turn
    (bench/teams_turns.py). What depends on the activity (the key's endorsement for its
    channel, its service URL) and whether the key is still published are checked every time."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._tokens: OrderedDict[str, tuple[dict, str]] = OrderedDict()

    def get(self, token: str) -> tuple[dict, str] | None:
        """(claims, key id) of a token checked before and not yet expired."""
        found = self._tokens.get(token)
        if found is not None and found[0]["exp"] + LEEWAY < time.time():
            del self._tokens[token]
            return None
        return found

    def keep(self, token: str, claims: dict, kid: str) -> None:
        if isinstance(claims.get("exp"), int | float):
            self._tokens[token] = (claims, kid)
            while len(self._tokens) > self.limit:
                self._tokens.popitem(last=False)


async def still_good(keys: SigningKeys, known: tuple[dict, str], channel_id: str | None,
                     service_url: str | None) -> dict:
    """The claims of a token checked before, if it is still good for this activity."""
    claims, kid = known
    jwk = await keys.get(kid)
    if jwk is None:
        raise Unauthorized("token signed with a key no longer published")
    if not endorsed(jwk, channel_id):
        raise Unauthorized("signing key not endorsed for this channel")
    if not service_url_matches(claims, service_url):
        raise Unauthorized("token is for another service URL")
    return dict(claims)


class JwtValidator:
    """The botbuilder engine's check of the Bot Connector's token (PyJWT, our key cache)."""

    def __init__(self, app_id: str, keys: SigningKeys) -> None:
        self.app_id = app_id
        self.keys = keys
        self.verified = VerifiedTokens()

    async def check(self, authorization: str | None, channel_id: str | None, service_url: str | None) -> dict:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("no bearer token")
        token = authorization[len("Bearer "):].strip()
        if (known := self.verified.get(token)) is not None:
            return await still_good(self.keys, known, channel_id, service_url)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("not a JWT") from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise Unauthorized("unexpected token algorithm or key id")
        jwk = await self.keys.get(header["kid"])
        if jwk is None:
            raise Unauthorized("token signed with an unknown key")
        if not endorsed(jwk, channel_id):
            raise Unauthorized("signing key not endorsed for this channel")
        try:
            key = jwt.PyJWK(jwk, algorithm="RS256").key
            claims = jwt.decode(
                token, key, algorithms=["RS256"], audience=self.app_id, issuer=ISSUER,
                leeway=LEEWAY, options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized(f"token rejected ({exc.__class__.__name__})") from None
        if not service_url_matches(claims, service_url):
            raise Unauthorized("token is for another service URL")
        self.verified.keep(token, claims, header["kid"])
        return dict(claims)
