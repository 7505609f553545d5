"""Inbound events: the three things a person can do to the bot, on any platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Identity:
    """Who did it, as the platform knows them.

    ``platform`` is ``slack``, ``teams`` or ``web``; ``workspace`` is the Slack team id, the
    Teams tenant id or ``demo``; ``user_id`` is the platform's own user id. ``email`` is what
    the platform told us, if anything, and is used only to link a new identity to a person
    named by email in the organisation file.
    """

    platform: str
    workspace: str
    user_id: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """A person typed a verb, e.g. ``/boundary report`` or ``script wants my number``."""

    identity: Identity
    verb: str
    args: str = ""
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class FormSubmitted:
    """A person submitted a form the bot had shown them.

    ``values`` maps field names to what the platform returned: a string, a list of strings
    (multiple choice), or ``None`` for an empty field. ``state`` is the opaque string the form
    carried (for instance which report is being edited).
    """

    identity: Identity
    form_id: str
    values: dict[str, Any] = field(default_factory=dict)
    state: str = ""
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """A person pressed a button on a card. ``action`` names it, ``value`` says on what."""

    identity: Identity
    action: str
    value: str = ""
    event_id: str | None = None


Event = Command | FormSubmitted | ButtonPressed
