"""A concern about a child reaches the named safeguarding lead.

When the organisation file links its safeguarding lead to a person (``contacts.
safeguarding_lead.person``), the advice card for a report about a child says exactly what a
press will do — who is told, that it is now, and what they will see (the reporter's name,
the kind of situation and when; never what was written) — and offers [Tell <lead> now].
Pressing it sends the lead a notice through the outbox (keyed ``rep:<id>:…``, so it is taken
back if the report goes) and gives the clinician a way to message them.
"""

from __future__ import annotations

from bot.content.taxonomy import Category
from bot.machinery.links import message_link
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Report
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

TELL = "report.safeguard"
CHILD = "child"


async def lead_of(turn: Turn) -> Person | None:
    key = (turn.contacts.get("safeguarding_lead") or {}).get("person")
    lead = await turn.tx.people.by_key(key) if key else None
    return lead if lead is not None and lead.active and lead.id != turn.person.id else None


async def offer(turn: Turn, report: Report) -> tuple[list[str], list[Button]]:
    """The consent preview and the button, for a report about a child (else nothing)."""
    if report.condition != CHILD or (lead := await lead_of(turn)) is None:
        return [], []
    preview = (f"If you press Tell {lead.display_name} now, I'll message them at once with your name, the "
               "kind of situation and when. Nothing you wrote is included; they may contact you.")
    return [preview], [Button(f"Tell {lead.display_name} now"[:75], TELL, str(report.id), ButtonStyle.PRIMARY)]


async def tell(turn: Turn, value: str) -> list[View]:
    report = await turn.tx.reports.get(int(value)) if value.isdigit() else None
    if report is None or report.author_id != turn.person.id:
        return [Notice("I can't find that report among yours. Type status to see your reports.")]
    lead = await lead_of(turn)
    if lead is None:
        return [Notice("Your organisation has not linked its safeguarding lead to anyone I can message. "
                       "Please use the contact details on the card.")]
    now = turn.clock.now()
    back = await message_link(turn.tx, lead.id, turn.person)
    first = turn.person.display_name.removeprefix("Dr ").split(" ")[0]
    sent = await notify(turn.tx, f"rep:{report.id}:safeguard:{lead.id}", lead.id, Card(
        title="A safeguarding concern about a child",
        paragraphs=(f"{turn.person.display_name} has raised a concern that may involve a child, and asked "
                    "me to tell you as the safeguarding lead. What they wrote is not included: please "
                    "contact them.",),
        facts=(("From", turn.person.display_name), ("What", Category(report.category).short),
               ("When", turn.local_time(report.created_at))),
        buttons=(Button(f"Message {first}", "report.link", url=back),) if back else (),
    ), now)
    if sent:
        await turn.tx.audit.record(now, turn.person.id, "report.safeguarding_told", "report", report.id)
    link = await message_link(turn.tx, turn.person.id, lead)
    lead_first = lead.display_name.removeprefix("Dr ").split(" ")[0]
    return [Card(
        title=f"{lead.display_name} has been told",
        paragraphs=(("I've sent them your name, the kind of situation and when. " if sent else
                     "They were already told about this report. ")
                    + "They may contact you; you can also reach them directly.",),
        buttons=(Button(f"Message {lead_first}", "report.link", url=link),) if link else (),
    )]
