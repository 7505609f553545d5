"""Outbound views: what the core answers with, for adapters to render.

The vocabulary is deliberately small — a form, a card, a notice — so that each adapter
(Block Kit, Adaptive Cards, HTML) can render every view the core will ever produce.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class FieldKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DATE = "date"
    TIME = "time"
    YES_NO = "yes_no"


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Field:
    """One answer on a form.

    ``search`` names a picker (``referral.receiver``, declared in a feature's ``pickers``):
    the choice is then found by typing — a Slack ``external_select``, a Teams typeahead, a
    search box in the web chat — because an organisation has too many people, teams or sites
    to list. ``options`` then holds only what is already chosen (with its label), and the
    picker checks every submitted value (see :mod:`bot.pickers`)."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    options: tuple[Option, ...] = ()
    help: str = ""
    placeholder: str = ""
    max_length: int | None = None
    search: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """A form to fill in. On a bad submission the same form comes back with ``errors``
    (field name → message) and ``values`` holding what was typed, so nothing is lost."""

    form_id: str
    title: str
    fields: tuple[Field, ...]
    intro: str = ""
    submit_label: str = "Submit"
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    state: str = ""

    def with_errors(self, values: dict[str, Any], errors: dict[str, str]) -> Form:
        return replace(self, values=dict(values), errors=dict(errors))


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    """``dialog`` says pressing it answers with a :class:`Dialog`, so adapters whose
    platform must know in advance (Teams' task modules) can render it as one. ``url`` makes
    it a link that opens in the browser instead (the bot is not told it was pressed)."""

    label: str
    action: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT
    dialog: bool = False
    url: str = ""


@dataclass(frozen=True, slots=True)
class Card:
    """A message with a title, paragraphs, label/value facts and buttons.

    Paragraphs are plain text; a paragraph starting with ``> `` is a quotation (used for
    the words of a script). Adapters escape everything: the core never sends markup.
    """

    title: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """A short plain message (a hint, a confirmation, an error)."""

    text: str


@dataclass(frozen=True, slots=True)
class Dialog:
    """Something shown privately in a modal, dialog or web view and NEVER posted as a chat
    message: chat history is kept and exported, and a report's narrative must not be."""

    title: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()


View = Form | Card | Notice | Dialog


def dump(view: Card | Notice) -> dict[str, Any]:
    """A JSON-ready form of a card or notice (for the outbox)."""
    if isinstance(view, Notice):
        return {"type": "notice", "text": view.text}
    if isinstance(view, Card):
        return {
            "type": "card",
            "title": view.title,
            "paragraphs": list(view.paragraphs),
            "facts": [list(f) for f in view.facts],
            "buttons": [
                {"label": b.label, "action": b.action, "value": b.value, "style": b.style.value,
                 "dialog": b.dialog, "url": b.url}
                for b in view.buttons
            ],
        }
    raise TypeError(f"only cards and notices are sent later, not {type(view).__name__}")


def load(data: dict[str, Any]) -> Card | Notice:
    if data["type"] == "notice":
        return Notice(data["text"])
    return Card(
        title=data["title"],
        paragraphs=tuple(data.get("paragraphs", ())),
        facts=tuple((a, b) for a, b in data.get("facts", ())),
        buttons=tuple(
            Button(b["label"], b["action"], b.get("value", ""), ButtonStyle(b.get("style", "default")),
                   b.get("dialog", False), b.get("url", ""))
            for b in data.get("buttons", ())
        ),
    )
