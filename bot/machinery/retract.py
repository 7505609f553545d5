"""Taking back what the bot said about a record that is being deleted.

Every notification and timer about a record has a key starting with the record's prefix
(``esc:12:``, ``chap:4:``, ``ref:7:``). When the record goes:

- each message already in someone's chat, in its latest version, is updated in place to
  ``removed`` (through the outbox, so it is delivered after commit, with retries);
- messages not yet delivered are not delivered;
- the stored copy of every message is replaced by ``removed``, so the database keeps no
  trace of what it said (the rows themselves stay until the notices' retention, because the
  update above needs the platform's message reference);
- the record's timers are deleted, with whatever their payload held.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update

from bot.machinery.outbox import notify
from bot.machinery.storage.models import Notification, Timer
from bot.machinery.storage.repos import Tx
from bot.port import views


async def retract(tx: Tx, prefix: str, subject: tuple[str, int], removed: views.Notice | views.Card,
                  now: datetime) -> int:
    """Retract everything keyed ``prefix:…`` (e.g. ``esc:12``); returns how many chat
    messages will be updated."""
    pattern = f"{prefix}:%"
    rows = (await tx.session.scalars(
        select(Notification).where(Notification.key.like(pattern)).order_by(Notification.id)
    )).all()
    superseded = {r.updates_key for r in rows if r.updates_key and r.status == "sent"}
    told = 0
    for row in rows:
        latest = row.status == "sent" and row.key not in superseded
        if latest and await notify(tx, f"removed:{row.id}", row.recipient_id, removed, now, updates=row.key):
            told += 1
    await tx.session.execute(
        update(Notification).where(Notification.key.like(pattern), Notification.status == "pending")
        .values(status="skipped", last_error="the record was removed", lease_owner=None, lease_until=None)
    )
    await tx.session.execute(
        update(Notification).where(Notification.key.like(pattern)).values(view=views.dump(removed))
    )
    subject_type, subject_id = subject
    await tx.session.execute(delete(Timer).where(or_(
        Timer.key.like(pattern), (Timer.subject_type == subject_type) & (Timer.subject_id == subject_id),
    )))
    return told
