"""How a feature declares itself, and the registry that collects the declarations.

A feature (reporting, chaperones, referrals…) is a package under ``bot/features/`` whose
``__init__`` exposes one :class:`Feature`: the verbs it answers, the buttons and forms it
owns, the timer kinds it fires, the audit actions it records, and its part of ``status``.
The core's dispatcher (:mod:`bot.app`) knows nothing else about features: it looks each
event up in the :class:`Registry` and calls what the feature declared.

Ids are namespaced by feature (``chaperone.accept``, ``referral.decline``), so two features
can never claim the same button, form or timer; the registry refuses duplicates when the bot
is built, not when someone presses the button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.machinery.storage.models import Timer
    from bot.machinery.storage.repos import Tx
    from bot.port.views import Form, Option, View
    from bot.turn import Turn

VerbHandler = Callable[["Turn", str], Awaitable[list["View"]]]
"""``(turn, the words after the verb)`` → views."""
ButtonHandler = Callable[["Turn", str], Awaitable[list["View"]]]
"""``(turn, the button's value)`` → views."""
FormHandler = Callable[["Turn", dict[str, Any], str], Awaitable[list["View"]]]
"""``(turn, submitted values, the form's state)`` → views."""
TimerHandler = Callable[["Tx", "Timer", datetime], Awaitable[None]]
"""``(transaction, the due timer, now)``: runs inside the scheduler's transaction."""
SectionHandler = Callable[["Turn"], Awaitable[list["View"]]]
"""A feature's part of ``status``: what waits for this person, then their own items."""
# Someone left the organisation (deactivated by the directory or the organisation file): hand
# the open work that waits on them to others. Returns how many requests it moved.
LeaveHandler = Callable[["Tx", int, datetime], Awaitable[int]]
WaitingReader = Callable[["Turn"], Awaitable[list["Waiting"]]]
"""What waits for this person's action in a feature (for the home view and ``status``)."""
Watchdog = Callable[["Tx", datetime], Awaitable[int]]
"""A slow periodic check (about every 30 s on each instance); returns how many it flagged."""
HealthCheck = Callable[["Tx", datetime], Awaitable[int]]
"""A count for ``/healthz``; anything above zero makes the status "degraded"."""
GaugeReader = Callable[["Tx", datetime], Awaitable[Mapping[tuple[str, ...], float]]]
"""Label values → the figure, read from the database when metrics are scraped."""
FormView = Callable[["Turn", str], Awaitable["Form | None"]]
"""``(turn, the form's state)`` → the form as it was shown (None if it no longer applies):
what the core hands back, with what was typed, when it can't take a submission yet."""
PickerSearch = Callable[["Turn", str, int], Awaitable[list["Option"]]]
"""``(turn, what was typed, at most how many)`` → the choices this person may pick, best first."""
PickerResolve = Callable[["Turn", list[str]], Awaitable[list["Option"]]]
"""``(turn, submitted values)`` → those of them this person may pick, with their labels."""


def _frozen(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Verb:
    """A word people type: ``report``, ``/boundary report``, or ``report`` in Teams.

    ``help`` is one line for the help card and the platforms' command menus; ``order``
    places it in those lists (smaller first)."""

    name: str
    run: VerbHandler
    help: str
    aliases: tuple[str, ...] = ()
    order: int = 50


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for this person to act: what, by when, and the buttons that do it.

    ``what`` names the item by its reference and kind only (never free text); ``due`` is when
    it moves on without them (the next manager is told, the session starts), described by
    ``due_means`` ("goes to the next manager", "the session starts")."""

    what: str
    due: datetime | None = None
    due_means: str = ""
    buttons: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Gauge:
    """A figure operators watch (open escalations by level, say), read from the database at
    each metrics scrape, so every instance reports the same. Label values come from small
    fixed sets (a level, a state), never a person."""

    help: str
    read: GaugeReader
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Picker:
    """A choice found by typing (a person, a team, a site): ``search`` answers each keystroke
    (within the platforms' few seconds, so it must be an indexed query or a cached list, never
    a walk through the organisation), ``resolve`` checks what was submitted. Both apply the
    same rule of who or what may be picked."""

    search: PickerSearch
    resolve: PickerResolve


@dataclass(frozen=True)
class Feature:
    """One feature's whole declaration. Every id in it starts with the feature's name."""

    name: str
    verbs: tuple[Verb, ...] = ()
    buttons: Mapping[str, ButtonHandler] = field(default_factory=_frozen)
    forms: Mapping[str, FormHandler] = field(default_factory=_frozen)
    timers: Mapping[str, TimerHandler] = field(default_factory=_frozen)
    audit_actions: Mapping[str, str] = field(default_factory=_frozen)
    """Audit action → what it records, in words an auditor reads (for the audit log view)."""
    status: SectionHandler | None = None
    status_order: int = 50
    waiting: WaitingReader | None = None
    """What waits for this person's action (escalations to acknowledge, offers to answer)."""
    watchdogs: Mapping[str, Watchdog] = field(default_factory=_frozen)
    health: Mapping[str, HealthCheck] = field(default_factory=_frozen)
    """``/healthz`` field → check; the field names are part of the health API."""
    gauges: Mapping[str, Gauge] = field(default_factory=_frozen)
    """Metric name (``escalation.open`` is served as ``boundary_escalation_open``) → gauge."""
    fallback: VerbHandler | None = None
    """What to do with text that is no verb at all; exactly one feature declares it."""
    on_leave: LeaveHandler | None = None
    """Hand the work waiting on someone who left to others (see bot.org.directory.leave)."""
    form_views: Mapping[str, FormView] = field(default_factory=_frozen)
    """Form id → the form as shown, for each form in ``forms``; a person going too fast gets
    it back with everything they typed instead of losing it."""
    pickers: Mapping[str, Picker] = field(default_factory=_frozen)
    """Picker id (a form field's ``search``) → how to search and check its choices."""


class RegistryError(Exception):
    """Two features claim the same thing, or an id is outside its feature's namespace."""


def _owned(feature: str, key: str) -> bool:
    return key == feature or key.startswith(feature + ".")


class Registry:
    """Every feature's declarations, checked once and indexed for dispatch."""

    def __init__(self, features: Iterable[Feature], base_timers: Mapping[str, TimerHandler] | None = None) -> None:
        self.features: tuple[Feature, ...] = tuple(features)
        self._verbs: dict[str, Verb] = {}
        self._words: dict[str, Verb] = {}
        self.buttons: dict[str, ButtonHandler] = {}
        self.forms: dict[str, FormHandler] = {}
        self.timers: dict[str, TimerHandler] = dict(base_timers or {})
        self.audit_actions: dict[str, str] = {}
        self.watchdogs: dict[str, Watchdog] = {}
        self.health: dict[str, HealthCheck] = {}
        self.gauges: dict[str, Gauge] = {}
        self.form_views: dict[str, FormView] = {}
        self.pickers: dict[str, Picker] = {}
        problems: list[str] = []
        fallbacks = [f for f in self.features if f.fallback is not None]
        if len(fallbacks) != 1:
            problems.append(f"exactly one feature must declare a fallback, found {len(fallbacks)}")
        self.fallback: VerbHandler | None = fallbacks[0].fallback if fallbacks else None
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            problems.append(f"two features share a name: {sorted(names)}")
        for feature in self.features:
            for verb in feature.verbs:
                for word in (verb.name, *verb.aliases):
                    if word != word.lower() or " " in word or not word:
                        problems.append(f"{feature.name}: verb {word!r} must be one lower-case word")
                    if word in self._words:
                        problems.append(f"{feature.name}: verb {word!r} is already taken")
                    self._words[word] = verb
                self._verbs[verb.name] = verb
            for kind, own, table in (("button", feature.buttons, self.buttons),
                                     ("form", feature.forms, self.forms),
                                     ("timer", feature.timers, self.timers),
                                     ("watchdog", feature.watchdogs, self.watchdogs),
                                     ("gauge", feature.gauges, self.gauges),
                                     ("picker", feature.pickers, self.pickers)):
                for key, handler in own.items():
                    if not _owned(feature.name, key):
                        problems.append(f"{feature.name}: {kind} {key!r} must start with {feature.name!r}")
                    if key in table:
                        problems.append(f"{feature.name}: {kind} {key!r} is already taken")
                    table[key] = handler
            for action, meaning in feature.audit_actions.items():
                if action in self.audit_actions:
                    problems.append(f"{feature.name}: audit action {action!r} is already declared")
                self.audit_actions[action] = meaning
            for form_id, view in feature.form_views.items():
                if form_id not in feature.forms:
                    problems.append(f"{feature.name}: form view {form_id!r} is not one of its forms")
                self.form_views[form_id] = view
            for name, check in feature.health.items():
                if name in self.health:
                    problems.append(f"{feature.name}: health field {name!r} is already declared")
                self.health[name] = check
        if problems:
            raise RegistryError("; ".join(problems))
        # Sorted once: the menu is read on every help and every unknown word.
        self._menu = tuple(sorted(self._verbs.values(), key=lambda v: (v.order, v.name)))

    def verb(self, word: str) -> Verb | None:
        """The verb for a typed word (aliases included), or None."""
        return self._words.get(word.lower())

    @property
    def verbs(self) -> list[Verb]:
        """Every verb once, in menu order."""
        return list(self._menu)

    @property
    def words(self) -> list[str]:
        """Every word that is a verb, aliases included (for "did you mean")."""
        return list(self._words)

    @property
    def waiting_readers(self) -> list[WaitingReader]:
        ordered = sorted((f for f in self.features if f.waiting), key=lambda f: (f.status_order, f.name))
        return [f.waiting for f in ordered]

    @property
    def leave_handlers(self) -> list[LeaveHandler]:
        """What each feature does when someone leaves, in the features' order."""
        return [f.on_leave for f in self.features if f.on_leave]

    @property
    def status_sections(self) -> list[SectionHandler]:
        ordered = sorted((f for f in self.features if f.status), key=lambda f: (f.status_order, f.name))
        return [f.status for f in ordered]
