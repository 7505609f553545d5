"""Closure for the referrer: when the receiver closes a referral the referrer learns that the
handover is done, in words the receiver chose to share with them, and is asked "Is this
resolved for you?". A referral that ends declined or returned asks the same question, with who
[No, reopen] would tell: it tells the referrer's managers (an escalation) so that someone helps,
and the referrer can still choose someone else or start again.

The receiver's words are sealed and shown only in a private view (never posted in chat).
[No, reopen] opens the checklist again for both of them, tells the receiver, and tells the
referrer's managers (an escalation), so an outcome the referrer did not accept is never
quietly left closed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.content.identifiers import describe, find_identifier_kinds
from bot.features import escalation
from bot.features.referral.access import for_referrer
from bot.features.referral.storage import Referral
from bot.features.referral.wording import NOT_FOUND, checklist_card, reference, where_it_stands
from bot.machinery.closing import closing_card
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person
from bot.machinery.storage.repos import Tx
from bot.port.views import Button, ButtonStyle, Card, Dialog, Field, FieldKind, Form, Notice, View
from bot.turn import Turn

CLOSE_FORM = "referral.close"
READ = "referral.what_was_done"
CONFIRM = "referral.confirm"
REOPEN = "referral.reopen"
ENDED = ("closed", "declined", "returned")


def close_form(referral_id: int, values=None, errors=None) -> Form:
    """The receiver closing the referral: an optional note for the referrer."""
    return Form(
        form_id=CLOSE_FORM, title="Close this referral",
        intro="Closing says the client is settled with you. The referrer is told and asked whether it is "
              "resolved for them.",
        fields=(Field("for_referrer", "What to tell the referrer (optional)", FieldKind.LONG_TEXT, max_length=600,
                      help="They see exactly these words, in a private view. Leave out anything that "
                           "identifies the client."),),
        submit_label="Close the referral", state=str(referral_id), values=values or {}, errors=errors or {},
    )


def note_identifies(kinds) -> str:
    return f"This seems to contain {describe(kinds)}. Please leave out anything that identifies the client."


def check_note(values: dict) -> dict[str, str]:
    kinds = find_identifier_kinds(values.get("for_referrer"))
    return {"for_referrer": note_identifies(kinds)} if kinds else {}


def closed_card(referral: Referral, receiver: Person, has_note: bool) -> Card:
    return closing_card("Your referral is complete",
                        f"{receiver.display_name} has closed your referral {reference(referral)}: the handover is done.",
                        receiver.display_name, has_note, str(referral.id), read=READ, confirm=CONFIRM, reopen=REOPEN)


async def tell_referrer_closed(tx: Tx, referral: Referral, receiver: Person, now: datetime) -> None:
    await notify(tx, f"ref:{referral.id}:tick:closed:{referral.generation}", referral.referrer_id,
                 closed_card(referral, receiver, referral.referrer_note_sealed is not None), now)


async def with_question(tx: Tx, card: Card, referral: Referral, referrer: Person, now: datetime) -> Card:
    """A declined or returned referral's card, asking "Is this resolved for you?" and saying,
    before anyone is alerted, who [No, reopen] tells and when."""
    org = await tx.org.get()
    zone = referrer.timezone or (org.timezone if org else None)
    told = await escalation.who_and_when(tx, referrer, now, urgent=False, zone=zone)
    then = (f"If not, No, reopen tells {told}, so they can help." if told
            else "If not, please talk to your team lead: you are in no team with a manager I can tell.")
    value = str(referral.id)
    return replace(card, paragraphs=(*card.paragraphs, f"Is this resolved for you? {then}"),
                   buttons=(*card.buttons, Button("Yes", CONFIRM, value), Button("No, reopen", REOPEN, value)))


async def _closed(turn: Turn, value: str) -> Referral | View:
    referral = await for_referrer(turn, value)
    if referral is None:
        return NOT_FOUND
    if referral.status not in ENDED:
        return Notice(await where_it_stands(turn.tx, referral))
    return referral


async def read_note(turn: Turn, value: str) -> list[View]:
    referral = await for_referrer(turn, value)
    if referral is None:
        return [NOT_FOUND]
    receiver = await turn.tx.people.get(referral.accepted_by) if referral.accepted_by else None
    return [Dialog(title="What was done", paragraphs=(
        f"From {receiver.display_name if receiver else 'the colleague who took it'}:",
        turn.sealer.open(referral.referrer_note_sealed) or "They did not write anything more.",
        "Shown only here, never posted in chat."))]


async def confirm(turn: Turn, value: str) -> list[View]:
    referral = await _closed(turn, value)
    if not isinstance(referral, Referral):
        return [referral]
    await turn.tx.audit.record(turn.clock.now(), turn.person.id, "referral.confirmed", "referral", referral.id)
    if referral.status != "closed":
        return [Notice("Thank you for letting me know. The client stays in your care for now; type refer "
                       "whenever you want to try again, or status to see your referrals.")]
    return [Notice("Thank you for letting me know. Handing a client on was good practice. "
                   "Type refer whenever you need to do it again.")]


async def reopen(turn: Turn, value: str) -> list[View]:
    referral = await _closed(turn, value)
    if not isinstance(referral, Referral):
        return [referral]
    if referral.status != "closed":
        return await _get_help(turn, referral)
    now = turn.clock.now()
    referral.status, referral.closed_at, referral.closed_by, referral.updated_at = "accepted", None, None, now
    referral.generation += 1
    receiver = await turn.tx.people.get(referral.accepted_by)
    await notify(turn.tx, f"ref:{referral.id}:reopened:{referral.generation}", receiver.id, await checklist_card(
        turn.tx, referral, receiver,
        f"{turn.person.display_name} says the referral is not resolved for them"), now)
    _, told = await _tell_managers(turn, referral, now,
                                   f"closed by {receiver.display_name}, is not resolved for the referrer")
    managers = " and ".join(p.display_name for p in told)
    also = (f" {managers} {'has' if len(told) == 1 else 'have'} been told too, so they can help."
            if told else " You have no manager I can tell; please talk to your team lead.")
    return [Notice(f"I've reopened the referral. {receiver.display_name} has been told it is not resolved for "
                   f"you, and its checklist is open again.{also}")]


async def _tell_managers(turn: Turn, referral: Referral, now, what: str):
    """The referrer says it is not resolved: their managers are told (one escalation), and
    the reopening is audited. Returns the escalation (None: no manager to tell) and who was told."""
    found, told = await escalation.start_about(turn.tx, turn.clock, turn.person, "reopened", "referral", referral.id,
                                               f"Referral {reference(referral)}, {what}")
    if found is not None:
        referral.escalation_id = found.id
    await turn.tx.audit.record(now, turn.person.id, "referral.reopened", "referral", referral.id)
    return found, told


async def _get_help(turn: Turn, referral: Referral) -> list[View]:
    """A declined or returned referral that is not resolved for the referrer: their managers
    are told (as the question said), and the next step is still theirs to take."""
    now = turn.clock.now()
    ended = "declined" if referral.status == "declined" else "returned by a manager"
    found, told = await _tell_managers(turn, referral, now, f"{ended}, is not resolved for the referrer")
    value = str(referral.id)
    next_step = (Button("Choose someone else", "referral.reroute", value, ButtonStyle.PRIMARY)
                 if referral.status == "declined"
                 else Button("Start again", "referral.start", str(referral.report_id or ""), ButtonStyle.PRIMARY))
    if found is None:
        first = "You are in no team with a manager I can tell. Please talk to your team lead."
    elif told:
        names = " and ".join(p.display_name for p in told)
        first = f"I've told {names} that this is not resolved for you, so they can help. They will be in touch."
    else:
        first = "Your managers already know this is not resolved for you, and will be in touch."
    return [Card(title="Your managers will help", paragraphs=(
        first, "Meanwhile the client stays in your care. You can still choose what happens next."),
        buttons=(next_step,))]
