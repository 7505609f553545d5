"""Server-side drafts of half-filled forms: what a person typed survives a reload, a closed
modal or a dropped connection. Sealed like any free text; one draft per person and form;
kept for :data:`KEEP` at most, and removed when the form is sent.

The core's front door exposes :meth:`bot.app.BoundaryBot.save_draft` and
:meth:`~bot.app.BoundaryBot.draft` for adapters (the web chat saves as the person types);
features that show a form ask :func:`load` for its draft and :func:`discard` it on success.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from bot.machinery.crypto import Sealer
from bot.machinery.storage.models import FormDraft
from bot.machinery.storage.repos import Tx

KEEP = timedelta(days=3)
MAX_CHARS = 20_000  # a whole report form is far smaller; anything bigger is not a draft


async def save(tx: Tx, sealer: Sealer, person_id: int, form_id: str, values: dict[str, Any], now: datetime) -> bool:
    text = json.dumps({k: v for k, v in values.items() if not k.startswith("_")}, ensure_ascii=False)
    if len(text) > MAX_CHARS or len(form_id) > 64:
        return False
    draft = await tx.session.scalar(select(FormDraft).where(FormDraft.person_id == person_id,
                                                            FormDraft.form_id == form_id))
    if draft is None:
        tx.session.add(FormDraft(person_id=person_id, form_id=form_id, values_sealed=sealer.seal(text),
                                 updated_at=now))
    else:
        draft.values_sealed, draft.updated_at = sealer.seal(text), now
    await tx.session.flush()
    return True


async def load(tx: Tx, sealer: Sealer, person_id: int, form_id: str, now: datetime) -> dict[str, Any]:
    draft = await tx.session.scalar(select(FormDraft).where(FormDraft.person_id == person_id,
                                                            FormDraft.form_id == form_id))
    if draft is None or draft.updated_at < now - KEEP:
        return {}
    return json.loads(sealer.open(draft.values_sealed) or "{}")


async def discard(tx: Tx, person_id: int, form_id: str) -> None:
    await tx.session.execute(delete(FormDraft).where(FormDraft.person_id == person_id, FormDraft.form_id == form_id))


async def forget_old(tx: Tx, now: datetime) -> int:
    result = await tx.session.execute(delete(FormDraft).where(FormDraft.updated_at < now - KEEP))
    return result.rowcount or 0
