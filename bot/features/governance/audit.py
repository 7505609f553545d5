"""The audit chain on a schedule: checked every few minutes by one instance, the result kept
for ``/healthz``; and an anchor (the chain head) written to the log every hour, so a copy of
the chain's state lives outside the database.

The anchor goes to the ``boundary.audit.anchor`` logger as ``audit-anchor {"org": 1, "seq":
N, "hash": "…"}``; the server also appends it to ``BOUNDARY_AUDIT_ANCHOR_FILE`` when that is
set. ``boundary-bot audit verify --anchor FILE`` checks a file of such lines (or the logs).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.machinery.storage.audit_chain import ORG
from bot.machinery.storage.audit_verify import verify
from bot.machinery.storage.models import AuditChainCheck
from bot.machinery.storage.repos import Tx
from bot.machinery.storage.sql import insert_ignoring_duplicates

anchor_log = logging.getLogger("boundary.audit.anchor")
log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=5)
ANCHOR_EVERY = timedelta(hours=1)
# Entries verified per watchdog tick (about every 30 s): a long chain is walked a slice at a
# time, so no one transaction holds the database for long (SQLite has one writer).
SLICE = 2000


async def check_chain(tx: Tx, now: datetime) -> int:
    """Watchdog: verify the chain if nobody has for a while; anchor it once an hour.
    Returns 1 while the chain is broken."""
    await tx.session.execute(insert_ignoring_duplicates(
        tx.session, AuditChainCheck, {"org_id": ORG, "ok": True, "entries": 0}, ["org_id"]))
    state = await tx.session.scalar(
        select(AuditChainCheck).where(AuditChainCheck.org_id == ORG)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)
    )
    if state is None:
        return 0  # another instance is checking right now
    running = state.cursor_seq is not None
    if not running and state.checked_at is not None and now - state.checked_at < CHECK_EVERY:
        return 0 if state.ok else 1
    start = (state.cursor_seq, state.cursor_hash) if running else None
    report = await verify(tx, tx.audit.signer, start=start, limit=SLICE)
    if report.ok and not report.complete:
        state.cursor_seq, state.cursor_hash = report.last_seq, report.last_hash
        state.entries = (state.entries if running else 0) + report.entries
        return 0 if state.ok else 1
    if not report.ok and state.ok:
        log.error("the audit chain is broken: %s", report.problem)
    state.ok, state.problem = report.ok, report.problem[:300] if report.problem else None
    state.entries = (state.entries if running else 0) + report.entries
    state.checked_at, state.cursor_seq, state.cursor_hash = now, None, None
    if report.ok and (state.anchored_at is None or now - state.anchored_at >= ANCHOR_EVERY):
        anchor_log.info("%s", report.anchor(now).line())
        state.anchored_at = now
    return 0 if state.ok else 1


async def chain_broken(tx: Tx, now: datetime) -> int:
    """For /healthz: 1 when the last scheduled check found the chain broken."""
    state = await tx.session.get(AuditChainCheck, ORG)
    return 0 if state is None or state.ok else 1


async def last_check(tx: Tx) -> AuditChainCheck | None:
    return await tx.session.get(AuditChainCheck, ORG)
