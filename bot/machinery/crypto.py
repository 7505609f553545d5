"""Encryption at rest for free text, and keyed signatures and fingerprints.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) through ``MultiFernet`` so keys
can be rotated: the first key encrypts, every listed key decrypts. Keys come from a
:class:`~bot.machinery.keys.KeySource` (an environment variable, a file, or a directory such
as a mounted secret); a sealer built from a file or directory notices when it changes (a
rotation) and picks the new keys up without a restart.

Signatures (the audit chain) and fingerprints use keys *derived* from a key list with HKDF,
one per purpose, so a signature key is never an encryption key.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from base64 import urlsafe_b64decode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.machinery.keys import EncryptionKeyError, KeySource, key_sources

__all__ = ["EncryptionKeyError", "Sealer", "Signer", "generate_key", "load_sealer", "derive"]

RELOAD_EVERY = 10.0  # seconds between looks at a key file or directory for a rotation


class Sealer:
    def __init__(self, keys: list[bytes], source: KeySource | None = None) -> None:
        self.source = source
        self._stamp = source.stamp() if source and source.reloadable else None
        self._checked = time.monotonic()
        self._use(keys)

    def _use(self, keys: list[bytes]) -> None:
        if not keys:
            raise EncryptionKeyError("no encryption key given")
        try:
            fernets = [Fernet(k) for k in keys]
        except (ValueError, TypeError) as exc:
            raise EncryptionKeyError(
                "the encryption key is not a valid Fernet key (32 url-safe base64 bytes); "
                "make one with: boundary-bot key generate"
            ) from exc
        self.keys = list(keys)
        self._fernet = MultiFernet(fernets)
        self._primary = fernets[0]
        self._signers: dict[bytes, Signer] = {}

    def refresh(self, *, force: bool = False) -> bool:
        """Reload the keys if their file or directory changed; True if they did."""
        if self.source is None or not self.source.reloadable:
            return False
        if not force and time.monotonic() - self._checked < RELOAD_EVERY:
            return False
        self._checked = time.monotonic()
        stamp = self.source.stamp()
        if stamp == self._stamp:
            return False
        self._use(self.source.load())
        self._stamp = stamp
        return True

    def seal(self, plaintext: str | None) -> bytes | None:
        if plaintext is None or plaintext == "":
            return None
        self.refresh()
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken:
            # Another instance may have rotated the keys: look again before giving up.
            if self.refresh(force=True):
                return self.open(token)
            raise EncryptionKeyError(
                "stored text cannot be decrypted with the configured key(s); "
                "was BOUNDARY_ENCRYPTION_KEY changed without keeping the old key?"
            ) from None

    def rotate(self, token: bytes) -> bytes | None:
        """The token encrypted with the first key, or None if it already is."""
        try:
            self._primary.decrypt(bytes(token))
            return None
        except InvalidToken:
            return self._fernet.rotate(bytes(token))

    def uses_first_key(self, token: bytes) -> bool:
        try:
            self._primary.decrypt(bytes(token))
            return True
        except InvalidToken:
            return False

    def signer(self, purpose: bytes) -> Signer:
        """HMAC keys derived from these keys for one purpose (the first signs)."""
        self.refresh()
        if purpose not in self._signers:
            self._signers[purpose] = Signer(derive(self.keys, purpose))
        return self._signers[purpose]


def derive(keys: list[bytes], purpose: bytes) -> list[bytes]:
    out = []
    for key in keys:
        try:
            material = urlsafe_b64decode(key)
        except ValueError:
            material = key
        out.append(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(material))
    return out


class Signer:
    """HMAC-SHA256 with a list of keys: the first signs, each is known by a short id."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise EncryptionKeyError("no signing key")
        self._keys = {key_id(k): k for k in keys}
        self.primary_id = key_id(keys[0])

    def sign(self, data: str) -> tuple[str, str]:
        return self.primary_id, self._mac(self._keys[self.primary_id], data)

    def check(self, key: str | None, data: str, mac: str | None) -> bool | None:
        """True or False; None when the key id is not one of ours (retired or foreign)."""
        secret = self._keys.get(key or "")
        if secret is None or mac is None:
            return None
        return hmac.compare_digest(self._mac(secret, data), mac)

    def all(self, data: str) -> list[tuple[str, str]]:
        """``(key id, mac)`` under every key, first key first."""
        return [(kid, self._mac(secret, data)) for kid, secret in self._keys.items()]

    @staticmethod
    def _mac(secret: bytes, data: str) -> str:
        return hmac.new(secret, data.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(secret: bytes) -> str:
    return hashlib.sha256(b"key-id|" + secret).hexdigest()[:12]


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def load_sealer(env_keys: str | None, key_file: str, *, create_if_missing: bool, keys_dir: str | None = None) -> Sealer:
    """Build the sealer from ``BOUNDARY_ENCRYPTION_KEY``, a key directory or the key file.

    ``create_if_missing`` is true only in local mode: a new key file is written with 0600
    permissions. Anywhere else a missing key stops the server, because a key invented on the
    spot by one instance could not be read by the next.
    """
    source = key_sources("encryption", env_keys, keys_dir, key_file, generate=generate_key if create_if_missing else None)
    return Sealer(source.load(), source)
