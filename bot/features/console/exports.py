"""Exports as CSV or JSON, from the console and the command line: the dashboard's figures (as
suppressed as on the page), the audit log, and (admins only) report metadata — with the
narratives only when an admin gives a reason, which is kept sealed with the export record.

Every export is recorded (``console_exports``) and audited; every narrative included counts as
a read of that report and is audited as one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.content.taxonomy import Category, Setting
from bot.features.console import auditlog, dashboard
from bot.features.console import filters as dashboard_filters
from bot.features.console.access import Access
from bot.features.console.storage import ConsoleExport
from bot.machinery.crypto import Sealer
from bot.machinery.storage.models import Report
from bot.machinery.storage.repos import Tx

KINDS = ("dashboard", "audit", "reports")
FORMATS = ("csv", "json")
MAX_DAYS = 3 * 366


class ExportRefused(Exception):
    """Not allowed, or not understood; the message says which, for the person asking."""


@dataclass
class ExportRequest:
    kind: str
    fmt: str
    since: date
    until: date  # inclusive
    narratives: bool = False
    reason: str = ""
    via: str = "console"
    unit: str = "month"

    def check(self, access: Access) -> None:
        if self.kind not in KINDS:
            raise ExportRefused(f"Unknown export {self.kind!r}: choose one of {', '.join(KINDS)}.")
        if self.fmt not in FORMATS:
            raise ExportRefused("The format must be csv or json.")
        if not access.may_export(self.kind):
            raise ExportRefused("You may not export that.")
        if self.until < self.since:
            raise ExportRefused("The end date is before the start date.")
        if self.kind == "dashboard" and (self.until - self.since).days > MAX_DAYS:
            raise ExportRefused("Dashboard figures: at most three years at a time.")
        if self.narratives:
            if self.kind != "reports" or not access.is_admin:
                raise ExportRefused("Only an admin can include narratives, and only in a reports export.")
            if len(self.reason.strip()) < 10:
                raise ExportRefused("Say why you need the narratives (at least a few words): the reason is recorded.")

    @property
    def filename(self) -> str:
        return f"boundary-{self.kind}-{self.since.isoformat()}-to-{self.until.isoformat()}.{self.fmt}"


@dataclass
class Export:
    filename: str
    content_type: str
    body: str
    rows: int
    record_id: int


Progress = Callable[[int], None]


def _range(req: ExportRequest) -> tuple[datetime, datetime]:
    return (datetime.combine(req.since, time(), UTC),
            datetime.combine(req.until + timedelta(days=1), time(), UTC))


async def _dashboard_rows(tx: Tx, req: ExportRequest, access: Access) -> list[dict]:
    params = {"unit": req.unit, "from": req.since.isoformat(), "to": req.until.isoformat(), "team": "all"}
    chosen = dashboard_filters.parse(params, list(access.teams), req.until, is_admin=access.is_admin)
    board = await dashboard.build(tx, chosen)
    rows = []
    for name, table in board.reports.items():
        labels = dict(table.values)
        for period in table.periods:
            for value, _ in table.values:
                cell = table.cell(period, value)
                rows.append({"section": f"reports by {name}", "period": period, "item": labels[value],
                             "count": cell.value, "shown_as": cell.label})
    for outcome_name, table in (("chaperone requests", board.chaperone), ("referrals", board.referrals)):
        for value, label in table.values:
            cell = table.column_totals[value]
            rows.append({"section": outcome_name, "period": "whole range", "item": label, "count": cell.value,
                         "shown_as": cell.label})
    for figures in board.escalations:
        for what, timing in (("acknowledge", figures.acknowledge), ("resolve", figures.resolve)):
            rows.append({"section": f"escalations: minutes to {what}", "period": "whole range",
                         "item": figures.team, "count": figures.started.value,
                         "shown_as": f"median {timing.median}, p90 {timing.p90}" if timing.median is not None
                         else figures.started.label})
    for site, number in board.volunteers:
        rows.append({"section": "volunteers by site", "period": "now", "item": site, "count": number,
                     "shown_as": str(number)})
    return rows


async def _audit_rows(tx: Tx, req: ExportRequest, viewer_id: int, progress: Progress | None) -> list[dict]:
    rows = []
    query = auditlog.AuditQuery(since=req.since, until=req.until)
    async for row in auditlog.every(tx, query, viewer_id):
        rows.append({"id": row.id, "at": row.at.isoformat(), "actor": row.actor, "action": row.action,
                     "subject_type": row.subject_type, "subject_id": row.subject_id})
        if progress and len(rows) % 500 == 0:
            progress(500)
    if progress:
        progress(len(rows) % 500)
    return rows


async def _report_rows(tx: Tx, req: ExportRequest, sealer: Sealer, actor_id: int, now: datetime,
                       progress: Progress | None) -> list[dict]:
    start, end = _range(req)
    found = (await tx.session.scalars(
        select(Report).where(Report.created_at >= start, Report.created_at < end).order_by(Report.id)
    )).all()
    rows = []
    for report in found:
        row = {"report": f"R-{report.id}", "created_at": report.created_at.isoformat(),
               "category": Category(report.category).label, "step": report.step,
               "setting": Setting(report.setting).label, "occurrence": report.occurrence,
               "felt_unsafe": report.felt_unsafe, "status": report.status, "confidential": report.confidential}
        if req.narratives:
            row["narrative"] = sealer.open(report.details_sealed) or ""
            await tx.audit.record(now, actor_id, "report.exported", "report", report.id)
        rows.append(row)
        if progress and len(rows) % 500 == 0:
            progress(500)
    if progress:
        progress(len(rows) % 500)
    return rows


def _encode(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1, default=str)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value) -> str:
    """Spreadsheet-safe: a value starting like a formula is prefixed so it stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


async def size(tx: Tx, req: ExportRequest) -> int:
    """About how many rows an export will have (for a progress bar)."""
    if req.kind == "audit":
        return await auditlog.count(tx, auditlog.AuditQuery(since=req.since, until=req.until))
    if req.kind == "reports":
        from sqlalchemy import func

        start, end = _range(req)
        return await tx.session.scalar(
            select(func.count()).select_from(Report).where(Report.created_at >= start, Report.created_at < end)
        ) or 0
    return 0


async def run(tx: Tx, sealer: Sealer, access: Access, req: ExportRequest, now: datetime,
              progress: Progress | None = None) -> Export:
    """Check, gather, encode, record and audit one export."""
    req.check(access)
    actor = access.person.id
    if req.kind == "dashboard":
        rows = await _dashboard_rows(tx, req, access)
    elif req.kind == "audit":
        rows = await _audit_rows(tx, req, actor, progress)
    else:
        rows = await _report_rows(tx, req, sealer, actor, now, progress)
    start, end = _range(req)
    record = ConsoleExport(person_id=actor, kind=req.kind, file_format=req.fmt, date_from=start, date_to=end,
                           narratives=req.narratives, reason_sealed=sealer.seal(req.reason.strip() or None),
                           via=req.via, rows=len(rows), at=now)
    tx.session.add(record)
    await tx.session.flush()
    await tx.audit.record(now, actor, "console.exported", "export", record.id)
    content_type = "application/json" if req.fmt == "json" else "text/csv"
    return Export(req.filename, content_type, _encode(rows, req.fmt), len(rows), record.id)
