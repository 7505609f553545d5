"""Which days' reports changed: a counter per UTC day, moved on by every transaction that
adds, edits or removes a report, so a summary built from one day's reports (the console's
dashboard roll-ups) can tell, cheaply, that it no longer matches.

Found automatically, as :mod:`.orgcache` finds organisation changes: a new or deleted
``Report`` object, or one whose counted fields changed, marks its day (``before_flush``); a
bulk ``update``/``delete`` of the reports table, or plain SQL writing it, cannot say which
days it touched and marks every day at once (the ``"*"`` counter) — unless the code that runs
it marked the days itself (:func:`mark`, as retention does). Counters only grow, so a
sum over a period's days (plus ``"*"``) changes exactly when something in it changed.

The marks are written just before commit, in the same transaction, days in sorted order (one
lock order for every writer), before the audit chain's head (the last lock any transaction
takes).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import Integer, String, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import TextClause

from bot.machinery.storage.models import Base, Report

EVERY_DAY = "*"
DAYS = "boundary.report_days"  # session.info: the days this transaction changed
# Execution option for a bulk statement whose days were marked with :func:`mark` beforehand
# (retention removing reports one by one knows each one's date).
MARKED = "boundary_report_days_marked"
# The fields a summary of reports counts by; a change to anything else (sealed text, status)
# leaves every summary as it was.
COUNTED = frozenset({"author_id", "category", "step", "setting", "created_at"})
_WRITES = re.compile(r'\s*(?:update|insert\s+into|delete\s+from)\s+"?reports"?\b', re.IGNORECASE)


class ReportChange(Base):
    __tablename__ = "report_changes"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # "2026-01-05" (UTC), or "*"
    generation: Mapped[int] = mapped_column(Integer, default=0)


def day_of(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date().isoformat()


def _mark(session: Session, day: str) -> None:
    session.info.setdefault(DAYS, set()).add(day)


def _counted_days(report: Report) -> set[str]:
    """The report's day now and, if its date was changed, the day it had."""
    history = inspect(report).attrs.created_at.history
    return {day_of(at) for at in (*history.added, *history.unchanged, *history.deleted) if at is not None}


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    for report in session.new:
        if isinstance(report, Report):
            for day in _counted_days(report) or {EVERY_DAY}:
                _mark(session, day)
    for report in session.deleted:
        if isinstance(report, Report):
            for day in _counted_days(report) or {EVERY_DAY}:
                _mark(session, day)
    for report in session.dirty:
        if isinstance(report, Report) and session.is_modified(report):
            state = inspect(report)
            if any(state.attrs[name].history.has_changes() for name in COUNTED):
                for day in _counted_days(report) or {EVERY_DAY}:
                    _mark(session, day)


def mark(session: AsyncSession, at: datetime) -> None:
    """Say that this transaction changes the reports of ``at``'s day (before a bulk statement
    run with ``execution_options(**{MARKED: True})``)."""
    _mark(session.sync_session, day_of(at))


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    if state.is_select or state.execution_options.get(MARKED):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        if _WRITES.match(statement.text):
            _mark(state.session, EVERY_DAY)
        return
    if getattr(getattr(statement, "table", None), "name", None) != "reports":
        return
    if state.is_update:
        written = {getattr(c, "key", str(c)) for c in getattr(statement, "_values", None) or {}}
        if written and not written & COUNTED:
            return  # e.g. retention removing sealed narratives: no count changes
    _mark(state.session, EVERY_DAY)


async def record_if_changed(session: AsyncSession) -> None:
    """Called just before commit, after the flush: move on the counter of every day this
    transaction changed."""
    days = session.info.pop(DAYS, None)
    if not days:
        return
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    table = ReportChange.__table__
    for day in sorted(days):
        await session.execute(dialect.insert(table).values(day=day, generation=1).on_conflict_do_update(
            index_elements=["day"], set_={"generation": table.c.generation + 1}))


async def generations(session: AsyncSession, first: date, end: date) -> dict[str, int]:
    """Each changed day's counter from ``first`` up to (not including) ``end``, and ``"*"``."""
    rows = await session.execute(select(ReportChange.day, ReportChange.generation).where(
        (ReportChange.day == EVERY_DAY)
        | ((ReportChange.day >= first.isoformat()) & (ReportChange.day < end.isoformat()))))
    return dict(rows.all())
