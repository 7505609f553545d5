"""The audit log as a signed hash chain: every hand edit, delete or insert is named, on
SQLite and PostgreSQL, and instances appending together keep one valid chain."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.machinery.crypto import Sealer, generate_key
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
from bot.machinery.storage.audit_verify import Anchor, read_anchors, verify
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import AuditEntry


@pytest.fixture
def signed(db, sealer):
    db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
    return db


async def record(db, clock, n, action="report.viewed"):
    for i in range(n):
        async with db.transaction() as tx:
            await tx.audit.record(clock.advance(seconds=1), None, action, "report", i + 1)


async def check(db, sealer, anchors=()):
    async with db.transaction() as tx:
        return await verify(tx, sealer.signer(SIGNING_PURPOSE), list(anchors))


async def sql(db, statement, **params):
    async with db.engine.begin() as conn:
        return await conn.execute(text(statement), params)


async def test_entries_chain_in_order_and_verify(signed, sealer, clock):
    await record(signed, clock, 5)
    report = await check(signed, sealer)
    assert report.ok and report.entries == 5 and report.head_seq == 5
    async with signed.transaction() as tx:
        entries = await tx.audit.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(e.prev_hash == p.hash for p, e in zip(entries, entries[1:], strict=False))
    assert all(e.mac and e.mac_key for e in entries)


async def test_entries_of_a_failed_savepoint_are_not_written(signed, sealer, clock):
    async with signed.transaction() as tx:
        await tx.audit.record(clock.now(), None, "report.created", "report", 1)
        with pytest.raises(RuntimeError):
            async with tx.savepoint():
                await tx.audit.record(clock.now(), None, "report.deleted", "report", 1)
                raise RuntimeError
    async with signed.transaction() as tx:
        assert [e.action for e in await tx.audit.entries()] == ["report.created"]
    assert (await check(signed, sealer)).ok


async def test_free_text_is_refused_as_an_action(signed, clock):
    async with signed.transaction() as tx:
        with pytest.raises(ValueError):
            await tx.audit.record(clock.now(), None, "he said my name", "report", 1)


@pytest.mark.parametrize("tamper, named", [
    ("UPDATE audit_log SET subject_id = 99 WHERE seq = 3", "entry #3 (id 3, report.viewed) was edited"),
    ("UPDATE audit_log SET at = at - INTERVAL '1 day' WHERE seq = 2", "entry #2 (id 2, report.viewed) was edited"),
    ("DELETE FROM audit_log WHERE seq = 2", "entry #2 is missing"),
    ("DELETE FROM audit_log WHERE seq = 5", "entry #5 is missing: deleted (the chain head says #5)"),
    ("INSERT INTO audit_log (org_id, seq, at, action, subject_type, subject_id, prev_hash, hash) "
     "SELECT 1, 6, at, 'report.viewed', 'report', 42, hash, hash FROM audit_log WHERE seq = 5",
     "entry #6 (id 6, report.viewed) was inserted: it is beyond the chain head"),
    ("UPDATE audit_log SET seq = seq + 100 WHERE seq = 4", "entry #4 is missing"),
    ("UPDATE audit_chain_heads SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)",
     "the chain head (#4) was edited by hand"),
])
async def test_every_kind_of_hand_edit_is_named(signed, sealer, clock, tamper, named):
    await record(signed, clock, 5)
    if "INTERVAL" in tamper and signed.engine.dialect.name == "sqlite":
        tamper = "UPDATE audit_log SET at = '2020-01-01 00:00:00.000000' WHERE seq = 2"
    await sql(signed, tamper)
    report = await check(signed, sealer)
    assert not report.ok
    assert named in report.problem


async def test_a_forged_entry_with_a_correct_hash_is_caught_by_its_signature(signed, sealer, clock):
    """Someone who knows the hash recipe but not the key appends a consistent entry and
    moves the head: the missing signatures give them away."""
    from bot.machinery.storage.audit_chain import entry_hash

    await record(signed, clock, 3)
    async with signed.transaction() as tx:
        last = (await tx.audit.entries())[-1]
    forged = entry_hash(1, 4, last.at, None, "report.viewed", "report", 7, last.hash)
    await sql(signed, "INSERT INTO audit_log (org_id, seq, at, action, subject_type, subject_id, prev_hash, hash) "
                      "SELECT 1, 4, at, 'report.viewed', 'report', 7, hash, :forged FROM audit_log WHERE seq = 3",
              forged=forged)
    await sql(signed, "UPDATE audit_chain_heads SET seq = 4, hash = :forged", forged=forged)
    report = await check(signed, sealer)
    assert not report.ok and "signature does not match" in report.problem and "head" in report.problem


async def test_a_wholesale_rewrite_without_the_key_is_caught_by_an_anchor(signed, sealer, clock):
    """Rewritten from scratch with fresh hashes (and no signatures to check): the chain is
    self-consistent, but the anchor taken before no longer matches."""
    from bot.machinery.storage.audit_chain import entry_hash

    await record(signed, clock, 3)
    anchor = (await check(signed, sealer)).anchor()
    async with signed.transaction() as tx:
        entries = await tx.audit.entries()
    prev = "0" * 64
    for entry in entries:
        new = entry_hash(1, entry.seq, entry.at, None, "report.viewed", "report", 1000 + entry.seq, prev)
        await sql(signed, "UPDATE audit_log SET subject_id = :sid, prev_hash = :p, hash = :h, mac = NULL "
                          "WHERE seq = :seq", sid=1000 + entry.seq, p=prev, h=new, seq=entry.seq)
        prev = new
    await sql(signed, "UPDATE audit_chain_heads SET hash = :h, mac = NULL", h=prev)
    async with signed.transaction() as tx:
        without_key = await verify(tx, None, [anchor])
    assert not without_key.ok and "the anchor #3" in without_key.problem and "rewritten" in without_key.problem
    async with signed.transaction() as tx:
        assert (await verify(tx, None)).ok  # self-consistent: only the anchor (or the key) can tell


async def test_anchors_read_from_a_file_or_the_log(signed, sealer, clock):
    await record(signed, clock, 2)
    report = await check(signed, sealer)
    log_text = ("2026-01-05 09:00:00 INFO boundary.audit.anchor: " + report.anchor(clock.now()).line() + "\n"
                "2026-01-05 09:00:01 INFO something else entirely\n")
    anchors, problems = read_anchors(log_text)
    assert problems == [] and anchors == [Anchor(1, 2, report.head_hash, anchors[0].at, 0)]
    assert (await check(signed, sealer, anchors)).anchors_checked == 1
    await record(signed, clock, 2)
    assert (await check(signed, sealer, anchors)).ok  # appending keeps old anchors true
    assert read_anchors("audit-anchor {oops}\n")[1] == ["line 1: not an anchor"]


async def test_instances_appending_at_once_keep_one_valid_chain(database_url, sealer, clock):
    """Two instances (two engines, two connection pools) each append many entries at the
    same time; on PostgreSQL the head row lock makes them take turns."""
    instances = [Database(database_url), Database(database_url)]
    for instance in instances:
        instance.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))

    async def append(instance, n):
        async with instance.transaction() as tx:
            for k in range(3):
                await tx.audit.record(clock.now() + timedelta(microseconds=n), None, "report.viewed", "report", n * 10 + k)

    try:
        await asyncio.gather(*(append(instances[n % 2], n) for n in range(40)))
        async with instances[0].transaction() as tx:
            report = await verify(tx, sealer.signer(SIGNING_PURPOSE))
            seqs = [e.seq for e in await tx.audit.entries()]
    finally:
        for instance in instances:
            await instance.dispose()
    assert report.ok, report.problem
    assert seqs == list(range(1, 121))


async def test_entries_signed_with_an_unknown_key_are_noted_not_broken(signed, sealer, clock):
    await record(signed, clock, 2)
    other = Sealer([generate_key().encode()])
    async with signed.transaction() as tx:
        report = await verify(tx, other.signer(SIGNING_PURPOSE))
    assert report.ok and any("not configured" in note for note in report.notes)


async def test_the_audit_log_holds_no_free_text_columns():
    names = {c.name for c in AuditEntry.__table__.columns}
    assert names == {"id", "org_id", "seq", "at", "actor_id", "action", "subject_type", "subject_id", "prev_hash",
                     "hash", "mac", "mac_key"}


async def test_entries_from_before_the_chain_join_it_unsigned_and_new_ones_are_signed(fresh_database_url, sealer, clock):
    """Upgrading a database that already has audit entries: they are chained (not signed: the
    migration has no key) and the head remembers how many; everything after is signed."""
    from bot.machinery.storage import migrate

    db = Database(fresh_database_url)
    try:
        await migrate.upgrade(db.engine, "0005")
        for n in range(3):
            await sql(db, "INSERT INTO audit_log (at, action, subject_type, subject_id) VALUES (:at, 'report.created', "
                          "'report', :n)", at=clock.advance(seconds=1), n=n)
        await migrate.upgrade(db.engine)
        assert (await check(db, sealer)).ok
        db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
        await record(db, clock, 2)
        report = await check(db, sealer)
        assert report.ok and report.entries == 5
        await sql(db, "UPDATE audit_chain_heads SET mac = NULL")  # hide a hand edit of the head
        assert "the chain head is not signed" in (await check(db, sealer)).problem
        await sql(db, "UPDATE audit_chain_heads SET legacy_seq = 5")  # ...and pass everything off as legacy
        assert (await check(db, sealer)).ok  # only something kept outside the database can tell now:
        caught = await check(db, sealer, [report.anchor()])  # an anchor (the server logs one hourly)
        assert not caught.ok and "edited to skip signature checks" in caught.problem
    finally:
        await db.dispose()
