"""Starting the core: checks that must pass before anyone is served.

Every failure here is a :class:`StartupError` with one line that says what to fix.
"""

from __future__ import annotations

import logging

from bot.app import BoundaryBot
from bot.content.scripts import Library, LibraryError, load_library
from bot.machinery.clock import Clock, SystemClock
from bot.machinery.config import Settings
from bot.machinery.crypto import EncryptionKeyError, Sealer, generate_key, load_sealer
from bot.machinery.observe import NO_OBSERVER, Observer
from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database, DatabaseUnavailable
from bot.org import orgfile

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message is meant for the person deploying it."""


def load_content(settings: Settings) -> Library:
    try:
        return load_library(settings.responses_dir)
    except LibraryError as exc:
        raise StartupError(
            "the script library in responses/ has problems; fix them and start again:\n  "
            + "\n  ".join(exc.problems)
        ) from None


def load_key(settings: Settings) -> Sealer:
    try:
        return load_sealer(settings.encryption_key, settings.key_file, create_if_missing=settings.is_local,
                           keys_dir=settings.keys_dir)
    except EncryptionKeyError as exc:
        raise StartupError(f"encryption key: {exc}") from None


def load_pattern_secrets(settings: Settings) -> Sealer | None:
    """The organisation's secret for client-reference fingerprints: from
    BOUNDARY_PATTERN_SECRET, a secrets directory or the secret file (made in local mode).
    None when none is configured: the bot then derives one from the encryption key (and says
    so), which ties the two together — set one of your own in production."""
    from pathlib import Path

    from bot.machinery.keys import key_sources

    configured = settings.pattern_secret or settings.pattern_secrets_dir or Path(settings.pattern_secret_file).exists()
    if not configured and not settings.is_local:
        log.warning("no BOUNDARY_PATTERN_SECRET: client references are fingerprinted with a key derived "
                    "from the encryption key; set a separate secret (boundary-bot key generate)")
        return None
    try:
        source = key_sources("pattern", settings.pattern_secret, settings.pattern_secrets_dir,
                             settings.pattern_secret_file, generate=generate_key if settings.is_local else None)
        return Sealer(source.load(), source)
    except EncryptionKeyError as exc:
        raise StartupError(f"client pattern secret: {exc}") from None


async def open_database(settings: Settings, *, seed_demo: bool = False, migrate_schema: bool = True) -> Database:
    """Connect, and apply any pending migrations (and, if asked, seed the demo organisation
    into an empty database) while holding the start-up lock, so that instances starting
    together do this one at a time. With ``migrate_schema=False`` a schema that is behind is
    refused instead (someone runs ``db upgrade`` as its own step)."""
    db = Database(settings.database_url)
    try:
        await db.ping()
    except DatabaseUnavailable as exc:
        await db.dispose()
        raise StartupError(str(exc)) from None
    todo: list[str] = []
    async with db.startup_lock():
        if migrate_schema:
            await migrate.upgrade(db.engine)
        else:
            todo = await migrate.pending(db.engine)
        if seed_demo and not todo:
            await seed_demo_if_empty(db)
    if todo:
        await db.dispose()
        raise StartupError(
            f"the database needs {len(todo)} migration(s) ({', '.join(todo)}) and BOUNDARY_AUTO_MIGRATE "
            "is false: run `boundary-bot db upgrade` first (or set BOUNDARY_AUTO_MIGRATE=true)"
        )
    return db


async def seed_demo_if_empty(db: Database) -> bool:
    """In local mode, an empty database gets the clearly labelled demo organisation."""
    async with db.transaction() as tx:
        if await tx.people.count():
            return False
        await orgfile.apply(tx, orgfile.demo())
    log.info("created the demo organisation (fictional people) in the empty database")
    return True


async def start(settings: Settings, clock: Clock | None = None, observer: Observer = NO_OBSERVER) -> BoundaryBot:
    library = load_content(settings)
    sealer = load_key(settings)
    pattern_secrets = load_pattern_secrets(settings)
    db = await open_database(settings, seed_demo=settings.is_local, migrate_schema=settings.auto_migrate)
    db.observer = observer
    return BoundaryBot(db, sealer, library, clock or SystemClock(), pattern_secrets=pattern_secrets,
                       public_url=settings.public_base_url, observer=observer)
