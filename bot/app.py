"""The core's front door: one event in, the views for that person out.

Each event runs in one transaction. The person is resolved from their platform identity;
then the verb, form or button is looked up in the registry of features and handed to the
feature that declared it. Nothing here knows any feature by name.
"""

from __future__ import annotations

import logging
import traceback

from bot.content.scripts import Library
from bot.feature import Registry
from bot.features import registry as default_registry
from bot.machinery.clock import Clock
from bot.machinery.crypto import Sealer
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
from bot.machinery.storage.db import Database
from bot.port.events import ButtonPressed, Command, Event, FormSubmitted
from bot.port.views import Notice, View
from bot.turn import Turn

log = logging.getLogger(__name__)

PATTERN_PURPOSE = b"boundary-bot client reference v1"  # bot.features.patterns.PURPOSE (tested equal)

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
    return verb.lower(), args.strip()


class BoundaryBot:
    def __init__(
        self, db: Database, sealer: Sealer, library: Library, clock: Clock, features: Registry | None = None,
        pattern_secrets: Sealer | None = None,
    ) -> None:
        self.db = db
        self.sealer = sealer
        self.library = library
        self.clock = clock
        self.features = features or default_registry()
        # What this bot records in the audit log is signed with a key derived from its
        # encryption key (bot.machinery.storage.audit_chain).
        db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
        # Client references are fingerprinted with the organisation's pattern secret, or,
        # when none is configured, with a key derived from the encryption key.
        self.pattern_secrets = pattern_secrets or sealer

    @property
    def timer_handlers(self):
        """Timer kind → handler, for the scheduler: every feature's, and the shared ones."""
        return self.features.timers

    async def handle(self, event: Event) -> list[View]:
        try:
            async with self.db.transaction() as tx:
                if event.event_id and not await tx.inbound.first_time(self._event_key(event), self.clock.now()):
                    log.info("ignored a redelivered %s", type(event).__name__)
                    return []
                now = self.clock.now()
                person = await tx.people.resolve(event.identity)
                if person is None:
                    return [UNKNOWN_PERSON]
                turn = Turn(tx, person, await tx.org.get(), self.clock, self.sealer, self.library, self.features,
                            pseudonyms=self.pattern_secrets.signer(PATTERN_PURPOSE))
                views = await self._route(turn, event)
                if turn.forget_me:
                    if event.event_id:
                        await tx.inbound.blur(self._event_key(event), now.replace(day=1, hour=0, minute=0, second=0,
                                                                                  microsecond=0))
                else:
                    tx.people.seen(event.identity, now)
                return views
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
        features = self.features
        match event:
            case Command(verb=word, args=args):
                verb = features.verb(word) if word else features.verb("help")
                if verb is not None:
                    return await verb.run(turn, args)
                return await features.fallback(turn, f"{word} {args}".strip())
            case FormSubmitted(form_id=form_id, values=values, state=state):
                handler = features.forms.get(form_id)
                return await handler(turn, values, state) if handler else [STALE_FORM]
            case ButtonPressed(action=action, value=value):
                handler = features.buttons.get(action)
                return await handler(turn, value) if handler else [STALE_BUTTON]
        raise TypeError(f"not an event: {type(event).__name__}")
