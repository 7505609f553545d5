"""Retention: once a day (a durable timer, run by one instance) everything older than the
organisation's retention periods is deleted for real.

| kind | what goes | when |
|---|---|---|
| report narratives | what the clinician wrote, their client nickname, resolution notes (set to nothing, overwritten in place) | `report_narratives` after filing |
| report metadata | the report, its escalations (their notices in managers' chats updated to say so), its client fingerprint, count-only tallies of that month | `report_metadata` after filing |
| chaperone records | the request, its offers, timers and escalations (chat cards updated) | `chaperone_records` after the session and its last change |
| referral records | the referral, its offers, notes, timers and escalations (chat cards updated) | `referral_records` after its last change |
| notices | the bot's copies of chat messages it sent; finished timers | `notices` after sending |
| audit entries | the oldest entries (the chain's start moves, and is signed) | `audit_entries` after writing |

A report on legal hold, and the chaperone and referral records linked to it, are skipped.
Each removal is audited by id, without content. Big backlogs are worked through in batches.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select, update

from bot.features import chaperone, escalation, patterns, referral, report, support
from bot.features.governance.holds import held_ids
from bot.features.governance.wording import REMOVED
from bot.machinery import drafts
from bot.machinery.storage import report_changes
from bot.machinery.storage.audit_chain import lock_head, sign_head
from bot.machinery.storage.models import AuditEntry, Notification, Report, Timer
from bot.machinery.storage.repos import Tx
from bot.org.governance import Governance

log = logging.getLogger(__name__)

PURGE = "governance.purge"
BATCH = 200
AGAIN_AFTER = timedelta(minutes=1)


async def schedule_daily(tx: Tx, now: datetime) -> int:
    """Watchdog: make sure today's purge is scheduled (a no-op after the first call of a day)."""
    await tx.timers.schedule(f"retention:{now.date().isoformat()}", PURGE, "organisation", 1, now, now)
    return 0


async def run_purge(tx: Tx, timer, now: datetime) -> None:
    """Timer handler: one batch of each kind; if any kind had more, go again shortly."""
    removed = await purge(tx, now)
    if removed.get("more"):
        await tx.timers.schedule(f"retention:{now.isoformat()}:more", PURGE, "organisation", 1, now + AGAIN_AFTER, now)
    if any(v for k, v in removed.items() if k != "more"):
        log.info("retention removed %s", ", ".join(f"{k}: {v}" for k, v in sorted(removed.items()) if k != "more"))


async def purge(tx: Tx, now: datetime, batch: int = BATCH) -> Counter:
    """Remove up to ``batch`` records of each kind that are past retention; returns counts
    (and ``more`` when a kind has more waiting)."""
    org = await tx.org.get()
    periods = Governance.from_json(org.governance if org else None).retention
    done: Counter = Counter()
    await _reports(tx, now, now - periods.report_metadata, batch, done)
    await _narratives(tx, now, now - periods.report_narratives, batch, done)
    await _linked(tx, now, now - periods.chaperone_records, batch, done, "chaperone",
                  chaperone.expired_requests, chaperone.forget_request)
    await _linked(tx, now, now - periods.referral_records, batch, done, "referral",
                  referral.expired_referrals, referral.forget_referral)
    await _support(tx, now, now - periods.support_records, batch, done)
    zone = ZoneInfo(org.timezone) if org and org.timezone else ZoneInfo("UTC")
    done["tallies"] += await report.forget_tallies_before(tx, (now - periods.report_metadata).astimezone(zone).strftime("%Y-%m"))
    done["client marks"] += await patterns.forget_old(tx, now)
    done["form drafts"] += await drafts.forget_old(tx, now)
    await _notices(tx, now - periods.notices, done)
    await _audit(tx, now, now - periods.audit_entries, done)
    return done


async def _reports(tx: Tx, now: datetime, before: datetime, batch: int, done: Counter) -> None:
    found = (await tx.session.execute(
        select(Report.id, Report.created_at).where(Report.created_at < before, Report.id.not_in(held_ids()))
        .order_by(Report.id).limit(batch + 1)
    )).all()
    done["more"] += len(found) > batch
    for report_id, created_at in found[:batch]:
        await escalation.forget_for_report(tx, report_id, REMOVED, now)
        await report.forget_messages(tx, report_id, now, REMOVED)
        # Its day marked, so the dashboard recounts that day's period only, not every period.
        report_changes.mark(tx.session, created_at)
        await tx.session.execute(delete(Report).where(Report.id == report_id)
                                 .execution_options(**{report_changes.MARKED: True}))
        await tx.audit.record(now, None, "retention.report_removed", "report", report_id)
        done["reports"] += 1


async def _narratives(tx: Tx, now: datetime, before: datetime, batch: int, done: Counter) -> None:
    ids = (await tx.session.scalars(
        select(Report.id).where(
            Report.created_at < before, Report.id.not_in(held_ids()),
            or_(Report.details_sealed.is_not(None), Report.client_ref_sealed.is_not(None)),
        ).order_by(Report.id).limit(batch + 1)
    )).all()
    done["more"] += len(ids) > batch
    for report_id in ids[:batch]:
        await tx.session.execute(update(Report).where(Report.id == report_id)
                                 .values(details_sealed=None, client_ref_sealed=None))
        await escalation.forget_resolution_notes(tx, report_id)
        await tx.audit.record(now, None, "retention.narrative_removed", "report", report_id)
        done["narratives"] += 1


async def _linked(tx, now, before, batch, done, kind, find, forget) -> None:
    held = set((await tx.session.scalars(held_ids())).all())
    found = await find(tx, before, batch + 1 + len(held))
    due = [record_id for record_id, report_id in found if report_id not in held]
    done["more"] += len(due) > batch
    for record_id in due[:batch]:
        await forget(tx, record_id, REMOVED, now)
        await tx.audit.record(now, None, f"retention.{kind}_removed", kind, record_id)
        done[f"{kind} records"] += 1


async def _support(tx: Tx, now: datetime, before: datetime, batch: int, done: Counter) -> None:
    """Peer-support records go like the others, but are audited as one count per run, never
    one entry per request: who asked for support must not be traceable, even by id."""
    found = await support.expired_requests(tx, before, batch + 1)
    done["more"] += len(found) > batch
    for request_id, _ in found[:batch]:
        await support.forget_request(tx, request_id, REMOVED, now)
        done["support records"] += 1
    done["check-ins"] += await support.forget_check_ins(tx, before)
    if done["support records"]:
        await tx.audit.record(now, None, "retention.support_removed", "support_batch", done["support records"])


async def _notices(tx: Tx, before: datetime, done: Counter) -> None:
    # A message still waiting to replace an older one needs the older row (it holds the
    # platform's reference to the message): that row goes on a later day.
    awaited = select(Notification.updates_key).where(
        Notification.status == "pending", Notification.updates_key.is_not(None)).scalar_subquery()
    gone = await tx.session.execute(delete(Notification).where(
        Notification.created_at < before, Notification.status != "pending", Notification.key.not_in(awaited)))
    done["notices"] += gone.rowcount or 0
    timers = await tx.session.execute(delete(Timer).where(
        Timer.created_at < before, Timer.status.in_(("done", "cancelled", "failed"))))
    done["timers"] += timers.rowcount or 0


async def _audit(tx: Tx, now: datetime, before: datetime, done: Counter) -> None:
    last = await tx.session.scalar(select(func.max(AuditEntry.seq)).where(AuditEntry.at < before))
    if last is None:
        return
    head = await lock_head(tx.session)
    last = min(last, head.seq)
    if last < head.base_seq:
        return
    base_hash = await tx.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == last))
    gone = await tx.session.execute(delete(AuditEntry).where(AuditEntry.seq <= last))
    head.base_seq, head.base_hash = last + 1, base_hash
    sign_head(head, tx.audit.signer)
    await tx.audit.record(now, None, "retention.audit_trimmed", "audit_log", last)
    done["audit entries"] += gone.rowcount or 0
