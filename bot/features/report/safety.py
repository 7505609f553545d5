"""The safety card: what a clinician gets when they say they are in danger.

In the order a frightened person needs it: the organisation's security or emergency number
(a call button where the platform can dial), who has been alerted and by when they must
answer, then two actions — [Get a colleague with me now] (an urgent chaperone request to
every volunteer who can come now) and [I'm safe now]. No tone buttons, no promises the
organisation has not made (its own words from the org file's ``contacts.safety_note``, if
it wrote any). A check-in timer runs: if the clinician has not said they are safe when it fires,
the managers who were alerted are told, and the clinician is asked again.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.content.regions import Region
from bot.features import escalation, support
from bot.machinery.links import message_link
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Report
from bot.machinery.storage.repos import Tx
from bot.org.contacts import contact_lines
from bot.org.hours import when
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

CHECK_IN = "report.check_in"
CHECK_IN_AFTER = timedelta(minutes=10)
SAFE = "report.safe"
COLLEAGUE_NOW = "chaperone.now"  # the chaperone feature's button (an urgent request, no form)


def security_line(contacts: dict[str, dict], region: Region | None) -> str:
    """"Security or emergency: Site security: 0161 496 0000" (or the plain default)."""
    return contact_lines(contacts, ["security"], region)[0]


def call_button(contacts: dict[str, dict]) -> Button | None:
    """A ``tel:`` link to the organisation's security number, for platforms that can dial."""
    phone = (contacts.get("security") or {}).get("phone")
    if not phone:
        return None
    # "0161 496 0000 ext. 12" dials the number; an internal "ext. 2222" alone dials 2222.
    number = re.sub(r"[^\d+]", "", re.sub(r"(?i)\s*(ext\.?|x)\s*\d+$", "", phone))
    digits = number or re.sub(r"[^\d+]", "", phone)
    return Button(f"Call {phone}", "report.call", url=f"tel:{digits}", style=ButtonStyle.DANGER)


def danger_first(contacts: dict[str, dict], region: Region | None, *, at_risk: bool = False) -> str:
    line = security_line(contacts, region).split(": ", 1)[1]
    also = " Say the person may be at risk, so someone stays with them." if at_risk else ""
    return f"If you are in danger now, get to safety and call {line}.{also}"


async def card(turn: Turn, report: Report, found, told: list[Person], zone: str | None) -> Card:
    """The answer to a report that says the clinician is, or was, in danger."""
    paragraphs = [danger_first(turn.contacts, turn.region, at_risk=bool(report.condition))]
    if found is None:
        paragraphs.append("I couldn't alert a manager for you: you're not in a team with one. "
                          "Please call security or tell your manager now.")
    else:
        names = " and ".join(p.display_name for p in told) or "your managers"
        line = f"I have alerted {names} now."
        if found.next_action_at is not None and found.status == "open":
            line += f" They are asked to answer by {when(found.next_action_at, zone)}"
            levels = await escalation.ladder(turn.tx, turn.person, turn.clock.now())
            line += f"; if nobody does, {levels[1][0][0].display_name} is told." if len(levels) > 1 else "."
        paragraphs.append(line)
        paragraphs.append(f"I'll check on you in {int(CHECK_IN_AFTER.total_seconds() // 60)} minutes: if you "
                          f"haven't pressed I'm safe now by then, I'll tell {names} again.")
    if note := turn.contacts.get("safety_note"):
        paragraphs.append(str(note))
    buttons = [b for b in (call_button(turn.contacts),) if b is not None]
    buttons += [Button("Get a colleague with me now", COLLEAGUE_NOW, str(report.id), ButtonStyle.PRIMARY),
                Button("I'm safe now", SAFE, str(report.id))]
    return Card(title="Your safety first", paragraphs=tuple(paragraphs), buttons=tuple(buttons))


async def start_check_in(tx: Tx, report: Report, now: datetime) -> None:
    await tx.timers.schedule(f"rep:{report.id}:check_in", CHECK_IN, "safety", report.id,
                             now + CHECK_IN_AFTER, now, payload={"report_id": report.id})


async def check_in(tx: Tx, timer, now: datetime) -> None:
    """Nobody pressed I'm safe now: tell the managers who were alerted, and ask again."""
    report = await tx.reports.get(timer.payload.get("report_id", timer.subject_id))
    if report is None or report.status != "open":
        return
    author = await tx.people.get(report.author_id)
    if author is None:
        return
    levels = await escalation.ladder(tx, author, now)
    first = author.display_name.removeprefix("Dr ").split(" ")[0]
    for person in (levels[0][0] if levels else []):
        reach = await message_link(tx, person.id, author)
        await notify(tx, f"rep:{report.id}:unanswered:{person.id}", person.id, Card(
            title="No answer to a safety check-in",
            paragraphs=(f"{author.display_name} said they were in danger and has not answered my check-in "
                        f"{int(CHECK_IN_AFTER.total_seconds() // 60)} minutes later. Please try to reach "
                        "them now, or send someone to them.",),
            buttons=(*((Button(f"Message {first}", "report.link", url=reach, style=ButtonStyle.PRIMARY),)
                       if reach else ()), Button("See the escalation", "status.show")),
        ), now)
    told = " and ".join(p.display_name for p in levels[0][0]) if levels else "your managers"
    org = await tx.org.get()
    contacts = dict(org.contacts or {}) if org else {}
    await notify(tx, f"rep:{report.id}:ask_again", author.id, Card(
        title="Are you safe?",
        paragraphs=(f"I haven't heard from you, so I've told {told}. "
                    + danger_first(contacts, None),),
        buttons=tuple(b for b in (call_button(contacts),
                                  Button("I'm safe now", SAFE, str(report.id), ButtonStyle.PRIMARY),
                                  Button("Get a colleague with me now", COLLEAGUE_NOW, str(report.id)))
                      if b is not None),
    ), now)


async def safe_now(turn: Turn, value: str) -> list[View]:
    """The clinician says they are safe: stop the check-in and tell whoever was alerted."""
    report = await turn.tx.reports.get(int(value)) if value.isdigit() else None
    if report is None or report.author_id != turn.person.id:
        return [Notice("I can't find that report among yours. Type status to see your reports.")]
    now = turn.clock.now()
    stopped = await turn.tx.timers.cancel_for("safety", report.id)
    await turn.tx.audit.record(now, turn.person.id, "report.safe", "report", report.id)
    levels = await escalation.ladder(turn.tx, turn.person, now)
    for person in (levels[0][0] if levels else []):
        await notify(turn.tx, f"rep:{report.id}:safe:{person.id}", person.id, Notice(
            f"{turn.person.display_name} says they are safe now (after the safety alert they raised)."), now)
    told = "I've told the managers who were alerted." if levels else ""
    return [Card(
        title="Glad you're safe",
        paragraphs=(f"Thank you for letting me know. {told}".strip()
                    + (" I won't check on you again." if stopped else ""),
                    "When you're ready, you can add more about what happened, or talk to a trained colleague."),
        buttons=(support.offer(report.id)[1],
                 Button("My reports", "status.show")),
    )]


async def link_opened(turn: Turn, value: str) -> list[View]:
    return []  # [Call …] is a tel: link: the platform dials and may still tell us it was pressed
