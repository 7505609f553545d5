"""Signing in to the console with OpenID Connect (Microsoft Entra ID, Sign in with Slack, or
any issuer): the authorization-code flow with PKCE.

Authlib builds the requests (authorization URL, PKCE challenge, token request); joserfc (the
JOSE library Authlib now points to) checks the ID token's signature against the issuer's
published keys. We then check, ourselves and explicitly: ``state`` (against the sealed
cookie set when the flow began), the issuer, the audience (and ``azp`` when there are
several), expiry and issue time, and the ``nonce``. The person is matched by email to the
organisation file; anyone else gets a clear refusal.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import aiohttp
from aiohttp import web
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from adapters.appkeys import BOT_KEY, SETTINGS_KEY
from adapters.console.web import render, secure_cookies, set_session_cookie
from bot.features import console
from bot.machinery.crypto import EncryptionKeyError

log = logging.getLogger(__name__)

FLOW_COOKIE = "bb_oidc"
FLOW_LIFETIME = 600  # seconds to finish signing in at the identity provider
LEEWAY = 60  # seconds of clock difference tolerated on exp/iat
CACHE_SECONDS = 3600
ALGORITHMS = ["RS256", "PS256", "ES256"]


class OidcRefused(Exception):
    """Sign-in failed; the message is for the log (the page says less)."""


@dataclass
class Provider:
    """The issuer's discovery document and keys, cached for an hour (keys are fetched again at
    once when a token names a key we have not seen: providers rotate them)."""

    issuer: str
    http: aiohttp.ClientSession
    config: dict = field(default_factory=dict)
    keys: KeySet | None = None
    fetched: float = 0.0

    async def _json(self, url: str) -> dict:
        if not url.startswith(("https://", "http://")):
            raise OidcRefused("the provider gave a URL that is not http(s)")
        async with self.http.get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
            if response.status != 200:
                raise OidcRefused(f"{url} answered {response.status}")
            return await response.json(content_type=None)

    async def discover(self) -> dict:
        if not self.config or time.monotonic() - self.fetched > CACHE_SECONDS:
            config = await self._json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
            if config.get("issuer") != self.issuer:
                raise OidcRefused("the discovery document names another issuer")
            self.config, self.keys, self.fetched = config, None, time.monotonic()
        return self.config

    async def key_set(self, kid: str | None) -> KeySet:
        config = await self.discover()
        if self.keys is None or (kid and kid not in {k.kid for k in self.keys.keys}):
            self.keys = KeySet.import_key_set(await self._json(config["jwks_uri"]))
        return self.keys


PROVIDER_KEY = web.AppKey("console_oidc", Provider)


def redirect_uri(request: web.Request) -> str:
    return request.app[SETTINGS_KEY].public_base_url + "/console/oidc/callback"


async def start(request: web.Request) -> web.StreamResponse:
    """Begin: remember state, nonce and the PKCE verifier in a sealed cookie, then go to the
    provider's sign-in page."""
    settings = request.app[SETTINGS_KEY]
    try:
        config = await request.app[PROVIDER_KEY].discover()
    except (OidcRefused, aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("OpenID Connect discovery failed: %s", exc.__class__.__name__)
        return render(request, "refused_signin.html", status=502, why="provider")
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url = prepare_grant_uri(
        config["authorization_endpoint"], settings.oidc_client_id, "code", redirect_uri=redirect_uri(request),
        scope="openid email profile", state=state, nonce=nonce,
        code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256",
    )
    sealed = request.app[BOT_KEY].sealer.seal(json.dumps(
        {"state": state, "nonce": nonce, "verifier": verifier, "at": time.time()}))
    response = web.HTTPFound(url)
    response.set_cookie(FLOW_COOKIE, sealed.decode(), httponly=True, samesite="Lax", secure=secure_cookies(request),
                        path="/console/oidc", max_age=FLOW_LIFETIME)
    raise response


def _flow(request: web.Request) -> dict:
    raw = request.cookies.get(FLOW_COOKIE)
    if not raw or len(raw) > 4000:
        raise OidcRefused("no sign-in in progress in this browser")
    try:
        flow = json.loads(request.app[BOT_KEY].sealer.open(raw.encode()))
    except (EncryptionKeyError, ValueError, TypeError):
        raise OidcRefused("the sign-in cookie was altered") from None
    if time.time() - float(flow.get("at", 0)) > FLOW_LIFETIME:
        raise OidcRefused("the sign-in took too long")
    return flow


async def _exchange(request: web.Request, config: dict, code: str, verifier: str) -> dict:
    settings = request.app[SETTINGS_KEY]
    body = prepare_token_request("authorization_code", code=code, redirect_uri=redirect_uri(request),
                                 code_verifier=verifier, client_id=settings.oidc_client_id)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if settings.oidc_client_secret:  # client_secret_basic (RFC 6749 2.3.1: each part form-encoded)
        pair = f"{quote(settings.oidc_client_id, safe='')}:{quote(settings.oidc_client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    async with request.app[PROVIDER_KEY].http.post(
        config["token_endpoint"], data=body, timeout=aiohttp.ClientTimeout(total=10), headers=headers,
    ) as response:
        if response.status != 200:
            raise OidcRefused(f"the token endpoint answered {response.status}")
        return await response.json(content_type=None)


async def verify_id_token(provider: Provider, token: str, client_id: str, nonce: str) -> dict:
    """The ID token's claims, once signature, issuer, audience, expiry and nonce all check out."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise OidcRefused("no ID token")
    try:
        header = json.loads(_b64(token.split(".")[0]))
        keys = await provider.key_set(header.get("kid"))
        decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise OidcRefused(f"bad signature or token ({exc.__class__.__name__})") from None
    claims = decoded.claims
    now = time.time()
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences if isinstance(audiences, list) else []
    checks = [
        (claims.get("iss") == provider.config.get("issuer"), "wrong issuer"),
        (client_id in audiences, "wrong audience"),
        (len(audiences) == 1 or claims.get("azp") == client_id, "several audiences and azp is not us"),
        (isinstance(claims.get("exp"), int | float) and claims["exp"] > now - LEEWAY, "expired"),
        (isinstance(claims.get("iat"), int | float) and claims["iat"] < now + LEEWAY, "issued in the future"),
        (isinstance(claims.get("nonce"), str) and hmac.compare_digest(claims["nonce"], nonce), "wrong nonce"),
    ]
    for ok, why in checks:
        if not ok:
            raise OidcRefused(why)
    return claims


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def email_of(claims: dict) -> str | None:
    if claims.get("email_verified") is False:
        return None
    email = claims.get("email") or claims.get("preferred_username")  # Entra ID may send only the latter
    return email if isinstance(email, str) and "@" in email else None


async def callback(request: web.Request) -> web.StreamResponse:
    settings = request.app[SETTINGS_KEY]
    provider = request.app[PROVIDER_KEY]
    bot = request.app[BOT_KEY]
    try:
        flow = _flow(request)
        if request.query.get("error"):
            raise OidcRefused("the provider said no")
        state = request.query.get("state", "")
        if not hmac.compare_digest(state.encode(), flow["state"].encode()):
            raise OidcRefused("state does not match")
        config = await provider.discover()
        tokens = await _exchange(request, config, request.query.get("code", ""), flow["verifier"])
        claims = await verify_id_token(provider, tokens.get("id_token"), settings.oidc_client_id, flow["nonce"])
    except (OidcRefused, aiohttp.ClientError, TimeoutError) as exc:
        log.info("console OpenID Connect sign-in refused: %s", exc)
        response = render(request, "refused_signin.html", status=403, why="oidc")
        response.del_cookie(FLOW_COOKIE, path="/console/oidc")
        return response
    async with bot.db.transaction() as tx:
        person = await console.person_by_email(tx, email_of(claims))
        secret = await console.start_session(tx, person, "oidc", bot.clock.now()) if person else None
    if secret is None:
        response = render(request, "refused_signin.html", status=403, why="unknown" if person is None else "role")
        response.del_cookie(FLOW_COOKIE, path="/console/oidc")
        return response
    response = web.HTTPSeeOther("/console/")
    response.del_cookie(FLOW_COOKIE, path="/console/oidc")
    set_session_cookie(request, response, secret)
    raise response


def setup_oidc(app: web.Application) -> None:
    settings = app[SETTINGS_KEY]

    async def client(app: web.Application):
        async with aiohttp.ClientSession() as http:
            app[PROVIDER_KEY] = Provider(settings.oidc_issuer, http)
            yield

    app.cleanup_ctx.append(client)
    app.router.add_get("/console/oidc/start", start)
    app.router.add_get("/console/oidc/callback", callback)
