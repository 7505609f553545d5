"""Encryption at rest: the key's life cycle and its failure messages."""

import os
import stat

import pytest

from bot.machinery.crypto import EncryptionKeyError, Sealer, generate_key, load_sealer


def test_sealed_text_opens_only_with_the_key():
    sealer = Sealer([generate_key().encode()])
    token = sealer.seal("he asked for my number")
    assert b"number" not in token
    assert sealer.open(token) == "he asked for my number"
    with pytest.raises(EncryptionKeyError, match="cannot be decrypted"):
        Sealer([generate_key().encode()]).open(token)


def test_empty_text_is_not_stored():
    assert Sealer([generate_key().encode()]).seal("") is None


def test_local_mode_creates_a_private_key_file(tmp_path):
    path = tmp_path / "bot.key"
    first = load_sealer(None, str(path), create_if_missing=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = load_sealer(None, str(path), create_if_missing=True)
    assert again.open(first.seal("same key")) == "same key"


def test_outside_local_mode_a_missing_key_refuses_and_says_how_to_fix(tmp_path):
    with pytest.raises(EncryptionKeyError, match="BOUNDARY_ENCRYPTION_KEY"):
        load_sealer(None, str(tmp_path / "absent.key"), create_if_missing=False)
    assert not (tmp_path / "absent.key").exists()


def test_unreadable_and_malformed_keys_are_explained(tmp_path):
    path = tmp_path / "bot.key"
    path.write_text("not-a-key\n")
    with pytest.raises(EncryptionKeyError, match="not a valid Fernet key"):
        load_sealer(None, str(path), create_if_missing=True)
    path.write_text("")
    with pytest.raises(EncryptionKeyError, match="empty"):
        load_sealer(None, str(path), create_if_missing=True)
    with pytest.raises(EncryptionKeyError, match="cannot read"):
        load_sealer(None, str(tmp_path), create_if_missing=True)  # a directory, not a file


def test_keys_rotate_new_first_old_still_opens():
    old, new = generate_key(), generate_key()
    token = load_sealer(old, "unused", create_if_missing=False).seal("kept")
    rotated = load_sealer(f"{new},{old}", "unused", create_if_missing=False)
    assert rotated.open(token) == "kept"
    assert Sealer([new.encode()]).open(rotated.seal("fresh")) == "fresh"


def test_processes_starting_together_share_one_key(tmp_path):
    """Two instances creating the key file at the same moment end up with the same key."""
    import multiprocessing

    path = tmp_path / "bot.key"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.starmap(_load_and_seal, [(str(path),)] * 8)
    sealer = load_sealer(None, str(path), create_if_missing=True)
    assert len(path.read_text().split()) == 1
    assert sealer.open(sealer.seal("x")) == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["bot.key"]  # no drafts left behind


def _load_and_seal(path: str) -> None:
    load_sealer(None, path, create_if_missing=True).seal("x")
