"""What the core tells operators, in neutral terms.

The core imports no logging library, metrics client or tracer. Instead it

- keeps a **log context** (a context variable) that the edge adds to every log line: the id
  of the request, turn or timer chain that started the work (``request_id``) and the ids of
  what is being worked on (``person_id``, ``notification_id``, ``timer_id``…) — ids only,
  never a name, an email or anything anyone typed;
- calls an :class:`Observer` at the moments an operator watches (an event handled, a
  delivery attempted, a timer fired) and around the work a trace should show (a turn, a
  database transaction).

``adapters/ops`` reads the context into structured logs and implements the Observer with
Prometheus and OpenTelemetry; the default Observer does nothing, so the core and its tests
need neither.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from types import MappingProxyType

Field = str | int | float | bool

_EMPTY: Mapping[str, Field] = MappingProxyType({})
_context: ContextVar[Mapping[str, Field]] = ContextVar("boundary_log_context", default=_EMPTY)


def new_id() -> str:
    """A fresh correlation id: short, random, meaningless outside the logs."""
    return os.urandom(8).hex()  # as uuid4().hex[:16], without building a UUID on every request


def context() -> Mapping[str, Field]:
    """The fields every log line written now should carry."""
    return _context.get()


def request_id() -> str | None:
    value = _context.get().get("request_id")
    return str(value) if value is not None else None


@contextmanager
def bound(**fields: Field | None) -> Iterator[Mapping[str, Field]]:
    """Add ``fields`` (ids and bounded names only) to the log context for the block.
    ``None`` values are left out. Nested blocks add to what is already bound."""
    merged = {**_context.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(MappingProxyType(merged))
    try:
        yield merged
    finally:
        _context.reset(token)


def correlated(request: str | None = None, **fields: Field | None) -> AbstractContextManager:
    """Work that belongs to ``request`` (a stored id, carried by a timer or a notification),
    or to the request already in progress, or else to a new one."""
    return bound(request_id=request or request_id() or new_id(), **fields)


class Observer:
    """Hooks the core calls; every method's default does nothing.

    Label values passed here come from bounded sets (platform names, event kinds, names
    declared in the feature registry, outcome and reason codes), never from people.
    """

    def span(self, name: str, **attributes: Field) -> AbstractContextManager:
        """Around a unit of work worth seeing in a trace (a turn, a transaction)."""
        return nullcontext()

    def event_handled(self, platform: str, kind: str, name: str, outcome: str, seconds: float) -> None:
        """One inbound event went through the core: ``kind`` is command, form or button;
        ``name`` the verb, form or button as declared; ``outcome`` ok, failed, unknown_person,
        inactive_person (someone who left) or redelivered."""

    def delivery_attempted(self, platform: str, outcome: str, reason: str) -> None:
        """One attempt to deliver a notification: ``outcome`` sent, retried, failed or
        skipped; ``reason`` a code (see :mod:`bot.port.delivery`), empty when sent."""

    def timer_ran(self, kind: str, outcome: str, lag_seconds: float) -> None:
        """A timer fired (``outcome`` fired, retried or failed), ``lag_seconds`` after it
        was due."""

    def duration(self, name: str, seconds: float) -> None:
        """A named duration a feature measured (for example ``chaperone_fill``)."""


NO_OBSERVER = Observer()
