"""Closure for the requester: when a chaperone request ends (nobody could come, or the
session was recorded) they are told plainly what happened and asked "Is this resolved for
you?".

[No, I still need someone] never ends there: it offers a colleague now (an urgent request
to everyone who can come) or a new request for another time, and is audited so the team can
see who was left without a second person.
"""

from __future__ import annotations

from datetime import datetime

from bot.features.chaperone.access import find_for_requester
from bot.features.chaperone.storage import ChaperoneRequest
from bot.features.chaperone.wording import NOT_FOUND, when_of, zone_of
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

CONFIRM = "chaperone.confirm"
STILL_NEED = "chaperone.still_need"
ENDED = ("unfilled", "done")


def _question(request: ChaperoneRequest) -> tuple[Button, ...]:
    value = str(request.id)
    return (Button("Yes", CONFIRM, value), Button("No, I still need someone", STILL_NEED, value))


def unfilled_card(request: ChaperoneRequest, zone: str) -> Card:
    """To the requester when the session starts and nobody accepted."""
    return Card(
        title="Nobody could chaperone your session",
        paragraphs=(f"No volunteer was free for your session on {when_of(request, zone)}.",
                    *(("If you feel unsafe now, call security or the emergency number.",) if request.urgent else ()),
                    "If it goes ahead, you could keep the door ajar, have a colleague nearby, or move it "
                    "to another time.",
                    "Is this resolved for you?"),
        buttons=_question(request),
    )


def recorded_card(request: ChaperoneRequest, chaperone: Person | None) -> Card:
    """To the requester once they recorded the session: what is kept, and the closing question."""
    if request.outcome == "observed" and chaperone is not None:
        first = (f"Recorded: {chaperone.display_name} was with you for the session. "
                 "The date, time and setting are kept for you, them and your team's managers.")
    else:
        first = "Recorded: the session did not happen."
    return Card(title="Session recorded", paragraphs=(first, "Is this resolved for you?"), buttons=_question(request))


async def tell_unfilled(tx: Tx, request: ChaperoneRequest, now: datetime) -> None:
    requester = await tx.people.get(request.requester_id)
    org = await tx.org.get()
    await notify(tx, f"chap:{request.id}:unfilled", requester.id, unfilled_card(request, zone_of(requester, org)), now)


async def _ended(turn: Turn, value: str) -> ChaperoneRequest | View:
    request = await find_for_requester(turn, value)
    if request is None:
        return NOT_FOUND
    if request.status not in ENDED:
        return Notice("Your chaperone request is still going, so there is nothing to answer yet. "
                      "Type status to see where it stands.")
    return request


async def confirm(turn: Turn, value: str) -> list[View]:
    request = await _ended(turn, value)
    if not isinstance(request, ChaperoneRequest):
        return [request]
    await turn.tx.audit.record(turn.clock.now(), turn.person.id, "chaperone.confirmed", "chaperone", request.id)
    return [Notice("Thank you for letting me know. Type chaperone whenever you need someone with you.")]


async def still_need(turn: Turn, value: str) -> list[View]:
    request = await _ended(turn, value)
    if not isinstance(request, ChaperoneRequest):
        return [request]
    await turn.tx.audit.record(turn.clock.now(), turn.person.id, "chaperone.still_needed", "chaperone", request.id)
    report = str(request.report_id) if request.report_id else "none"
    return [Card(
        title="Let's find you someone",
        paragraphs=("If you need someone with you now, I'll ask every volunteer who can come, at once.",
                    "If it can wait, ask again for another time.",
                    "If you feel unsafe, call security or the emergency number first."),
        buttons=(Button("Get a colleague with me now", "chaperone.now", report, ButtonStyle.PRIMARY),
                 Button("Ask for another time", "chaperone.for_report", report)),
    )]
