"""``boundary-bot key rotate`` and ``key retire``: a new encryption key, everything stored
re-encrypted (and the audit chain re-signed) in batches, then the old keys retired."""

from __future__ import annotations

import sys

import click

from adapters.cli_governance import fail, open_signed, run, settings
from bot.machinery.crypto import generate_key
from bot.runtime import load_key


def _instructions_for_fixed_source(source) -> str:
    names = source.names
    if source.kind == "environment":
        return (f"the keys come from {names.env}, which I can't change. Make a key with "
                f"'boundary-bot key generate', put it FIRST in {names.env} (keep the old keys after it), "
                "restart every instance, then run: boundary-bot key rotate --reencrypt-only")
    return (f"the keys come from {source.describe()}, which I can't write to (a mounted secret?). Add a file "
            "holding a new key from 'boundary-bot key generate', named so that it sorts last; once every "
            "instance has it, run: boundary-bot key rotate --reencrypt-only")


@click.command("rotate")
@click.option("--reencrypt-only", is_flag=True,
              help="Don't add a key: re-encrypt everything with the newest key already configured.")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 10000),
              help="Rows per transaction.")
def key_rotate(reencrypt_only: bool, batch: int) -> None:
    """Add a new encryption key, then re-encrypt all stored text with it.

    The old keys stay listed (so running instances and the text not yet re-encrypted still
    read) until 'boundary-bot key retire' removes them. Instances reading keys from a file or
    directory pick the new key up within seconds; keys in an environment variable need a
    restart."""
    from bot.machinery import rekey

    config = settings()
    try:
        sealer = load_key(config)
    except Exception as exc:  # StartupError: one line saying what to fix
        fail(str(exc))
    source = sealer.source
    if not reencrypt_only:
        if not source.writable:
            fail(_instructions_for_fixed_source(source))
        source.add_newest(generate_key())
        sealer.refresh(force=True)
        click.echo(f"added a new key to {source.describe()} ({len(sealer.keys)} keys now; the new one encrypts)")

    async def work():
        database, _ = await open_signed(config)
        database.sign_audit_with(None)  # entries here are only re-signed, never added
        try:
            total = await rekey.census(database)
            with click.progressbar(length=total, label="Re-encrypting", file=sys.stderr) as bar:
                text = await rekey.reencrypt(database, sealer, batch=batch, progress=bar.update)
                signed = await rekey.resign_audit(database, sealer, batch=batch, progress=bar.update)
            return text, signed
        finally:
            await database.dispose()

    text, signed = run(work())
    click.echo(f"re-encrypted {text} stored values and re-signed {signed} audit entries with the newest key")
    click.echo("The old keys are still listed. When every instance uses the new key, and your backups "
               "keep a copy of the old ones for as long as those backups live, run: boundary-bot key retire")


@click.command("retire")
def key_retire() -> None:
    """Remove every key but the newest, once nothing stored needs them any more."""
    from bot.machinery import rekey

    config = settings()

    async def check():
        database, sealer = await open_signed(config)
        try:
            return sealer, await rekey.outdated(database, sealer)
        finally:
            await database.dispose()

    sealer, left = run(check())
    if left:
        detail = ", ".join(f"{name}: {n}" for name, n in sorted(left.items()))
        fail(f"nothing was removed: some stored values still need an older key ({detail}). An instance may "
             "still have been using the old key: run 'boundary-bot key rotate --reencrypt-only' and try again")
    source = sealer.source
    if len(sealer.keys) == 1:
        click.echo("only one key is configured: nothing to retire")
        return
    if not source.writable:
        click.echo(f"everything uses the newest key. Remove the older keys from {source.describe()} and restart.")
        return
    removed = source.keep_only_newest()
    click.echo(f"removed {removed} old key(s) from {source.describe()}; everything stored uses the remaining key")


def _pattern_source(config):
    from bot.machinery.keys import EncryptionKeyError, key_sources

    try:
        return key_sources("pattern", config.pattern_secret, config.pattern_secrets_dir,
                           config.pattern_secret_file if _pattern_file_exists(config) else None)
    except EncryptionKeyError as exc:
        fail(f"{exc}. Until one is set, fingerprints use a key derived from the encryption key; to set one, "
             f"write the output of 'boundary-bot key generate' to {config.pattern_secret_file} (mode 0600) "
             "— fingerprints made before then stop matching")


def _pattern_file_exists(config) -> bool:
    from pathlib import Path

    return Path(config.pattern_secret_file).exists()


@click.command("rotate-pattern-secret")
def key_rotate_pattern_secret() -> None:
    """Add a new secret for client-reference fingerprints. New fingerprints use it; the old
    secret keeps matching the fingerprints already kept until it is retired."""
    config = settings()
    source = _pattern_source(config)
    if not source.writable:
        fail(_instructions_for_fixed_source(source).replace("key rotate --reencrypt-only", "key retire-pattern-secret "
                                                           "(after the pattern window has passed)"))
    source.add_newest(generate_key())
    click.echo(f"added a new client pattern secret to {source.describe()}. Fingerprints already kept still match "
               "through the old one; once they are older than the pattern window, run: "
               "boundary-bot key retire-pattern-secret")


@click.command("retire-pattern-secret")
@click.option("--force", is_flag=True, help="Retire even though fingerprints inside the window need an old secret.")
def key_retire_pattern_secret(force: bool) -> None:
    """Remove every client pattern secret but the newest, once no fingerprint inside the
    pattern window needs them."""
    from datetime import UTC, datetime

    from bot.features.patterns import PURPOSE, secrets_in_use
    from bot.machinery.crypto import Sealer

    config = settings()
    source = _pattern_source(config)
    newest = Sealer(source.load(), source).signer(PURPOSE).primary_id

    async def check():
        database, _ = await open_signed(config)
        try:
            async with database.transaction() as tx:
                return await secrets_in_use(tx, datetime.now(UTC))
        finally:
            await database.dispose()

    older = sum(n for secret_id, n in run(check()).items() if secret_id != newest)
    if older and not force:
        fail(f"nothing was removed: {older} fingerprint(s) inside the pattern window were made with an older "
             "secret, and would stop matching new reports. Try again once the window has passed (or use --force)")
    if len(source.load()) == 1:
        click.echo("only one client pattern secret is configured: nothing to retire")
        return
    if not source.writable:
        click.echo(f"nothing needs the older secrets: remove them from {source.describe()} and restart")
        return
    click.echo(f"removed {source.keep_only_newest()} old client pattern secret(s) from {source.describe()}")
