"""Re-encrypting stored text after a key rotation, and re-signing the audit chain.

Every column named ``*_sealed`` in any table (reports, resolution notes, chaperone notes and
links, referral notes and reasons — and whatever a future feature seals) is found from the
models, so nothing sealed is missed. Work goes in batches, each its own transaction; a
value is rewritten only if it is still the value that was read, so text a running instance
changes meanwhile is never overwritten with an older copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Table, func, select, update

from bot.machinery.crypto import Sealer
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE, resign_batch
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import AuditChainHead, AuditEntry, Base

Progress = Callable[[int], None]


@dataclass(frozen=True)
class SealedColumn:
    table: Table
    key: Column
    column: Column

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def sealed_columns(metadata=Base.metadata) -> list[SealedColumn]:
    """Every sealed column of every table (import ``bot.features`` first, so that every
    feature's tables are on the metadata)."""
    found = []
    for table in metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        for column in table.columns:
            if column.name.endswith("_sealed") and len(keys) == 1:
                found.append(SealedColumn(table, keys[0], column))
    return found


async def census(db: Database) -> int:
    """How many stored values a rotation will look at (for a progress bar)."""
    total = 0
    async with db.transaction() as tx:
        for sealed in sealed_columns():
            total += await tx.session.scalar(
                select(func.count()).select_from(sealed.table).where(sealed.column.is_not(None))) or 0
        total += await tx.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return total


async def reencrypt(db: Database, sealer: Sealer, *, batch: int = 200, progress: Progress | None = None) -> int:
    """Encrypt every sealed value with the first key; returns how many were rewritten."""
    rewritten = 0
    for sealed in sealed_columns():
        last = None
        while True:
            async with db.transaction() as tx:
                query = select(sealed.key, sealed.column).where(sealed.column.is_not(None))
                if last is not None:
                    query = query.where(sealed.key > last)
                rows = (await tx.session.execute(query.order_by(sealed.key).limit(batch))).all()
                for row_key, token in rows:
                    fresh = sealer.rotate(token)
                    if fresh is None:
                        continue
                    result = await tx.session.execute(
                        update(sealed.table).where(sealed.key == row_key, sealed.column == token)
                        .values({sealed.column.name: fresh})
                    )
                    rewritten += result.rowcount or 0
            if progress:
                progress(len(rows))
            if len(rows) < batch:
                break
            last = rows[-1][0]
    return rewritten


async def resign_audit(db: Database, sealer: Sealer, *, batch: int = 500, progress: Progress | None = None) -> int:
    signer = sealer.signer(SIGNING_PURPOSE)
    after: int | None = 0
    changed = 0
    while after is not None:
        async with db.transaction() as tx:
            after, n, seen = await resign_batch(tx.session, signer, after, batch)
        changed += n
        if progress:
            progress(seen)
    return changed


async def outdated(db: Database, sealer: Sealer) -> dict[str, int]:
    """What still needs a key other than the first: sealed values by column, and audit
    entries signed with another key. Empty when the old keys can be retired."""
    found: dict[str, int] = {}
    signer = sealer.signer(SIGNING_PURPOSE)
    async with db.transaction() as tx:
        for sealed in sealed_columns():
            rows = await tx.session.stream_scalars(select(sealed.column).where(sealed.column.is_not(None)))
            async for token in rows:
                if not sealer.uses_first_key(token):
                    found[sealed.name] = found.get(sealed.name, 0) + 1
        entries = await tx.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.mac_key.is_not(None), AuditEntry.mac_key != signer.primary_id))
        if entries:
            found["audit_log signatures"] = entries
        heads = await tx.session.scalar(select(func.count()).select_from(AuditChainHead).where(
            AuditChainHead.mac_key.is_not(None), AuditChainHead.mac_key != signer.primary_id))
        if heads:
            found["audit chain head signature"] = heads
    return found
