"""The core's front door: one event in, the views for that person out.

Each event runs in one transaction. The person is resolved from their platform identity;
then the verb, form or button is looked up in the registry of features and handed to the
feature that declared it. Nothing here knows any feature by name.
"""

from __future__ import annotations

import logging
import math
import time
import traceback

from bot.content.scripts import Library
from bot.feature import Registry
from bot.features import registry as default_registry
from bot.machinery import drafts, observe
from bot.machinery.clock import Clock
from bot.machinery.crypto import Sealer
from bot.machinery.observe import NO_OBSERVER, Observer
from bot.machinery.ratelimit import ACTIONS, FORMS, TokenBuckets
from bot.machinery.storage import identities
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
from bot.machinery.storage.db import Database, Redelivered, StaleVersion
from bot.pickers import QUERY_MAX, SEARCH_LIMIT, with_choices
from bot.port.events import ButtonPressed, Command, Event, FormSubmitted, Identity
from bot.port.views import Notice, Option, View
from bot.turn import Turn

log = logging.getLogger(__name__)

PATTERN_PURPOSE = b"boundary-bot client reference v1"  # bot.features.patterns.PURPOSE (tested equal)

UNKNOWN_PERSON = Notice(
    "I don't recognise you yet, so I can't keep anything for you. Please ask your Boundary Bot "
    "admin to add you to the organisation file."
)
NO_LONGER_ACTIVE = Notice(
    "Your account is no longer active here, so I can't start anything new for you. What you "
    "reported before is kept, and the requests waiting on you have gone to colleagues. If you "
    "still work here, please ask your Boundary Bot admin or IT to restore your account."
)
FAILED = Notice("Sorry, something went wrong on my side and nothing was saved. Please try again.")
STALE_FORM = Notice("That form is no longer in use. Type help to see what you can do.")
STALE_BUTTON = Notice("That button no longer does anything. Type status to see where things stand.")


def slow_down(seconds: float, again: str = "try again") -> str:
    wait = max(1, math.ceil(seconds))
    return (f"You're going faster than I can keep up, so I haven't done that yet. Nothing is lost: "
            f"wait {wait} second{'s' if wait != 1 else ''}, then {again}.")


def parse_command(text: str) -> tuple[str, str]:
    """``"Report  now"`` → ``("report", "now")``. The verb is lower-cased, args kept as typed."""
    verb, _, args = text.strip().partition(" ")
    return verb.lower(), args.strip()


class BoundaryBot:
    def __init__(
        self, db: Database, sealer: Sealer, library: Library, clock: Clock, features: Registry | None = None,
        public_url: str = "", pattern_secrets: Sealer | None = None, observer: Observer = NO_OBSERVER,
    ) -> None:
        self.db = db
        self.sealer = sealer
        self.library = library
        self.clock = clock
        self.features = features or default_registry()
        self.observer = observer
        self.public_url = public_url  # for links the bot sends (the console's sign-in link)
        # What this bot records in the audit log is signed with a key derived from its
        # encryption key (bot.machinery.storage.audit_chain).
        db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
        # Client references are fingerprinted with the organisation's pattern secret, or,
        # when none is configured, with a key derived from the encryption key.
        self.pattern_secrets = pattern_secrets or sealer
        # Someone acting far faster than a person can is slowed down (per person, per instance).
        self.actions = TokenBuckets(clock, ACTIONS)
        self.submissions = TokenBuckets(clock, FORMS)

    @property
    def timer_handlers(self):
        """Timer kind → handler, for the scheduler: every feature's, and the shared ones."""
        return self.features.timers

    async def handle(self, event: Event) -> list[View]:
        """One turn, logged and measured under the request's id (or a new one)."""
        kind, name = self._describe(event)
        platform = event.identity.platform
        started = time.perf_counter()
        with observe.correlated(platform=platform, event_kind=kind, event_name=name), \
                self.observer.span("turn", platform=platform, event_kind=kind, event_name=name):
            outcome, views = await self._turn(event)
            log.debug("%s %s: %s", kind, name, outcome)
        self.observer.event_handled(platform, kind, name, outcome, time.perf_counter() - started)
        return views

    async def _turn(self, event: Event) -> tuple[str, list[View]]:
        try:
            # An event with a platform id runs on the organisation cache as it is and is
            # recorded (its id, checking the version) as the transaction's last statement; if
            # the organisation changed meanwhile, it runs again reading the version first.
            if not event.event_id:
                return await self._attempt(event, assume_version=False)
            try:
                return await self._attempt(event, assume_version=True)
            except StaleVersion:
                return await self._attempt(event, assume_version=False)
            except Redelivered:
                raise
            except Exception as exc:
                # What the cache held may have been out of date (a row another instance
                # removed): once more, reading the version first, before calling it a failure.
                log.info("a turn on the cached organisation failed (%s): running it again", type(exc).__name__)
                return await self._attempt(event, assume_version=False)
        except Redelivered:
            log.info("ignored a redelivered %s", type(event).__name__)
            return "redelivered", []
        except Exception as exc:
            self._log_failure(event, exc)
            return "failed", [FAILED]

    async def _attempt(self, event: Event, *, assume_version: bool) -> tuple[str, list[View]]:
        now = self.clock.now()
        key = self._event_key(event) if event.event_id else None
        async with self.db.transaction(event=(key, now) if assume_version else None) as tx:
            # Otherwise recorded first (with the organisation's version, in one statement): a
            # redelivery stops here. Either way a turn that ends up not done (refused, slowed)
            # is rolled back, so the same event sent again later counts as new.
            if not assume_version and not await tx.begin_event(key, now):
                raise Redelivered
            org = await tx.org.get()
            if not identities.accepts(org, event.identity):
                tx.discard()
                if org is not None and not (org.platforms or {}).get(event.identity.platform):
                    log.warning("refused a %s event: the organisation file lists no %s to accept (set "
                                "organisation.%s and apply it)", event.identity.platform,
                                *identities.SETTING[event.identity.platform])
                else:
                    log.info("refused a %s event from a workspace the organisation does not list",
                             event.identity.platform)
                return "foreign_workspace", [UNKNOWN_PERSON]
            person = await tx.people.resolve(event.identity, linked_at=now)
            wait = self._wait(person.id, event) if person is not None else 0.0
            if person is None:
                if await tx.people.left(event.identity):
                    return "inactive_person", [NO_LONGER_ACTIVE]
                return "unknown_person", [UNKNOWN_PERSON]
            # A submitted form can be a count-only report ("don't record who I am"), so
            # form turns are logged without the person's id.
            anonymous = isinstance(event, FormSubmitted)
            with observe.bound(person_id=None if anonymous else person.id):
                turn = self.turn_for(tx, person, org, event.identity.platform)
                if wait:
                    # Not recorded as done: the same submission, sent again once the wait
                    # is over, must count as new.
                    tx.discard()
                    return "slowed", await self._slowed(turn, event, wait)
                views = await self._route(turn, event)
            if turn.forget_me:
                # The record of the event says only roughly when it came; it still stops a
                # redelivery.
                month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
                if assume_version:
                    tx.event_at = month
                elif key:
                    await tx.inbound.blur(key, month)
            else:
                tx.people.seen(event.identity, now)
            return "ok", views

    async def home_of(self, identity: Identity) -> list[View]:
        """The person's home (what waits for them, quick actions) for an adapter drawing it on
        a page load or an App Home open: read-only, so not counted like an action."""
        async with self.db.transaction() as tx:
            person = await tx.people.resolve(identity)
            if person is None:
                return [UNKNOWN_PERSON]
            turn = self.turn_for(tx, person, await tx.org.get(), identity.platform)
            verb = self.features.verb("home")
            return await verb.run(turn, "") if verb else []

    async def search(self, identity: Identity, picker_id: str, query: str, limit: int = SEARCH_LIMIT) -> list[Option]:
        """The choices a picker offers this person for what they have typed so far, best first.

        Asked on every keystroke, so it is light: no redelivery record, no rate limit, nothing
        written, and nothing about the query logged (it can be a name). Anyone unknown, an
        unknown picker or a failure gets no choices rather than an error."""
        picker = self.features.pickers.get(picker_id)
        started = time.perf_counter()
        outcome, found = "ok", []
        with observe.correlated(platform=identity.platform, event_kind="search", event_name=picker_id if picker else "unknown"):
            try:
                if picker is None:
                    outcome = "unknown"
                else:
                    async with self.db.transaction() as tx:
                        person = await tx.people.resolve(identity)
                        if person is None or not person.active:
                            outcome = "unknown_person"
                        else:
                            turn = self.turn_for(tx, person, await tx.org.get(), identity.platform)
                            found = list(await picker.search(turn, query.strip()[:QUERY_MAX], limit))[:limit]
            except Exception as exc:
                self._log_failure(Command(identity, "search"), exc)
                outcome, found = "failed", []
        self.observer.event_handled(identity.platform, "search", picker_id if picker else "unknown", outcome,
                                    time.perf_counter() - started)
        return found

    async def handle_for(self, person_id: int, event: ButtonPressed | FormSubmitted) -> list[View]:
        """An event from someone the web console has already signed in: the person is known
        by id (not by a platform identity), and they get exactly what chat would give them."""
        try:
            async with self.db.transaction() as tx:
                person = await tx.people.get(person_id)
                if person is None or not person.active:
                    return [UNKNOWN_PERSON]
                turn = self.turn_for(tx, person, await tx.org.get(), "console")
                if wait := self._wait(person.id, event):
                    return await self._slowed(turn, event, wait)
                return await self._route(turn, event)
        except Exception as exc:
            self._log_failure(event, exc)
            return [FAILED]

    async def save_draft(self, identity: Identity, form_id: str, values: dict) -> bool:
        """Keep what someone has typed into a form so far (sealed), for :meth:`draft` to give
        back after a reload or an interruption. False for an unknown person or form."""
        if form_id not in self.features.forms:
            return False
        async with self.db.transaction() as tx:
            person = await tx.people.resolve(identity)
            if person is None:
                return False
            return await drafts.save(tx, self.sealer, person.id, form_id, values, self.clock.now())

    async def draft(self, identity: Identity, form_id: str) -> dict:
        """What this person last typed into the form and did not send (empty if nothing)."""
        async with self.db.transaction() as tx:
            person = await tx.people.resolve(identity)
            return {} if person is None else await drafts.load(tx, self.sealer, person.id, form_id, self.clock.now())

    def turn_for(self, tx, person, org, platform: str = "console") -> Turn:
        """A turn for this person inside the caller's transaction (chat, or the console)."""
        return Turn(tx, person, org, self.clock, self.sealer, self.library, self.features,
                    pseudonyms=self.pattern_secrets.signer(PATTERN_PURPOSE), platform=platform,
                    public_url=self.public_url, observer=self.observer)

    @staticmethod
    def _log_failure(event: Event, exc: Exception) -> None:
        # The exception's type and stack, never its message: messages can quote what
        # people typed.
        log.error(
            "%s failed with %s\n%s",
            type(event).__name__,
            exc.__class__.__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )

    def _describe(self, event: Event) -> tuple[str, str]:
        """The event's kind and what it names, as declared in the registry (a bounded set:
        anything undeclared is "unknown", free text is "fallback")."""
        features = self.features
        match event:
            case Command(verb=word):
                verb = features.verb(word) if word else features.verb("help")
                return "command", verb.name if verb else "fallback"
            case FormSubmitted(form_id=form_id):
                return "form", form_id if form_id in features.forms else "unknown"
            case ButtonPressed(action=action):
                return "button", action if action in features.buttons else "unknown"
        return type(event).__name__.lower(), "unknown"

    def _wait(self, person_id: int, event: Event) -> float:
        wait = self.actions.take(person_id)
        if isinstance(event, FormSubmitted):
            wait = max(wait, self.submissions.take(person_id))
        return wait

    async def _slowed(self, turn: Turn, event: Event, wait: float) -> list[View]:
        """The person gets a clear message; a form comes back as it was, with what they typed."""
        log.info("slowed a person down for %.1f s (%s)", wait, type(event).__name__)
        if isinstance(event, FormSubmitted) and (shown := self.features.form_views.get(event.form_id)):
            form = await shown(turn, event.state)
            if form is not None and form.fields:
                form = await with_choices(turn, form, event.values)
                message = slow_down(wait, f"press {form.submit_label} again")
                return [form.with_errors(event.values, {form.fields[0].name: message})]
        return [Notice(slow_down(wait))]

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
