"""The core's front door: one event in, the views for that person out.

Each event runs in one transaction. The person is resolved from their platform identity;
then the verb, form or button is routed to its workflow module.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable

from bot.content.scripts import Library
from bot.features.chaperone import flow as chaperone
from bot.features.escalation import flow as escalation
from bot.features.help import flow as help
from bot.features.referral import flow as referral
from bot.features.report import flow as report
from bot.features.script import flow as script
from bot.features.status import flow as status
from bot.features.volunteer import flow as volunteer
from bot.machinery.clock import Clock
from bot.machinery.crypto import Sealer
from bot.machinery.scheduler import DEFAULT_HANDLERS, TimerHandler
from bot.machinery.storage.db import Database
from bot.port.events import ButtonPressed, Command, Event, FormSubmitted
from bot.port.views import Notice, View
from bot.turn import Turn

log = logging.getLogger(__name__)

Handler = Callable[[Turn, str], Awaitable[list[View]]]

COMMANDS: dict[str, Handler] = {
    "report": report.start,
    "script": script.lookup,
    "status": status.show,
    "help": help.show,
    "escalate": report.escalate_verb,
    "chaperone": chaperone.start,
    "volunteer": volunteer.start,
    "refer": referral.start,
}
ALIASES = {"?": "help", "reports": "status", "mine": "status", "file": "report"}
PLANNED: set[str] = set()

BUTTONS: dict[str, Handler] = {
    "report.tone": report.another_tone,
    "report.withdraw": report.withdraw,
    "report.ask_delete": report.ask_delete,
    "report.delete": report.delete,
    "report.escalate": report.escalate_button,
    "status.show": status.show,
    "escalation.ack": escalation.acknowledge,
    "escalation.resolve": escalation.ask_resolve,
    "escalation.view": escalation.view_details,
    "chaperone.for_report": chaperone.start_for_report,
    "chaperone.accept": chaperone.accept,
    "chaperone.decline": chaperone.decline,
    "chaperone.details": chaperone.details,
    "chaperone.cancel": chaperone.cancel,
    "chaperone.withdraw": chaperone.withdraw,
    "chaperone.record": chaperone.record,
    "volunteer.open": volunteer.start,
    "volunteer.toggle": volunteer.toggle,
    # Referrals
    "referral.start": referral.start,
    "referral.approve": referral.approve,
    "referral.return": referral.ask_return,
    "referral.accept": referral.accept,
    "referral.decline": referral.ask_decline,
    "referral.reroute": referral.ask_reroute,
    "referral.note": referral.view_note,
    "referral.told": referral.ask_told,
    "referral.tick": referral.tick,
}

# Referral forms: form id → handler(turn, values, state).
REFERRAL_FORMS = {
    referral.RETURN_FORM: referral.return_it,
    referral.DECLINE_FORM: referral.decline,
    referral.REROUTE_FORM: referral.reroute,
    referral.TOLD_FORM: referral.told,
}

UNKNOWN_PERSON = Notice(
    "I don't recognise you yet, so I can't keep anything for you. Please ask your Boundary Bot "
    "admin to add you to the organisation file."
)
FAILED = Notice("Sorry, something went wrong on my side and nothing was saved. Please try again.")
STALE_FORM = Notice("That form is no longer in use. Type help to see what you can do.")
STALE_BUTTON = Notice("That button no longer does anything. Type status to see where things stand.")


def parse_command(text: str) -> tuple[str, str]:
    """``"Report  now"`` → ``("report", "now")``. The verb is lower-cased, args kept as typed."""
    verb, _, args = text.strip().partition(" ")
    verb = verb.lower()
    return ALIASES.get(verb, verb), args.strip()


class BoundaryBot:
    def __init__(self, db: Database, sealer: Sealer, library: Library, clock: Clock) -> None:
        self.db = db
        self.sealer = sealer
        self.library = library
        self.clock = clock
        # Timer kind → handler. Workflows that schedule timers add theirs here.
        self.timer_handlers: dict[str, TimerHandler] = {
            **DEFAULT_HANDLERS, **escalation.TIMER_HANDLERS, **chaperone.TIMER_HANDLERS,
            **referral.TIMER_HANDLERS,
        }

    async def handle(self, event: Event) -> list[View]:
        try:
            async with self.db.transaction() as tx:
                if event.event_id and not await tx.inbound.first_time(self._event_key(event), self.clock.now()):
                    log.info("ignored a redelivered %s", type(event).__name__)
                    return []
                person = await tx.people.resolve(event.identity, self.clock.now())
                if person is None:
                    return [UNKNOWN_PERSON]
                turn = Turn(tx, person, await tx.org.get(), self.clock, self.sealer, self.library)
                return await self._route(turn, event)
        except Exception as exc:
            # The exception's type and stack, never its message: messages can quote what
            # people typed.
            log.error(
                "%s failed with %s\n%s",
                type(event).__name__,
                exc.__class__.__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            return [FAILED]

    @staticmethod
    def _event_key(event: Event) -> str:
        identity = event.identity
        return f"{identity.platform}:{identity.workspace}:{event.event_id}"[:255]

    async def _route(self, turn: Turn, event: Event) -> list[View]:
        match event:
            case Command(verb=verb, args=args):
                verb = verb.lower()
                verb = ALIASES.get(verb, verb)
                if not verb:
                    return await help.show(turn)
                if verb in COMMANDS:
                    return await COMMANDS[verb](turn, args)
                if verb in PLANNED:
                    return help.not_yet(verb)
                return help.unknown(verb)
            case FormSubmitted(form_id=report.FORM_ID):
                return await report.submit(turn, event)
            case FormSubmitted(form_id=escalation.RESOLVE_FORM, values=values, state=state):
                return await escalation.resolve(turn, values, state)
            case FormSubmitted(form_id=chaperone.FORM_ID, values=values):
                return await chaperone.submit(turn, values)
            case FormSubmitted(form_id=volunteer.FORM_ID, values=values):
                return await volunteer.submit(turn, values)
            case FormSubmitted(form_id=referral.FORM_ID, values=values):
                return await referral.submit(turn, values)
            case FormSubmitted(form_id=form_id, values=values, state=state) if form_id in REFERRAL_FORMS:
                return await REFERRAL_FORMS[form_id](turn, values, state)
            case FormSubmitted():
                return [STALE_FORM]
            case ButtonPressed(action=action, value=value) if action in BUTTONS:
                return await BUTTONS[action](turn, value)
            case ButtonPressed():
                return [STALE_BUTTON]
        raise TypeError(f"not an event: {type(event).__name__}")
