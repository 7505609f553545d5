"""A small OpenID Connect issuer on a free port, signing real RS256 ID tokens with a key made
for the test: discovery document, JWKS, authorize and token endpoints.

``authorize`` signs in whoever the test chose (``next_email``) at once and redirects back
with a code; ``token`` checks the PKCE verifier and the redirect URI like a real provider and
returns an ID token. ``tamper`` lets a test spoil one thing about the next token (wrong
audience, expired, bad signature, wrong nonce, another issuer) to prove the bot refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "boundary-console"
CLIENT_SECRET = "test-client-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakeIssuer:
    next_email: str = "morgan@demo.invalid"
    tamper: str = ""  # "" | audience | expired | signature | nonce | issuer | email_unverified
    url: str = ""
    codes: dict = field(default_factory=dict)
    token_requests: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self._runner: web.AppRunner | None = None

    async def start(self) -> FakeIssuer:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = _free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _discovery(self, request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        })

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response(KeySet([self.key]).as_dict(private=False))

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code" or "openid" not in q.get("scope", ""):
            return web.Response(status=400, text="bad authorization request")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return web.Response(status=400, text="PKCE required")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                            "nonce": q.get("nonce"), "email": self.next_email}
        raise web.HTTPFound(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}")

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_requests.append(dict(form))
        grant = self.codes.pop(str(form.get("code")), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return web.json_response({"error": "invalid_grant"}, status=400)
        if request.headers.get("Authorization") != "Basic " + base64.b64encode(
                f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode():
            return web.json_response({"error": "invalid_client"}, status=401)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
            return web.json_response({"error": "invalid_grant", "error_description": "PKCE or redirect"}, status=400)
        return web.json_response({"access_token": "at", "token_type": "Bearer", "expires_in": 300,
                                  "id_token": self.id_token(grant["email"], grant["nonce"])})

    def id_token(self, email: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "sub": f"sub-{email}", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": email, "email_verified": True}
        key = self.key
        match self.tamper:
            case "audience":
                claims["aud"] = "someone-else"
            case "expired":
                claims["iat"], claims["exp"] = now - 3600, now - 600
            case "signature":
                key = self.other_key
            case "nonce":
                claims["nonce"] = "not-the-nonce"
            case "issuer":
                claims["iss"] = "https://other.example"
            case "email_unverified":
                claims["email_verified"] = False
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
