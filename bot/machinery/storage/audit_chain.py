"""The audit log as a hash chain, per organisation.

Each entry's ``hash`` is SHA-256 over its content and the previous entry's hash; its ``mac``
is an HMAC of that hash with a key derived from the encryption key. The chain head (one row
per organisation) holds the last ``seq`` and ``hash`` and is signed the same way. So:

- an entry edited in the database no longer matches its hash;
- a deleted entry leaves a gap in ``seq`` and a broken link;
- an inserted entry has no valid signature (nobody without the key can make one), and an
  entry appended by hand beyond the head does not match the signed head.

Entries are appended when the transaction commits (:meth:`Audit.seal`), after everything
else the transaction did: the head row is locked ``FOR UPDATE`` only for that last moment,
so instances take turns without holding the lock through a workflow, and since it is always
the last lock taken it cannot be part of a deadlock. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.machinery.storage.models import AuditChainHead, AuditEntry
from bot.machinery.storage.sql import insert_ignoring_duplicates

if TYPE_CHECKING:
    from bot.machinery.crypto import Signer

ORG = 1  # the one organisation a deployment serves
GENESIS = "0" * 64
SIGNING_PURPOSE = b"boundary-bot audit chain v1"

# Ids and actions only: an action is a dotted lower-case name, a subject a lower-case word.
ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$")
SUBJECT = re.compile(r"^[a-z][a-z_]*$")


def moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(org_id: int, seq: int, at: datetime, actor_id: int | None, action: str, subject_type: str,
               subject_id: int | None, prev_hash: str) -> str:
    # Fields joined by "|": none can contain one (ids are numbers, names match ACTION and
    # SUBJECT, times are ISO strings); an absent id is empty, never "0".
    content = "|".join(("v1", str(org_id), str(seq), moment(at), _id(actor_id), action, subject_type,
                        _id(subject_id), prev_hash))
    return hashlib.sha256(content.encode()).hexdigest()


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


def hash_of(entry: AuditEntry) -> str:
    return entry_hash(entry.org_id, entry.seq, entry.at, entry.actor_id, entry.action, entry.subject_type,
                      entry.subject_id, entry.prev_hash)


def head_content(org_id: int, seq: int, hash_: str, base_seq: int, base_hash: str, legacy_seq: int) -> str:
    return f"head|v1|{org_id}|{seq}|{hash_}|{base_seq}|{base_hash}|{legacy_seq}"


def head_content_of(head: AuditChainHead) -> str:
    return head_content(head.org_id, head.seq, head.hash, head.base_seq, head.base_hash, head.legacy_seq)


async def lock_head(session: AsyncSession, org_id: int = ORG) -> AuditChainHead:
    """The chain head, created if missing, locked until the transaction ends.

    PostgreSQL: ``SELECT … FOR UPDATE`` (inserting the row first only the first time).
    SQLite has no row locks: the insert comes first because a write is what makes SQLite
    take its one writer's lock, so a second writer (another process) waits instead of
    reading a head that is about to change."""
    if session.get_bind().dialect.name == "postgresql":
        head = await session.scalar(
            select(AuditChainHead).where(AuditChainHead.org_id == org_id)
            .with_for_update().execution_options(populate_existing=True)
        )
        if head is not None:
            return head
    await session.execute(insert_ignoring_duplicates(
        session, AuditChainHead,
        {"org_id": org_id, "seq": 0, "hash": GENESIS, "base_seq": 1, "base_hash": GENESIS, "legacy_seq": 0},
        ["org_id"],
    ))
    return await session.scalar(
        select(AuditChainHead).where(AuditChainHead.org_id == org_id)
        .with_for_update().execution_options(populate_existing=True)
    )


def sign_head(head: AuditChainHead, signer: Signer | None) -> None:
    if signer is None:
        head.mac = head.mac_key = None
        return
    head.mac_key, head.mac = signer.sign(head_content_of(head))


class Audit:
    """The audit log of one transaction. ``record`` is cheap; the entries are chained and
    written when the transaction commits."""

    def __init__(self, session: AsyncSession, signer: Signer | None = None) -> None:
        self._s = session
        self._signer = signer
        self._pending: list[AuditEntry] = []

    async def record(
        self,
        at: datetime,
        actor_id: int | None,
        action: str,
        subject_type: str,
        subject_id: int | None,
    ) -> None:
        if not ACTION.match(action) or len(action) > 64 or not SUBJECT.match(subject_type) or len(subject_type) > 32:
            raise ValueError("audit entries hold ids and action names only")
        self._pending.append(AuditEntry(org_id=ORG, at=at, actor_id=actor_id, action=action,
                                        subject_type=subject_type, subject_id=subject_id))

    @property
    def signer(self) -> Signer | None:
        """The key this transaction signs entries with (also used to check them)."""
        return self._signer

    def mark(self) -> int:
        """Where the pending entries stand, to undo to after a failed savepoint."""
        return len(self._pending)

    def discard_from(self, mark: int) -> None:
        del self._pending[mark:]

    async def seal(self) -> None:
        """Chain and write this transaction's entries. Called just before commit."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        head = await lock_head(self._s)
        for entry in pending:
            entry.seq, entry.prev_hash = head.seq + 1, head.hash
            entry.hash = hash_of(entry)
            if self._signer is not None:
                entry.mac_key, entry.mac = self._signer.sign(entry.hash)
            head.seq, head.hash = entry.seq, entry.hash
        sign_head(head, self._signer)
        self._s.add_all(pending)
        await self._s.flush()

    async def entries(self, subject_type: str | None = None) -> Sequence[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.seq)
        if subject_type:
            query = query.where(AuditEntry.subject_type == subject_type)
        return (await self._s.scalars(query)).all()

    async def head(self, org_id: int = ORG) -> AuditChainHead | None:
        return await self._s.get(AuditChainHead, org_id)


async def resign_batch(session: AsyncSession, signer: Signer, after_id: int, batch: int) -> tuple[int | None, int, int]:
    """Sign up to ``batch`` entries after ``after_id`` with the signer's first key (after a
    key rotation, so the old key can be retired). Returns the last id seen (None when there
    are no more), how many were re-signed and how many were looked at. The head is
    re-signed with the last batch."""
    rows = (await session.execute(
        select(AuditEntry.id, AuditEntry.hash, AuditEntry.mac_key)
        .where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(batch)
    )).all()
    changed = 0
    for row_id, hash_, key_id in rows:
        if key_id is not None and key_id != signer.primary_id:
            new_key, mac = signer.sign(hash_)
            await session.execute(update(AuditEntry).where(AuditEntry.id == row_id).values(mac=mac, mac_key=new_key))
            changed += 1
    if len(rows) < batch:
        for head in (await session.scalars(select(AuditChainHead).with_for_update())).all():
            if head.mac_key is not None and head.mac_key != signer.primary_id:
                sign_head(head, signer)
        return None, changed, len(rows)
    return rows[-1][0], changed, len(rows)
