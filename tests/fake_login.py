"""A local Microsoft login service over HTTPS that signs real JWTs, on a free loopback port.

Both engines get the bot's tokens here (the botbuilder engine with its own client, the
Agents engine through MSAL, which insists on HTTPS and discovers the token endpoint first),
as at ``https://login.microsoftonline.com``:

- ``GET  /{tenant}/v2.0/.well-known/openid-configuration`` — tenant discovery (MSAL)
- ``POST /{tenant}/oauth2/v2.0/token`` — client credentials for the bot's app id and secret
- ``GET  /{tenant}/discovery/v2.0/keys`` — the issuer's public key

A token is an RS256 JWT for the Bot Connector (``aud`` https://api.botframework.com) with the
app id and ``n``, the number of the acquisition that made it; :meth:`FakeLogin.verify` checks
one as the Bot Connector would. The TLS certificate comes from a throwaway CA written to
:attr:`FakeLogin.ca_file` (made once per process: RSA keys take a while).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import ssl
import tempfile
import time
from pathlib import Path

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

AUDIENCE = "https://api.botframework.com"


@functools.cache
def _tls_files() -> tuple[str, str, str]:
    """(CA certificate, server certificate, server key) PEM files for 127.0.0.1."""
    folder = Path(tempfile.mkdtemp(prefix="fake-login-"))
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Boundary Bot test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
              .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                          x509.DNSName("localhost")]), critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = (folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return tuple(str(p) for p in paths)


@functools.cache
def _signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeLogin:
    def __init__(self, secrets: dict[str, str] | None = None, token_lifetime: int = 3600) -> None:
        self.secrets = secrets  # app id → client secret; None accepts any non-empty secret
        self.token_lifetime = token_lifetime
        self.requests: list[dict] = []  # the token requests' forms, in order
        self.url = ""
        self._runner: web.AppRunner | None = None
        self.ca_file = _tls_files()[0]
        self._verified: dict[str, dict] = {}

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self._keys)
        _, cert, key = _tls_files()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.url = f"https://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def verify(self, token: str) -> dict | None:
        """The token's claims if this service issued it for the Bot Connector and it is
        still valid, else None."""
        # Checked once per token (load tests send thousands of calls with one); still only
        # until it expires.
        known = self._verified.get(token)
        if known is not None:
            return known if known["exp"] > time.time() else None
        try:
            claims = jwt.decode(token, _signing_key().public_key(), algorithms=["RS256"], audience=AUDIENCE)
        except jwt.PyJWTError:
            return None
        self._verified[token] = claims
        return claims

    async def _discovery(self, request: web.Request) -> web.Response:
        base = f"{self.url}/{request.match_info['tenant']}"
        return web.json_response({
            "issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize", "jwks_uri": f"{base}/discovery/v2.0/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.requests.append(form)
        app_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        known = bool(secret) if self.secrets is None else self.secrets.get(app_id) == secret
        if form.get("grant_type") != "client_credentials" or not app_id or not known:
            return web.json_response({"error": "invalid_client", "error_description": "bad credentials"},
                                     status=401)
        now = int(time.time())
        tenant = request.match_info["tenant"]
        claims = {"aud": AUDIENCE, "iss": f"https://sts.windows.net/{tenant}/", "appid": app_id,
                  "iat": now, "nbf": now, "exp": now + self.token_lifetime, "n": len(self.requests)}
        token = jwt.encode(claims, _signing_key(), algorithm="RS256", headers={"kid": "login-key"})
        return web.json_response({"token_type": "Bearer", "expires_in": self.token_lifetime,
                                  "ext_expires_in": self.token_lifetime, "access_token": token})

    async def _keys(self, request: web.Request) -> web.Response:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(_signing_key().public_key(), as_dict=True)
        return web.json_response({"keys": [{**public, "kid": "login-key", "use": "sig"}]})
