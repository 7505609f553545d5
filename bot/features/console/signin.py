"""Signing in to the console: one-time links sent in chat, sessions, and matching an OpenID
Connect sign-in to a person by email. The web adapter handles cookies and redirects; the
rules (lifetimes, single use, who may) live here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.features.console.access import Access, access_for
from bot.features.console.storage import add_link, add_session, find_session, use_link
from bot.features.console.wording import link_card, not_for_you
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.port.views import View
from bot.turn import Turn

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
IDLE = timedelta(minutes=60)
LINK_PATH = "/console/link"


async def console_verb(turn: Turn, args: str) -> list[View]:
    """``console``: a one-time sign-in link for the person the platform says is asking."""
    access = await access_for(turn.tx, turn.person)
    if not access.allowed:
        return [not_for_you()]
    now = turn.clock.now()
    secret = secrets.token_urlsafe(32)
    await add_link(turn.tx, secret, turn.person.id, turn.platform or "chat", now, now + LINK_LIFETIME)
    await turn.tx.audit.record(now, turn.person.id, "console.link_issued", "person", turn.person.id)
    url = f"{turn.public_url.rstrip('/')}{LINK_PATH}?t={secret}"
    return [link_card(url, LINK_LIFETIME)]


@dataclass(frozen=True)
class SignedIn:
    """A live session: who, what they may do, and the CSRF token for their forms."""

    person: Person
    access: Access
    csrf: str
    method: str


def csrf_for(session_secret: str) -> str:
    """The CSRF token of a session, derived from its secret (so nothing more is stored)."""
    return hmac.new(session_secret.encode(), b"console-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_secret: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_for(session_secret), str(given))


async def start_session(tx: Tx, person: Person, method: str, now: datetime) -> str | None:
    """A new session for someone allowed in; returns its secret (for the cookie)."""
    access = await access_for(tx, person)
    if not access.allowed:
        return None
    secret = secrets.token_urlsafe(32)
    await add_session(tx, secret, person.id, method, now, now + SESSION_LIFETIME)
    await tx.audit.record(now, person.id, "console.signed_in", "person", person.id)
    return secret


async def redeem_link(tx: Tx, secret: str, now: datetime) -> str | None:
    """Use a one-time link: a new session's secret, or None (unknown, used, expired, or the
    person may no longer use the console)."""
    if not secret or len(secret) > 200:
        return None
    link = await use_link(tx, secret, now)
    if link is None:
        return None
    person = await tx.people.get(link.person_id)
    if person is None or not person.active:
        return None
    return await start_session(tx, person, "link", now)


async def session_for(tx: Tx, secret: str | None, now: datetime) -> SignedIn | None:
    """The signed-in person for a session cookie, if the session is live and they are still
    allowed in. Each use moves the idle deadline on."""
    if not secret or len(secret) > 200:
        return None
    row = await find_session(tx, secret)
    if row is None or row.ended_at is not None or row.expires_at <= now or row.last_seen_at + IDLE <= now:
        return None
    person = await tx.people.get(row.person_id)
    if person is None or not person.active:
        return None
    access = await access_for(tx, person)
    if not access.allowed:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return SignedIn(person=person, access=access, csrf=csrf_for(secret), method=row.method)


async def end_session(tx: Tx, secret: str | None, now: datetime) -> None:
    if not secret:
        return
    row = await find_session(tx, secret)
    if row is not None and row.ended_at is None:
        row.ended_at = now
        await tx.audit.record(now, row.person_id, "console.signed_out", "person", row.person_id)


async def person_by_email(tx: Tx, email: str | None) -> Person | None:
    """The active person whose organisation-file email matches (case-insensitively)."""
    if not email or "@" not in email or len(email) > 320:
        return None
    return await tx.session.scalar(
        select(Person).where(func.lower(Person.email) == email.strip().lower(), Person.active.is_(True))
    )
