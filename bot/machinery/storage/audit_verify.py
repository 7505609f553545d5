"""Checking the audit chain, and the anchors that prove it was not rewritten wholesale.

``verify`` walks an organisation's entries in ``seq`` order and names the *first* problem:

| what was done by hand | what ``verify`` says |
|---|---|
| an entry's content edited | entry #k was edited (its content no longer matches its hash) |
| an entry deleted | entry #k is missing (deleted) |
| an entry inserted | entry #k was inserted (no valid signature, or beyond the head) |
| the tail cut off or extended, the head edited | the chain head does not match … |
| everything rewritten with fresh hashes | an anchor no longer matches (and, without the key, signatures) |

An anchor is ``{"org": 1, "seq": N, "hash": "…"}``: the head at some moment, written out of
the database (to the log, or a file the admin keeps). Entries are only ever appended, so the
entry at ``seq`` N must still have that hash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from bot.machinery.storage.audit_chain import (
    GENESIS,
    ORG,
    hash_of,
    head_content_of,
)
from bot.machinery.storage.models import AuditChainHead, AuditEntry

if TYPE_CHECKING:
    from bot.machinery.crypto import Signer
    from bot.machinery.storage.repos import Tx

BATCH = 5000
ANCHOR_PREFIX = "audit-anchor "


@dataclass(frozen=True)
class Anchor:
    """The head at a moment. ``legacy`` is how many entries predate signing (from the
    upgrade): kept outside the database, it stops anyone passing signed entries off as
    unsigned ones later."""

    org: int
    seq: int
    hash: str
    at: str | None = None
    legacy: int | None = None

    def line(self) -> str:
        data = {"org": self.org, "seq": self.seq, "hash": self.hash}
        if self.legacy is not None:
            data["legacy"] = self.legacy
        if self.at:
            data["at"] = self.at
        return ANCHOR_PREFIX + json.dumps(data, separators=(", ", ": "))


@dataclass
class ChainReport:
    ok: bool
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    legacy_seq: int = 0
    problem: str | None = None
    complete: bool = True  # False: stopped at ``limit`` before the head; resume from ``last_*``
    last_seq: int = 0
    last_hash: str = GENESIS
    anchors_checked: int = 0
    notes: list[str] = field(default_factory=list)

    def anchor(self, at: datetime | None = None, org: int = ORG) -> Anchor:
        return Anchor(org, self.head_seq, self.head_hash, at.isoformat(timespec="seconds") if at else None,
                      self.legacy_seq)


class _Broken(Exception):
    pass


def _label(entry: AuditEntry) -> str:
    return f"entry #{entry.seq} (id {entry.id}, {entry.action})"


async def verify(tx: Tx, signer: Signer | None = None, anchors: list[Anchor] = (), org_id: int = ORG, *,
                 start: tuple[int, str] | None = None, limit: int | None = None) -> ChainReport:
    """Walk the chain; with ``signer`` also check signatures (an entry signed by a key the
    signer doesn't know is reported as a note, not a break, so a retired key's entries can
    still be walked — but an unsigned entry after the unsigned legacy ones is a break).

    ``start`` (a ``(seq, hash)`` already verified) and ``limit`` walk a long chain a slice at
    a time, in short transactions: the report says whether it reached the head."""
    s = tx.session
    head = await s.get(AuditChainHead, org_id)
    count = await s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.org_id == org_id)) or 0
    report = ChainReport(ok=True)
    try:
        if head is None:
            if count:
                raise _Broken(f"{count} audit entries exist but the chain head is missing (deleted by hand)")
            return report
        report.head_seq, report.head_hash, report.legacy_seq = head.seq, head.hash, head.legacy_seq
        _check_head_signature(head, signer, report)
        report.entries = await _walk(tx, head, signer, report, org_id, start, limit)
        if not report.complete:
            return report
        stray = await s.scalar(select(AuditEntry).where(
            AuditEntry.org_id == org_id, or_(AuditEntry.seq > head.seq, AuditEntry.seq < head.base_seq)
        ).order_by(AuditEntry.seq).limit(1))
        if stray is not None:
            where = "beyond the chain head" if stray.seq > head.seq else "before the start of the kept chain"
            raise _Broken(f"{_label(stray)} was inserted: it is {where}")
        for anchor in anchors:
            await _check_anchor(tx, head, anchor, report)
    except _Broken as broken:
        report.ok, report.problem = False, str(broken)
    return report


def _check_head_signature(head: AuditChainHead, signer: Signer | None, report: ChainReport) -> None:
    if signer is None:
        return
    if head.mac is None:
        if head.seq != head.legacy_seq:
            raise _Broken("the chain head is not signed: it was edited by hand")
        return
    verdict = signer.check(head.mac_key, head_content_of(head), head.mac)
    if verdict is False:
        raise _Broken(f"the chain head (#{head.seq}) was edited by hand: its signature does not match")
    if verdict is None:
        report.notes.append(f"the chain head is signed with key {head.mac_key}, which is not configured")


async def _walk(tx: Tx, head: AuditChainHead, signer: Signer | None, report: ChainReport, org_id: int,
                start: tuple[int, str] | None, limit: int | None) -> int:
    expected_seq, expected_prev = head.base_seq, head.base_hash
    if start is not None and head.base_seq - 1 <= start[0] <= head.seq:
        expected_seq, expected_prev = start[0] + 1, start[1]
    end = head.seq if limit is None else min(head.seq, expected_seq + limit - 1)
    seen = 0
    previous: AuditEntry | None = None
    unknown_keys: set[str] = set()
    columns = [AuditEntry.__table__.c[name] for name in (
        "id", "org_id", "seq", "at", "actor_id", "action", "subject_type", "subject_id", "prev_hash", "hash", "mac",
        "mac_key")]
    while expected_seq <= end:
        # Plain rows, not ORM objects: a long chain is walked several times faster.
        rows = (await tx.session.execute(
            select(*columns).where(AuditEntry.org_id == org_id, AuditEntry.seq >= expected_seq,
                                   AuditEntry.seq <= end)
            .order_by(AuditEntry.seq).limit(BATCH)
        )).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                raise _Broken(f"entry #{expected_seq} is missing: it was deleted"
                              + (f" (the entry before it is {_label(previous)})" if previous else ""))
            recomputed = hash_of(entry)
            if recomputed != entry.hash:
                nxt = await _following_prev(tx, head, entry, org_id)
                if nxt == entry.hash:
                    raise _Broken(f"{_label(entry)} was edited: its content no longer matches its hash")
                raise _Broken(f"{_label(entry)} was inserted or rewritten: its hash is not the one the chain "
                              "continues from")
            if entry.prev_hash != expected_prev:
                if previous is None:
                    raise _Broken(f"{_label(entry)} does not start the chain where it should: entries before it "
                                  "were deleted or inserted")
                raise _Broken(f"{_label(entry)} does not follow {_label(previous)}: an entry between them was "
                              "deleted, or one of them was inserted")
            if signer is not None and entry.seq > head.legacy_seq:
                verdict = signer.check(entry.mac_key, entry.hash, entry.mac)
                if entry.mac is None or verdict is False:
                    raise _Broken(f"{_label(entry)} was inserted or edited by hand: its signature "
                                  f"{'is missing' if entry.mac is None else 'does not match'}")
                if verdict is None:
                    unknown_keys.add(entry.mac_key)
            previous, expected_prev, expected_seq = entry, entry.hash, entry.seq + 1
            seen += 1
    report.last_seq, report.last_hash = expected_seq - 1, expected_prev
    if expected_seq <= end:  # the rows ran out early: the next ones were deleted
        later = await tx.session.scalar(select(func.min(AuditEntry.seq)).where(
            AuditEntry.org_id == org_id, AuditEntry.seq > expected_seq, AuditEntry.seq <= head.seq))
        last_missing = (later - 1) if later is not None else head.seq
        missing = f"entry #{expected_seq} is" if last_missing == expected_seq else \
            f"entries #{expected_seq} to #{last_missing} are"
        raise _Broken(f"{missing} missing: deleted (the chain head says #{head.seq})")
    if end < head.seq:
        report.complete = False
        return seen
    if expected_prev != head.hash:
        raise _Broken(f"the chain head does not match entry #{head.seq}: the head or the last entry was edited")
    for key in sorted(unknown_keys):
        report.notes.append(f"some entries are signed with key {key}, which is not configured (a retired key?)")
    return seen


async def _following_prev(tx: Tx, head: AuditChainHead, entry: AuditEntry, org_id: int) -> str | None:
    """The hash the chain continues from after ``entry``: the next entry's prev_hash, or the
    head's hash if it is the last."""
    if entry.seq == head.seq:
        return head.hash
    return await tx.session.scalar(select(AuditEntry.prev_hash).where(
        AuditEntry.org_id == org_id, AuditEntry.seq == entry.seq + 1))


async def _check_anchor(tx: Tx, head: AuditChainHead, anchor: Anchor, report: ChainReport) -> None:
    if anchor.org != head.org_id:
        return
    report.anchors_checked += 1
    label = f"the anchor #{anchor.seq}{f' of {anchor.at}' if anchor.at else ''}"
    if anchor.legacy is not None and anchor.legacy != head.legacy_seq:
        raise _Broken(f"the chain head says {head.legacy_seq} entries predate signing, but {label} says "
                      f"{anchor.legacy}: the head was edited to skip signature checks")
    if anchor.seq > head.seq:
        raise _Broken(f"{label} is beyond the chain head (#{head.seq}): entries were deleted or the chain was "
                      "rewritten")
    if anchor.seq == head.base_seq - 1:
        if anchor.hash != head.base_hash:
            raise _Broken(f"{label} does not match the chain: it was rewritten")
        return
    if anchor.seq < head.base_seq:
        report.anchors_checked -= 1
        report.notes.append(f"{label} is older than the kept chain (entries up to #{head.base_seq - 1} were "
                            "purged by retention), so it cannot be checked")
        return
    found = await tx.session.scalar(select(AuditEntry.hash).where(
        AuditEntry.org_id == anchor.org, AuditEntry.seq == anchor.seq))
    if found != anchor.hash:
        raise _Broken(f"{label} does not match entry #{anchor.seq}: the chain was rewritten")


ANCHOR_JSON = re.compile(r"\{.*\}")


def read_anchors(text: str) -> tuple[list[Anchor], list[str]]:
    """Anchors from a file the admin kept or from log lines (anything with
    ``audit-anchor {…}``, or a bare JSON object per line). Returns anchors and problems."""
    anchors, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if ANCHOR_PREFIX.strip() not in stripped and not stripped.startswith("{"):
            continue  # another log line
        match = ANCHOR_JSON.search(stripped)
        try:
            data = json.loads(match.group(0)) if match else None
            legacy = data.get("legacy")
            anchors.append(Anchor(int(data.get("org", ORG)), int(data["seq"]), str(data["hash"]), data.get("at"),
                                  int(legacy) if legacy is not None else None))
        except (ValueError, TypeError, KeyError, AttributeError):
            problems.append(f"line {number}: not an anchor")
    return anchors, problems
