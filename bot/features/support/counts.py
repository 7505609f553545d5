"""The only figures about peer support that leave the feature: counts over a period, with
small numbers suppressed, for a dashboard, a console page or an export.

Anything from 1 to 4 reads "fewer than 5" (and has no value), so nobody can be singled out;
zero points at nobody and is shown. There is no breakdown by team, site or person: with
supporters and requests this few, any breakdown would point at someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.features.support.storage import CheckIn, SupportRequest
from bot.machinery.storage.repos import Tx

THRESHOLD = 5
FEWER_THAN_5 = "fewer than 5"


@dataclass(frozen=True)
class Count:
    count: int

    @property
    def shown(self) -> bool:
        return self.count == 0 or self.count >= THRESHOLD

    @property
    def value(self) -> int | None:
        """The number, or None when it is suppressed (for exports and charts)."""
        return self.count if self.shown else None

    @property
    def label(self) -> str:
        return str(self.count) if self.shown else FEWER_THAN_5

    def __repr__(self) -> str:  # never leak a small number through a log or a test failure
        return f"Count({self.label!r})"


@dataclass(frozen=True)
class SupportCounts:
    requested: Count
    taken_on: Count
    check_ins: Count

    def rows(self) -> list[tuple[str, str]]:
        return [("Peer support requested", self.requested.label),
                ("Conversations taken on by a supporter", self.taken_on.label),
                ("Check-ins set", self.check_ins.label)]


async def counts(tx: Tx, since: datetime, until: datetime) -> SupportCounts:
    """How many requests were made, taken on and check-ins set in ``[since, until)``,
    organisation-wide, each suppressed below 5."""
    async def number(query) -> int:
        return await tx.session.scalar(query) or 0

    in_range = (SupportRequest.created_at >= since, SupportRequest.created_at < until)
    requested = await number(select(func.count()).select_from(SupportRequest).where(*in_range))
    taken = await number(select(func.count()).select_from(SupportRequest)
                         .where(*in_range, SupportRequest.accepted_at.is_not(None)))
    check_ins = await number(select(func.count()).select_from(CheckIn)
                             .where(CheckIn.created_at >= since, CheckIn.created_at < until))
    return SupportCounts(Count(requested), Count(taken), Count(check_ins))
