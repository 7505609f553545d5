"""The delivery port: how the core's outbox hands a message to a chat platform.

Each platform adapter implements :class:`Deliverer` for its platform and does nothing else
here: render the neutral view, call the platform, and translate the platform's answer into
success (a :class:`MessageRef` to update the message later), :class:`RetryLater` (429, 5xx,
network trouble) or :class:`Undeliverable` (a permanent error: unknown user, bad request,
app not installed). The outbox decides about retries; a deliverer never retries on its own.

Each failure carries a ``code`` from :data:`REASON_CODES` (for metrics: a bounded set) as
well as its ``reason`` (a sentence for people, never quoting message text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.port.views import Card, Notice


@dataclass(frozen=True, slots=True)
class Address:
    """A person on one platform: Slack team + user, Teams tenant + user, or web demo user."""

    platform: str
    workspace: str
    user_id: str


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a delivered message lives, in the platform's own terms (for example Slack's
    ``channel`` and ``ts``, or Teams' ``conversation_id`` and ``activity_id``)."""

    platform: str
    data: dict[str, str] = field(default_factory=dict)


REASON_CODES = frozenset({
    "rate_limited",  # the platform said slow down (429)
    "unavailable",  # the platform failed (5xx, or its own "try later" errors)
    "network",  # no answer: connection refused, reset, timed out
    "auth",  # our credentials were refused
    "not_installed",  # the app is not installed for the person, or blocked
    "unknown_recipient",  # no such user or chat, or the person has no chat account we know
    "not_enabled",  # the person's platform is not enabled on this instance
    "rejected",  # any other refusal: bad request, message too long...
    "error",  # a bug on our side
})


class RetryLater(Exception):
    """Not delivered this time; try again. ``after`` is the platform's Retry-After, if any."""

    def __init__(self, reason: str, after: float | None = None, code: str = "unavailable") -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after
        self.code = code if code in REASON_CODES else "error"


class Undeliverable(Exception):
    """Will never be delivered as addressed; retrying would not help."""

    def __init__(self, reason: str, code: str = "rejected") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code if code in REASON_CODES else "error"


class Deliverer(Protocol):
    platform: str

    async def send(self, to: Address, view: Card | Notice, key: str) -> MessageRef:
        """Send ``view`` privately (a DM) to ``to``. ``key`` is the notification's
        idempotency key, for platforms that can use one."""
        ...

    async def update(self, ref: MessageRef, view: Card | Notice, key: str) -> MessageRef:
        """Replace a message sent earlier (e.g. a request card that is now "covered")."""
        ...
