"""Where keys come from, and how a rotation changes them.

A key list is read from one of three places, in this order:

- an environment variable holding comma-separated keys (the first is the newest);
- a directory, for example a mounted Kubernetes or Docker secret: each file holds one key
  and the file whose name sorts last is the newest (``key rotate`` names new files by
  date, ``key-20260105T090000Z``);
- a file with one key per line, the newest first (``./boundary-bot.key`` by default,
  created with 0600 permissions in local mode only).

The newest key encrypts (or signs); every key still listed decrypts (or checks). Files and
directories can be changed by ``boundary-bot key rotate``; an environment variable cannot,
so the command says what to do instead.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


class EncryptionKeyError(Exception):
    """A key is missing, unreadable or malformed. The message says how to fix it."""


@dataclass(frozen=True)
class KeyNames:
    label: str  # "encryption key"
    env: str
    file: str
    dir: str
    make: str  # the command that prints a new one


ENCRYPTION = KeyNames("encryption key", "BOUNDARY_ENCRYPTION_KEY", "BOUNDARY_ENCRYPTION_KEY_FILE",
                      "BOUNDARY_ENCRYPTION_KEYS_DIR", "boundary-bot key generate")
PATTERN = KeyNames("client pattern secret", "BOUNDARY_PATTERN_SECRET", "BOUNDARY_PATTERN_SECRET_FILE",
                   "BOUNDARY_PATTERN_SECRETS_DIR", "boundary-bot key generate")
NAMES = {"encryption": ENCRYPTION, "pattern": PATTERN}


class KeySource:
    """A list of keys, newest first, and the means to change it if it can be changed."""

    kind = "?"
    reloadable = False
    writable = False

    def __init__(self, names: KeyNames) -> None:
        self.names = names

    def load(self) -> list[bytes]:
        raise NotImplementedError

    def stamp(self) -> object:
        return None

    def describe(self) -> str:
        raise NotImplementedError

    def add_newest(self, key: str) -> None:
        raise EncryptionKeyError(f"the {self.names.label} comes from {self.describe()}, which I can't change")

    def keep_only_newest(self) -> int:
        raise EncryptionKeyError(f"the {self.names.label} comes from {self.describe()}, which I can't change")


class EnvKeys(KeySource):
    kind = "environment"

    def __init__(self, names: KeyNames, value: str) -> None:
        super().__init__(names)
        self.value = value

    def load(self) -> list[bytes]:
        keys = [k.strip().encode("ascii") for k in self.value.split(",") if k.strip()]
        if not keys:
            raise EncryptionKeyError(f"{self.names.env} is set but empty")
        return keys

    def describe(self) -> str:
        return f"the environment variable {self.names.env}"


class FileKeys(KeySource):
    kind = "file"
    reloadable = writable = True

    def __init__(self, names: KeyNames, path: Path) -> None:
        super().__init__(names)
        self.path = path

    def load(self) -> list[bytes]:
        try:
            text = self.path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise EncryptionKeyError(
                f"cannot read the {self.names.label} file {self.path} ({exc.__class__.__name__}); "
                f"check its permissions, or set {self.names.env}"
            ) from None
        keys = [line.strip().encode("ascii") for line in text.splitlines() if line.strip()]
        if not keys:
            raise EncryptionKeyError(f"the {self.names.label} file {self.path} is empty")
        return keys

    def stamp(self) -> object:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def describe(self) -> str:
        return f"the file {self.path}"

    def add_newest(self, key: str) -> None:
        keys = [k.decode("ascii") for k in self.load()]
        _replace_private(self.path, "\n".join([key, *keys]) + "\n")

    def keep_only_newest(self) -> int:
        keys = self.load()
        _replace_private(self.path, keys[0].decode("ascii") + "\n")
        return len(keys) - 1


class DirectoryKeys(KeySource):
    kind = "directory"
    reloadable = True

    def __init__(self, names: KeyNames, path: Path) -> None:
        super().__init__(names)
        self.path = path
        self.writable = os.access(path, os.W_OK)

    def _files(self) -> list[Path]:
        try:
            entries = sorted(p for p in self.path.iterdir() if not p.name.startswith(".") and p.is_file())
        except OSError as exc:
            raise EncryptionKeyError(f"cannot read the {self.names.label} directory {self.path} "
                                     f"({exc.__class__.__name__})") from None
        return entries

    def load(self) -> list[bytes]:
        keys = []
        for path in reversed(self._files()):  # the name that sorts last is the newest
            try:
                lines = [ln.strip() for ln in path.read_text(encoding="ascii").splitlines() if ln.strip()]
            except (OSError, UnicodeDecodeError) as exc:
                raise EncryptionKeyError(f"cannot read {path} ({exc.__class__.__name__})") from None
            keys.extend(line.encode("ascii") for line in lines[:1])
        if not keys:
            raise EncryptionKeyError(f"the {self.names.label} directory {self.path} holds no keys")
        return keys

    def stamp(self) -> object:
        try:
            return tuple((p.name, p.stat().st_mtime_ns) for p in self._files())
        except (OSError, EncryptionKeyError):
            return None

    def describe(self) -> str:
        return f"the directory {self.path}"

    def add_newest(self, key: str) -> None:
        if not self.writable:
            super().add_newest(key)
        name = "key-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        _write_new_private(self.path / name, key + "\n")

    def keep_only_newest(self) -> int:
        files = self._files()
        for path in files[:-1]:
            path.unlink()
        return len(files) - 1


def key_sources(kind: str, env_value: str | None, dir_value: str | None, file_value: str | None,
                *, generate: Callable[[], str] | None = None) -> KeySource:
    """The source a deployment configured, in the order the module docstring gives.

    ``generate`` (local mode only) makes a new key file when none exists; anywhere else a
    missing key is an error, because a key invented by one instance could not be read by the
    next.
    """
    names = NAMES[kind]
    if env_value:
        return EnvKeys(names, env_value)
    if dir_value:
        path = Path(dir_value)
        if not path.is_dir():
            raise EncryptionKeyError(f"{names.dir}={path} is not a directory")
        return DirectoryKeys(names, path)
    path = Path(file_value or "")
    if not file_value or not path.exists():
        if generate is None:
            where = f" or provide the {names.label} file {path}" if file_value else ""
            raise EncryptionKeyError(f"no {names.label}: set {names.env} (make one with '{names.make}'){where}")
        _write_new_private(path, generate() + "\n", tolerate_existing=True)
    return FileKeys(names, path)


def _write_new_private(path: Path, text: str, *, tolerate_existing: bool = False) -> None:
    """Write a key complete under a temporary name, then link it into place: a second
    process starting at the same moment either wins or reads the first one's whole key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    try:
        os.link(draft, path)
    except FileExistsError:
        if not tolerate_existing:
            raise
    finally:
        draft.unlink(missing_ok=True)


def _replace_private(path: Path, text: str) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, path)
