"""Key rotation: `key rotate` adds a key and re-encrypts every sealed column (and re-signs
the audit chain); after `key retire` removes the old key, everything still reads."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

import bot.features  # noqa: F401  (every feature's tables)
from bot.machinery import rekey
from bot.machinery.crypto import Sealer, generate_key, load_sealer
from bot.machinery.keys import DirectoryKeys, KeyNames
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
from bot.machinery.storage.audit_verify import verify
from bot.machinery.storage.db import Database
from bot.org import orgfile
from tests.cli_harness import invoke, run
from tests.records_harness import WORDS, one_of_everything


async def _fill(database_url, sealer):
    db = Database(database_url)
    db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        ids = await one_of_everything(tx, sealer, now)
        await tx.audit.record(now, ids["author"], "report.created", "report", ids["report"])
    await db.dispose()


async def _read_everything(database_url, sealer) -> dict[str, list[str]]:
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            found = {}
            for sealed in rekey.sealed_columns():
                tokens = (await tx.session.scalars(select(sealed.column).where(sealed.column.is_not(None)))).all()
                found[sealed.name] = [sealer.open(t) for t in tokens]
            chain = await verify(tx, sealer.signer(SIGNING_PURPOSE))
        return found, chain
    finally:
        await db.dispose()


def test_every_sealed_column_is_covered_by_the_rotation_test():
    assert {c.name for c in rekey.sealed_columns()} == set(WORDS)


def test_rotate_then_retire_and_everything_still_reads(tmp_path, database_url):
    key_file = tmp_path / "keys" / "bot.key"
    key_file.parent.mkdir()
    old = generate_key()
    key_file.write_text(old + "\n")
    asyncio.run(_fill(database_url, Sealer([old.encode()])))
    env = dict(DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY_FILE=str(key_file))

    rotated = run(["key", "rotate", "--batch", "2"], tmp_path, **env)
    assert rotated.returncode == 0, rotated.stderr
    assert f"re-encrypted {len(WORDS)} stored values and re-signed 1 audit entries" in rotated.stdout
    assert "Re-encrypting" in rotated.stderr  # the progress bar
    new, kept_old = key_file.read_text().split()
    assert kept_old == old and new != old

    retired = invoke(["key", "retire"], **env)
    assert retired.exit_code == 0 and "removed 1 old key(s)" in retired.stdout, retired.stderr
    assert key_file.read_text().split() == [new]

    found, chain = asyncio.run(_read_everything(database_url, Sealer([new.encode()])))
    assert found == {name: [words] for name, words in WORDS.items()}
    assert chain.ok and chain.notes == []
    again = invoke(["key", "retire"], **env)
    assert "only one key is configured" in again.stdout


def test_retire_refuses_while_anything_needs_the_old_key(tmp_path, database_url):
    old, new = generate_key(), generate_key()
    asyncio.run(_fill(database_url, Sealer([old.encode()])))
    key_file = tmp_path / "bot.key"
    key_file.write_text(f"{new}\n{old}\n")  # new key listed, nothing re-encrypted yet
    refused = invoke(["key", "retire"], DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY_FILE=str(key_file))
    assert refused.exit_code == 1 and "nothing was removed" in refused.stderr
    assert "reports.details_sealed: 1" in refused.stderr and "audit_log signatures: 1" in refused.stderr
    assert key_file.read_text().split() == [new, old]


def test_keys_in_the_environment_are_rotated_by_hand_then_reencrypted(tmp_path, database_url):
    old, new = generate_key(), generate_key()
    asyncio.run(_fill(database_url, Sealer([old.encode()])))
    refused = invoke(["key", "rotate"], DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY=old)
    assert refused.exit_code == 1 and "put it FIRST in BOUNDARY_ENCRYPTION_KEY" in refused.stderr
    done = invoke(["key", "rotate", "--reencrypt-only"], DATABASE_URL=database_url,
               BOUNDARY_ENCRYPTION_KEY=f"{new},{old}")
    assert done.exit_code == 0 and f"re-encrypted {len(WORDS)} stored values" in done.stdout, done.stderr
    told = invoke(["key", "retire"], DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY=f"{new},{old}")
    assert told.exit_code == 0 and "Remove the older keys from the environment variable" in told.stdout
    found, chain = asyncio.run(_read_everything(database_url, Sealer([new.encode()])))
    assert found["referral_offers.decline_reason_sealed"] == [WORDS["referral_offers.decline_reason_sealed"]]
    assert chain.ok


def test_a_directory_of_keys_newest_name_encrypts(tmp_path):
    names = KeyNames("encryption key", "X", "Y", "Z", "make")
    (tmp_path / "key-2025").write_text(generate_key() + "\n")
    (tmp_path / "..data").mkdir()  # what a mounted Kubernetes secret also holds: ignored
    source = DirectoryKeys(names, tmp_path)
    first = source.load()
    source.add_newest(generate_key())
    keys = source.load()
    assert len(keys) == 2 and keys[1] == first[0]
    assert source.keep_only_newest() == 1 and source.load() == keys[:1]


def test_a_running_instance_picks_up_a_rotation_from_the_key_file(tmp_path):
    path = tmp_path / "bot.key"
    server = load_sealer(None, str(path), create_if_missing=True)
    operator = load_sealer(None, str(path), create_if_missing=False)
    operator.source.add_newest(generate_key())
    operator.refresh(force=True)
    token = operator.seal("written after the rotation")
    assert server.open(token) == "written after the rotation"  # reloaded on the miss
    assert server.keys == operator.keys


def test_a_missing_key_directory_is_explained(tmp_path):
    import pytest

    from bot.machinery.crypto import EncryptionKeyError

    with pytest.raises(EncryptionKeyError, match="BOUNDARY_ENCRYPTION_KEYS_DIR=.* is not a directory"):
        load_sealer(None, "unused", create_if_missing=False, keys_dir=str(tmp_path / "absent"))


def test_the_client_pattern_secret_rotates_and_retires_after_the_window(tmp_path, database_url):
    import asyncio

    from bot.app import BoundaryBot
    from bot.content.scripts import load_library
    from bot.machinery.clock import SystemClock
    from bot.port.events import FormSubmitted, Identity

    secret_file = tmp_path / "patterns.secret"
    env = dict(DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY=generate_key(),
               BOUNDARY_PATTERN_SECRET_FILE=str(secret_file))
    absent = invoke(["key", "rotate-pattern-secret"], **env)
    assert absent.exit_code == 1 and "key derived from the encryption key" in absent.stderr
    secret_file.write_text(generate_key() + "\n")
    first = secret_file.read_text().split()

    async def fingerprint(who):
        db = Database(database_url)
        async with db.transaction() as tx:
            if not await tx.people.count():
                await orgfile.apply(tx, orgfile.demo())
        secrets = load_sealer(None, str(secret_file), create_if_missing=False)
        bot = BoundaryBot(db, Sealer([generate_key().encode()]), load_library(), SystemClock(), pattern_secrets=secrets)
        await bot.handle(FormSubmitted(Identity("web", "demo", who), "report", {
            "category": "GIFT", "setting": "other", "occurrence": "first", "felt_unsafe": "no",
            "pattern_ref": "KL 102030"}))
        await db.dispose()

    asyncio.run(fingerprint("asha"))
    rotated = invoke(["key", "rotate-pattern-secret"], **env)
    assert rotated.exit_code == 0 and secret_file.read_text().split()[1:] == first
    refused = invoke(["key", "retire-pattern-secret"], **env)
    assert refused.exit_code == 1 and "1 fingerprint(s) inside the pattern window" in refused.stderr
    asyncio.run(fingerprint("jordan"))  # the new secret still finds the client asha reported
    db_check = Database(database_url)

    async def alerts():
        from sqlalchemy import func, select

        from bot.machinery.storage.models import Notification
        async with db_check.transaction() as tx:
            n = await tx.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.key.like("pattern:%")))
        await db_check.dispose()
        return n

    assert asyncio.run(alerts()) == 1
    forced = invoke(["key", "retire-pattern-secret", "--force"], **env)
    assert forced.exit_code == 0 and "removed 1 old client pattern secret" in forced.output
