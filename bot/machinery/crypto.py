"""Encryption at rest for report free text and client references.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) through ``MultiFernet`` so keys
can be rotated: the first key encrypts, every listed key decrypts.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class EncryptionKeyError(Exception):
    """The encryption key is missing, unreadable or malformed. The message says how to fix it."""


class Sealer:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise EncryptionKeyError("no encryption key given")
        try:
            self._fernet = MultiFernet([Fernet(k) for k in keys])
        except (ValueError, TypeError) as exc:
            raise EncryptionKeyError(
                "the encryption key is not a valid Fernet key (32 url-safe base64 bytes); "
                "make one with: boundary-bot key generate"
            ) from exc

    def seal(self, plaintext: str | None) -> bytes | None:
        if plaintext is None or plaintext == "":
            return None
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise EncryptionKeyError(
                "stored text cannot be decrypted with the configured key(s); "
                "was BOUNDARY_ENCRYPTION_KEY changed without keeping the old key?"
            ) from exc


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def load_sealer(env_keys: str | None, key_file: str, *, create_if_missing: bool) -> Sealer:
    """Build the sealer from ``BOUNDARY_ENCRYPTION_KEY`` or the key file.

    ``create_if_missing`` is true only in local mode: a new key file is written with 0600
    permissions. Anywhere else a missing key stops the server, because a key invented on the
    spot by one instance could not be read by the next.
    """
    if env_keys:
        return Sealer([k.strip().encode("ascii") for k in env_keys.split(",") if k.strip()])
    path = Path(key_file)
    if not path.exists():
        if not create_if_missing:
            raise EncryptionKeyError(
                f"no encryption key: set BOUNDARY_ENCRYPTION_KEY (make one with "
                f"'boundary-bot key generate') or provide the key file {path}"
            )
        _write_private(path, generate_key())
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise EncryptionKeyError(
            f"cannot read the encryption key file {path} ({exc.__class__.__name__}); "
            f"check its permissions, or set BOUNDARY_ENCRYPTION_KEY"
        ) from exc
    keys = [line.strip().encode("ascii") for line in text.splitlines() if line.strip()]
    if not keys:
        raise EncryptionKeyError(f"the encryption key file {path} is empty")
    return Sealer(keys)


def _write_private(path: Path, key: str) -> None:
    """Write the key complete under a temporary name, then link it into place: a second
    process starting at the same moment either wins or reads the first one's whole key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made the key first: use theirs
    finally:
        draft.unlink(missing_ok=True)
