"""The governance feature's table: legal holds on reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime


class LegalHold(Base):
    """A report an admin has put on legal hold: retention leaves it alone until released.
    (The reporter's own delete still works: the product promises them that.)"""

    __tablename__ = "legal_holds"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    placed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
