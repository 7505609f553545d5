"""The pattern feature's tables: keyed fingerprints of client references, and the patterns
they form. A client reference itself is never stored anywhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime


class ClientMark(Base):
    """One named report's client reference, as an HMAC with the organisation's secret."""

    __tablename__ = "client_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    secret_id: Mapped[str] = mapped_column(String(16))  # which secret made it (rotation)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), unique=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ClientPattern(Base):
    """Reports about the same client (same fingerprint under the newest secret). The row is
    also the lock that makes two simultaneous reports raise one alert, not two or none."""

    __tablename__ = "client_patterns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    round: Mapped[int] = mapped_column(Integer, default=0)  # alerts raised so far
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
