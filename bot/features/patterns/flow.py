"""Same-client pattern alerts.

A reporter may give a client reference (the organisation's own: initials and record number,
say). It is normalised (case, spaces and punctuation ignored) and turned into an HMAC with the
organisation's pattern secret; only that fingerprint is stored, with the report. When two or
more *different* clinicians have fingerprints of the same client within the organisation's
window, the managers of their teams are told once — not the reporters' names, not the
reference. The pattern row is locked while a fingerprint is added, so two reports arriving
at the same moment on two instances raise exactly one alert.

The secret rotates like the encryption key: every configured secret is tried when matching,
the newest is used for new fingerprints; an old secret can go once the window has passed.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select

from bot.features.patterns import wording
from bot.features.patterns.storage import ClientMark, ClientPattern
from bot.machinery.crypto import Signer
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Report, Team, TeamMember
from bot.machinery.storage.repos import Tx
from bot.machinery.storage.sql import insert_ignoring_duplicates
from bot.org.governance import Governance

PURPOSE = b"boundary-bot client reference v1"
MIN_LENGTH = 4


def normalise(reference: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", reference.upper())


def reference_problem(reference: str | None) -> str | None:
    if reference and len(normalise(reference)) < MIN_LENGTH:
        return wording.TOO_SHORT
    return None


async def window(tx: Tx):
    org = await tx.org.get()
    return Governance.from_json(org.governance if org else None).pattern_window


async def note_reference(tx: Tx, now: datetime, report: Report, reporter: Person, reference: str,
                         signer: Signer) -> bool:
    """Keep the reference's fingerprint with the report; tell managers if this makes a
    pattern. Returns True if managers were newly alerted."""
    fingerprints = signer.all(normalise(reference))
    secret_id, digest = fingerprints[0]
    span = await window(tx)
    await tx.session.execute(insert_ignoring_duplicates(
        tx.session, ClientPattern, {"digest": digest, "round": 0, "last_at": now}, ["digest"]))
    pattern = await tx.session.scalar(
        select(ClientPattern).where(ClientPattern.digest == digest)
        .with_for_update().execution_options(populate_existing=True)
    )
    team = await tx.people.home_team(reporter.id)
    tx.session.add(ClientMark(digest=digest, secret_id=secret_id, report_id=report.id, reporter_id=reporter.id,
                              team_id=team.id if team else None, created_at=now))
    pattern.last_at = now
    await tx.session.flush()
    marks = (await tx.session.scalars(select(ClientMark).where(
        ClientMark.digest.in_([d for _, d in fingerprints]), ClientMark.created_at >= now - span))).all()
    reporters = {m.reporter_id for m in marks}
    if len(reporters) < 2:
        return False
    fresh = pattern.alerted_at is None or pattern.alerted_at < now - span
    if fresh:
        pattern.round += 1
        pattern.alerted_at = now
        await tx.audit.record(now, None, "patterns.alerted", "client_pattern", pattern.id)
    await _tell_managers(tx, pattern, marks, reporters, span, now)
    return fresh


async def _tell_managers(tx: Tx, pattern: ClientPattern, marks, reporters: set[int], span, now: datetime) -> None:
    """Each manager of a team involved, once per alert round (the outbox key makes it once),
    never someone who is one of the reporters."""
    team_ids = sorted({m.team_id for m in marks if m.team_id is not None})
    if not team_ids:
        return
    teams = (await tx.session.scalars(select(Team).where(Team.id.in_(team_ids)).order_by(Team.name))).all()
    managers = (await tx.session.scalars(
        select(Person).join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id.in_(team_ids), TeamMember.role == "manager", Person.active.is_(True))
        .distinct().order_by(Person.id)
    )).all()
    card = wording.alert(len(reporters), [t.name for t in teams], span)
    for manager in managers:
        if manager.id not in reporters:
            await notify(tx, f"pattern:{pattern.id}:{pattern.round}:{manager.id}", manager.id, card, now)


async def forget_old(tx: Tx, now: datetime) -> int:
    """Fingerprints older than the window can no longer make a pattern: delete them, and the
    patterns nobody has added to since."""
    cutoff = now - await window(tx)
    gone = await tx.session.execute(delete(ClientMark).where(ClientMark.created_at < cutoff))
    await tx.session.execute(delete(ClientPattern).where(ClientPattern.last_at < cutoff))
    return gone.rowcount or 0


async def secrets_in_use(tx: Tx, now: datetime) -> dict[str, int]:
    """Secret id → fingerprints still inside the window (for retiring an old secret)."""
    cutoff = now - await window(tx)
    rows = (await tx.session.scalars(select(ClientMark.secret_id).where(ClientMark.created_at >= cutoff))).all()
    found: dict[str, int] = {}
    for secret_id in rows:
        found[secret_id] = found.get(secret_id, 0) + 1
    return found
