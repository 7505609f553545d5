"""Reading the audit log: filtered by person, action, subject and date, a page at a time.

Entries hold no free text (who, what, which record, when), so the view and its exports carry
none either. Opening the log is itself recorded by the caller. A confidential reporter is
shown as "a confidential reporter" in their own entries about the report and its
escalations, to every viewer chat would not name them to (the escalation feature decides:
``hidden_reporters``), and searching by their name does not find those entries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select, tuple_

from bot.features.escalation import hidden_reporters
from bot.machinery.storage.models import AuditEntry, Person
from bot.machinery.storage.repos import Tx

PAGE_SIZE = 50
MASKED = "a confidential reporter"


@dataclass
class AuditQuery:
    person: str = ""  # a person's key, or part of their name
    action: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> AuditQuery:
        def day(text):
            try:
                return date.fromisoformat(text) if text else None
            except ValueError:
                return None

        def number(text, default=None, low=1, high=10**9):
            try:
                value = int(str(text))
            except (TypeError, ValueError):
                return default
            return value if low <= value <= high else default

        return cls(
            person=str(params.get("person") or "").strip()[:100],
            action=str(params.get("action") or "").strip()[:64],
            subject_type=str(params.get("subject") or "").strip()[:32],
            subject_id=number(params.get("subject_id"), None, 0, 2**31 - 1),
            since=day(params.get("from")),
            until=day(params.get("to")),
            page=number(params.get("page"), 1, 1, 10**6),
        )

    def query(self, page: int | None = None) -> dict[str, str]:
        found = {"person": self.person, "action": self.action, "subject": self.subject_type,
                 "subject_id": "" if self.subject_id is None else str(self.subject_id),
                 "from": self.since.isoformat() if self.since else "",
                 "to": self.until.isoformat() if self.until else "", "page": str(page or self.page)}
        return {k: v for k, v in found.items() if v}


@dataclass
class Row:
    id: int
    at: datetime
    actor: str  # "Name (key)" or "the bot"
    action: str
    subject_type: str
    subject_id: int | None


@dataclass
class AuditPage:
    rows: list[Row]
    page: int
    has_next: bool
    unknown_person: bool = False


async def _where(tx: Tx, q: AuditQuery, hidden: set) -> tuple[list, bool]:
    conditions = []
    if q.person:
        needle = q.person.lower()
        ids = (await tx.session.scalars(
            select(Person.id).where(or_(Person.key == needle, func.lower(Person.display_name).contains(needle)))
            .limit(1000)
        )).all()
        if not ids:
            return [], True
        conditions.append(AuditEntry.actor_id.in_(ids))
        if hidden:  # a search by name must not find what the name is hidden on
            conditions.append(tuple_(AuditEntry.subject_type, AuditEntry.subject_id, AuditEntry.actor_id)
                              .not_in(sorted(hidden)))
    if q.action:
        conditions.append(AuditEntry.action == q.action)
    if q.subject_type:
        conditions.append(AuditEntry.subject_type == q.subject_type)
    if q.subject_id is not None:
        conditions.append(AuditEntry.subject_id == q.subject_id)
    if q.since:
        conditions.append(AuditEntry.at >= datetime.combine(q.since, time(), UTC))
    if q.until:
        conditions.append(AuditEntry.at < datetime.combine(q.until + timedelta(days=1), time(), UTC))
    return conditions, False


def _select(conditions):
    return (
        select(AuditEntry, Person.display_name, Person.key)
        .outerjoin(Person, Person.id == AuditEntry.actor_id)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
    )


def _row(entry: AuditEntry, name: str | None, key: str | None, hidden: set = frozenset()) -> Row:
    actor = f"{name} ({key})" if name else "the bot"
    if (entry.subject_type, entry.subject_id, entry.actor_id) in hidden:
        actor = MASKED
    return Row(entry.id, entry.at, actor, entry.action, entry.subject_type, entry.subject_id)


async def page(tx: Tx, q: AuditQuery, viewer_id: int) -> AuditPage:
    hidden = await hidden_reporters(tx, viewer_id)
    conditions, unknown = await _where(tx, q, hidden)
    if unknown:
        return AuditPage([], 1, False, unknown_person=True)
    found = (await tx.session.execute(
        _select(conditions).offset((q.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    )).all()
    rows = [_row(*r, hidden) for r in found[:PAGE_SIZE]]
    return AuditPage(rows, q.page, len(found) > PAGE_SIZE)


async def count(tx: Tx, q: AuditQuery) -> int:
    conditions, unknown = await _where(tx, q, set())
    if unknown:
        return 0
    return await tx.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0


async def every(tx: Tx, q: AuditQuery, viewer_id: int, batch: int = 2000) -> AsyncIterator[Row]:
    """Every matching entry, newest first, in batches (for exports of any size)."""
    hidden = await hidden_reporters(tx, viewer_id)
    conditions, unknown = await _where(tx, q, hidden)
    if unknown:
        return
    last_id = None
    while True:
        query = _select(conditions)
        if last_id is not None:
            query = query.where(AuditEntry.id < last_id)
        found = (await tx.session.execute(query.limit(batch))).all()
        for record in found:
            yield _row(*record, hidden)
        if len(found) < batch:
            return
        last_id = found[-1][0].id
