"""Closure for the reporter: when an escalation is resolved they learn what was done, in the
words the resolver chose to share with them, and are asked "Is this resolved for you?".

The resolver's words are sealed and shown only in a private view (never posted in chat, as
with any free text). [No, reopen] starts the escalation again from the first level, so the
reporter is never left with an outcome they did not accept.
"""

from __future__ import annotations

from datetime import datetime

from bot.features.escalation.storage import LIVE, Escalation, current_for_report
from bot.features.escalation.wording import subject_label
from bot.machinery.closing import closing_card
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.port.views import Card, Dialog, Notice, View
from bot.turn import Turn

READ = "escalation.told"
CONFIRM = "escalation.confirm"
REOPEN = "escalation.reopen"
NOT_YOURS = Notice("I can't find that among your escalations. Type status to see where things stand.")


def subject_of(escalation: Escalation) -> str:
    return (f"your report R-{escalation.report_id}" if escalation.report_id
            else subject_label(escalation))


def closed_card(escalation: Escalation, resolver: Person, has_note: bool) -> Card:
    return closing_card("Your escalation is resolved",
                        f"{resolver.display_name} has dealt with what you escalated ({subject_of(escalation)}).",
                        resolver.display_name, has_note, str(escalation.id), read=READ, confirm=CONFIRM, reopen=REOPEN)


async def tell_reporter_closed(tx: Tx, escalation: Escalation, resolver: Person, now: datetime) -> None:
    await notify(tx, f"esc:{escalation.id}:reporter:{escalation.generation}", escalation.reporter_id,
                 closed_card(escalation, resolver, escalation.reporter_note_sealed is not None), now)


async def own(turn: Turn, value: str) -> Escalation | None:
    escalation = await turn.tx.session.get(Escalation, int(value)) if value.isdigit() else None
    return escalation if escalation is not None and escalation.reporter_id == turn.person.id else None


async def unanswerable(turn: Turn, escalation: Escalation) -> Notice | None:
    """Why [Yes] / [No, reopen] cannot be answered now: it is still open (nothing was resolved
    yet), or the reporter already reopened it (an old card pressed again)."""
    if escalation.status in LIVE:
        return Notice("That escalation is still open with your managers. Type status to see where it stands.")
    if escalation.report_id and (await current_for_report(turn.tx, escalation.report_id)) not in (None, escalation):
        return Notice("You already reopened that escalation. Type status to see where it stands.")
    return None


async def read_note(turn: Turn, value: str) -> list[View]:
    escalation = await own(turn, value)
    if escalation is None:
        return [NOT_YOURS]
    note = turn.sealer.open(escalation.reporter_note_sealed)
    who = await turn.tx.people.get(escalation.resolved_by) if escalation.resolved_by else None
    return [Dialog(title="What was done", paragraphs=(
        f"From {who.display_name if who else 'the manager who resolved it'}:",
        note or "They did not write anything more.",
        "Shown only here, never posted in chat."))]


async def confirm(turn: Turn, value: str) -> list[View]:
    escalation = await own(turn, value)
    if escalation is None:
        return [NOT_YOURS]
    if refused := await unanswerable(turn, escalation):
        return [refused]
    await turn.tx.audit.record(turn.clock.now(), turn.person.id, "escalation.confirmed", "escalation", escalation.id)
    return [Notice("Thank you for letting me know. If anything changes, type report or escalate at any time.")]
