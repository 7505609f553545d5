"""Legal holds: an admin keeps a report (and the chaperone and referral records linked to it)
past its retention until the hold is released. Placing and releasing are audited. The
command line calls these now; the console can call the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.features.governance import wording
from bot.features.governance.storage import LegalHold
from bot.machinery.storage.models import Person, Report
from bot.machinery.storage.repos import Tx


class HoldRefused(Exception):
    """Why a hold could not be placed or released; the message is for the admin."""


@dataclass(frozen=True)
class Hold:
    report_id: int
    placed_by: str
    placed_at: datetime


def report_number(text: str) -> int:
    """``R-12``, ``r12`` or ``12`` → 12."""
    cleaned = text.strip().upper().removeprefix("R").lstrip("-").strip()
    if not cleaned.isdigit() or len(cleaned) > 12:
        raise HoldRefused(f"{text!r} is not a report number (like R-12)")
    return int(cleaned)


async def _check(tx: Tx, report_id: int, admin: Person) -> None:
    if not admin.is_admin or not admin.active:
        raise HoldRefused(wording.NOT_ADMIN)
    if await tx.session.get(Report, report_id) is None:
        raise HoldRefused(wording.NO_REPORT)


async def place(tx: Tx, report_id: int, admin: Person, now: datetime) -> str:
    await _check(tx, report_id, admin)
    if await tx.session.get(LegalHold, report_id) is not None:
        raise HoldRefused(wording.ALREADY_HELD)
    tx.session.add(LegalHold(report_id=report_id, placed_by=admin.id, placed_at=now))
    await tx.session.flush()
    await tx.audit.record(now, admin.id, "retention.hold_placed", "report", report_id)
    return wording.hold_placed(f"R-{report_id}")


async def release(tx: Tx, report_id: int, admin: Person, now: datetime) -> str:
    await _check(tx, report_id, admin)
    hold = await tx.session.get(LegalHold, report_id)
    if hold is None:
        raise HoldRefused(wording.NOT_HELD)
    await tx.session.delete(hold)
    await tx.session.flush()
    await tx.audit.record(now, admin.id, "retention.hold_released", "report", report_id)
    return wording.hold_released(f"R-{report_id}")


async def holds(tx: Tx) -> list[Hold]:
    rows = await tx.session.execute(
        select(LegalHold.report_id, Person.display_name, LegalHold.placed_at)
        .join(Person, Person.id == LegalHold.placed_by, isouter=True).order_by(LegalHold.report_id)
    )
    return [Hold(report_id, name or "unknown", at) for report_id, name, at in rows.all()]


def held_ids():
    """The reports on hold, as a subquery for retention's queries."""
    return select(LegalHold.report_id)
