"""The console feature's tables: one-time sign-in links, signed-in sessions, and exports.

Secrets (link and session tokens) are never stored: only their SHA-256, so a copy of the
database cannot be used to sign in. An export's reason is free text, so it is sealed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.machinery.storage.models import Base, UTCDateTime
from bot.machinery.storage.repos import Tx


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ConsoleLink(Base):
    """A one-time sign-in link sent in chat: short-lived, single use, bound to one person."""

    __tablename__ = "console_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))  # where it was asked for
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleSession(Base):
    """A signed-in browser. Ends at ``expires_at``, after ``IDLE`` without use, or at sign-out."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # link | oidc | demo
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsoleExport(Base):
    """One export: what, which dates, and (for narratives) the reason given, sealed."""

    __tablename__ = "console_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # dashboard | audit | reports
    file_format: Mapped[str] = mapped_column(String(8))  # csv | json
    date_from: Mapped[datetime] = mapped_column(UTCDateTime)
    date_to: Mapped[datetime] = mapped_column(UTCDateTime)
    narratives: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    via: Mapped[str] = mapped_column(String(8))  # console | cli
    rows: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


async def add_link(tx: Tx, secret: str, person_id: int, platform: str, now: datetime, expires: datetime) -> None:
    tx.session.add(ConsoleLink(token_hash=digest(secret), person_id=person_id, platform=platform,
                               created_at=now, expires_at=expires))
    await tx.session.flush()


async def use_link(tx: Tx, secret: str, now: datetime) -> ConsoleLink | None:
    """Mark the link used, if it is unused and unexpired; None otherwise. One UPDATE with the
    conditions in it, so two browsers opening the same link at once cannot both win."""
    hashed = digest(secret)
    result = await tx.session.execute(
        update(ConsoleLink)
        .where(ConsoleLink.token_hash == hashed, ConsoleLink.used_at.is_(None), ConsoleLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return await tx.session.scalar(select(ConsoleLink).where(ConsoleLink.token_hash == hashed))


async def add_session(tx: Tx, secret: str, person_id: int, method: str, now: datetime, expires: datetime) -> None:
    tx.session.add(ConsoleSession(token_hash=digest(secret), person_id=person_id, method=method,
                                  created_at=now, last_seen_at=now, expires_at=expires))
    await tx.session.flush()


async def find_session(tx: Tx, secret: str) -> ConsoleSession | None:
    return await tx.session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == digest(secret)))


KEEP_ENDED = timedelta(days=1)


async def forget_old(tx: Tx, now: datetime) -> int:
    """Delete links and sessions that ended over a day ago (their sign-ins stay in the audit
    log). A watchdog: returns how many rows went."""
    gone = await tx.session.execute(delete(ConsoleLink).where(ConsoleLink.expires_at < now - KEEP_ENDED))
    ended = await tx.session.execute(delete(ConsoleSession).where(or_(
        ConsoleSession.expires_at < now - KEEP_ENDED, ConsoleSession.ended_at < now - KEEP_ENDED)))
    return (gone.rowcount or 0) + (ended.rowcount or 0)
