"""Rendering the core's views as Adaptive Cards, and reading card submissions back.

Only translation lives here. Forms become cards with ``Input.*`` elements and an
``Action.Submit`` whose data names the form; buttons become ``Action.Submit`` with
``{action, value}``. Teams merges the submit data with the inputs' values into the
``value`` of a message activity, which :func:`read_submission` turns back into a neutral
event payload.

Text from the core is plain: Markdown characters are escaped so nothing is read as markup.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import orjson

from adapters.ids import beyond_any_id
from bot.port.views import Button, ButtonStyle, Card, Dialog, Field, FieldKind, Form, Notice, View

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.4"  # what Teams renders on desktop, web and mobile

KIND = "bb"  # key in submit data: "form" or "button"
FORM_ID = "bb_form"
FORM_STATE = "bb_state"
FORM_TITLE = "bb_title"
ACTION = "action"
VALUE = "value"
MULTI = "bb_multi"  # names of multi-select inputs, which Teams submits as "a,b"
RESERVED = {KIND, FORM_ID, FORM_STATE, FORM_TITLE, MULTI, "msteams"}

FREE_TEXT = {FieldKind.SHORT_TEXT, FieldKind.LONG_TEXT}
EXPANDED_UP_TO = 5  # choice sets with more options than this are drop-downs
YES_NO = (("yes", "Yes"), ("no", "No"))

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!>|~<])")


class Rendered(dict):
    """A rendered card: never changed after rendering, so the SDKs' deep copy of each outgoing
    activity (both ``TurnContext``s make one) can share it instead of copying every element."""

    def __deepcopy__(self, memo):
        return self


@functools.lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Text shown exactly as written: Markdown characters escaped. Kept: most of what a card
    says (titles, buttons, scripts) is the same for everyone, every time."""
    return _MARKDOWN.sub(r"\\\1", text)


def activity_for(view: View) -> dict:
    """The body of a message activity showing ``view`` (without addressing)."""
    if isinstance(view, Notice):
        return {"type": "message", "text": plain(view.text), "textFormat": "markdown"}
    if isinstance(view, Form):
        card = form_card(view)
    elif isinstance(view, Card):
        card = info_card(view)
    elif isinstance(view, Dialog):
        # Never posted: a dialog's content (a narrative) must stay out of chat history.
        return {"type": "message", "text": plain("Open it from the View details button: it is shown in a private dialog.")}
    else:
        raise TypeError(f"cannot render {type(view).__name__}")
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": fit(card)}],
        "summary": _summary(view),
    }


CARD_MAX_BYTES = 24 * 1024  # Teams refuses messages over about 28 KB; room left for the envelope
SHORTENED = "Shortened to fit in Teams. Type status to see everything, a page at a time."


def size_of(card: dict) -> int:
    """Bytes as sent (compact UTF-8 JSON, as the connector client encodes it)."""
    try:
        return len(orjson.dumps(card))
    except TypeError:  # a lone surrogate: as the connector client then encodes it
        return len(json.dumps(card).encode())


def fit(card: dict) -> dict:
    """``card`` as it is if it fits in a Teams message; otherwise with its last paragraphs and
    facts left out (never its title or buttons: they are the next step), saying so."""
    if size_of(card) <= CARD_MAX_BYTES:
        return card
    body = list(card["body"])
    note = _text(SHORTENED, isSubtle=True)
    while len(body) > 1 and size_of({**card, "body": [*body, note]}) > CARD_MAX_BYTES:
        last = body[-1]
        if last.get("type") == "FactSet" and len(last["facts"]) > 1:
            body[-1] = {**last, "facts": last["facts"][: len(last["facts"]) // 2]}
        else:
            body.pop()
    return {**card, "body": [*body, note]}


def _summary(view: Form | Card) -> str:
    # The notification preview (and what screen readers announce first): the title only.
    return view.title


def _card(body: list, actions: list) -> dict:
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    card["msteams"] = {"width": "Full"}
    return card


def _text(text: str, **extra) -> dict:
    return {"type": "TextBlock", "text": plain(text), "wrap": True, **extra}


def dialog_card(dialog: Dialog) -> dict:
    body: list[dict] = [_text(dialog.title, weight="Bolder", size="Medium")]
    body += [_text(p) for p in dialog.paragraphs]
    if dialog.facts:
        body.append({"type": "FactSet", "facts": [{"title": plain(k), "value": plain(v)} for k, v in dialog.facts]})
    return _card(body, [])


def task_response(view: View) -> dict:
    """The answer to a task/fetch invoke: the dialog's card, or a short message in one."""
    if isinstance(view, Dialog):
        title, card = view.title, dialog_card(view)
    else:
        text = view.text if isinstance(view, Notice) else "There is nothing to show."
        title, card = "Boundary Bot", _card([_text(text)], [])
    return {"task": {"type": "continue", "value": {
        "title": title[:64], "width": "medium", "height": "medium",
        "card": {"contentType": CARD_CONTENT_TYPE, "content": card},
    }}}


def info_card(card: Card) -> dict:
    body: list[dict] = [_text(card.title, weight="Bolder", size="Medium")]
    for paragraph in card.paragraphs:
        if paragraph.startswith("> "):
            body.append({
                "type": "Container",
                "style": "emphasis",
                "items": [_text(paragraph[2:])],
            })
        else:
            body.append(_text(paragraph))
    if card.facts:
        body.append({
            "type": "FactSet",
            "facts": [{"title": plain(k), "value": plain(v)} for k, v in card.facts],
        })
    return _card(body, [button_action(b) for b in card.buttons])


def button_action(button: Button) -> dict:
    if button.url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    action = {
        "type": "Action.Submit",
        "title": button.label,
        "data": {KIND: "button", ACTION: button.action, VALUE: button.value},
    }
    if button.dialog:
        # Opens a task module (dialog) instead of posting into the chat: Teams sends a
        # task/fetch invoke, answered with the dialog's card.
        action["data"]["msteams"] = {"type": "task/fetch"}
    if button.style is ButtonStyle.PRIMARY:
        action["style"] = "positive"
    elif button.style is ButtonStyle.DANGER:
        action["style"] = "destructive"
    return action


def form_card(form: Form) -> dict:
    """The form as a card. With errors, each wrong field says what to fix under it, and the
    answers given are kept — except free text, which is never put back into a chat message
    (chat history and exports would keep it); the card asks for it again instead."""
    body: list[dict] = [_text(form.title, weight="Bolder", size="Medium")]
    if form.intro:
        body.append(_text(form.intro, isSubtle=True))
    if form.errors:
        count = len(form.errors)
        body.append(_text(
            f"Please check the {count} highlighted answer{'s' if count != 1 else ''}.",
            color="Attention", weight="Bolder",
        ))
    withheld = False
    for field in form.fields:
        value = form.values.get(field.name)
        if field.kind in FREE_TEXT and value:
            withheld, value = True, None
        body.extend(_field(field, value, form.errors.get(field.name)))
    if withheld:
        body.append(_text(
            "What you wrote in the text boxes is not repeated here, so that it stays out of "
            "the chat history. Please type it again.", isSubtle=True,
        ))
    submit = {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": {
            KIND: "form", FORM_ID: form.form_id, FORM_STATE: form.state, FORM_TITLE: form.title,
            MULTI: [f.name for f in form.fields if f.kind is FieldKind.MULTI_CHOICE],
        },
    }
    return _card(body, [submit])


def _field(field: Field, value: Any, error: str | None) -> list[dict]:
    input_id = field.name
    element: dict[str, Any] = {"id": input_id, "label": field.label, "isRequired": field.required}
    match field.kind:
        case FieldKind.SINGLE_CHOICE | FieldKind.MULTI_CHOICE if field.search:
            # Dynamic typeahead: Teams asks the bot (an application/search invoke) as the
            # person types; the card carries only what is already chosen.
            element.update(
                type="Input.ChoiceSet", style="filtered", isMultiSelect=field.kind is FieldKind.MULTI_CHOICE,
                choices=[{"title": o.label, "value": o.value} for o in field.options],
                **{"choices.data": {"type": "Data.Query", "dataset": field.search}},
            )
            if field.placeholder:
                element["placeholder"] = field.placeholder
            known = {o.value for o in field.options}
            chosen = [v for v in _choices(value) if v in known]
            if chosen:
                element["value"] = ",".join(chosen)
        case FieldKind.SINGLE_CHOICE | FieldKind.MULTI_CHOICE:
            multi = field.kind is FieldKind.MULTI_CHOICE
            element.update(
                type="Input.ChoiceSet",
                choices=[{"title": o.label, "value": o.value} for o in field.options],
                isMultiSelect=multi,
                style="expanded" if multi or len(field.options) <= EXPANDED_UP_TO else "compact",
            )
            chosen = _choices(value)
            if chosen:
                element["value"] = ",".join(chosen)
        case FieldKind.YES_NO:
            element.update(
                type="Input.ChoiceSet", style="expanded", isMultiSelect=False,
                choices=[{"title": t, "value": v} for v, t in YES_NO],
            )
            if isinstance(value, bool):
                value = "yes" if value else "no"
            if isinstance(value, str) and value.lower() in {"yes", "no"}:
                element["value"] = value.lower()
        case FieldKind.SHORT_TEXT | FieldKind.LONG_TEXT:
            element.update(type="Input.Text", isMultiline=field.kind is FieldKind.LONG_TEXT)
            if field.max_length:
                element["maxLength"] = field.max_length
            if field.placeholder:
                element["placeholder"] = field.placeholder
            if isinstance(value, str):
                element["value"] = value
        case FieldKind.DATE:
            element["type"] = "Input.Date"
            if value:
                element["value"] = str(value)
        case FieldKind.TIME:
            element["type"] = "Input.Time"
            if value:
                element["value"] = str(value)[:5]
    if field.required:
        element["errorMessage"] = "Please answer this."
    out = [element]
    if field.help:
        out.append(_text(field.help, isSubtle=True, size="Small", spacing="None"))
    if error:
        out.append(_text(error, color="Attention", spacing="None"))
    return out


def _choices(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.split(",") if v]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"


def search_results(options) -> dict:
    """The body answering an ``application/search`` invoke (dynamic typeahead)."""
    return {"type": SEARCH_RESPONSE,
            "value": {"results": [{"title": o.label, "value": o.value} for o in options]}}


def closed_form_card(form_title: str) -> dict:
    """What a submitted form's card becomes: its title and "sent", with no answers."""
    return _card([
        _text(form_title, weight="Bolder", size="Medium"),
        _text("Sent. The answer is below.", isSubtle=True),
    ], [])


# --- reading submissions back --------------------------------------------------------


def read_submission(value: Any) -> dict | None:
    """What an ``Action.Submit`` from one of our cards carried, or None if it is not ours.

    Returns ``{"kind": "form", "form_id", "state", "values"}`` or
    ``{"kind": "button", "action", "value"}``.
    """
    if not isinstance(value, dict):
        return None
    kind = value.get(KIND)
    if kind == "form" and isinstance(value.get(FORM_ID), str):
        values = {k: _input_value(v) for k, v in value.items() if k not in RESERVED}
        multi = value.get(MULTI) if isinstance(value.get(MULTI), list) else []
        for name in multi:
            if isinstance(values.get(name), str):
                values[name] = [v for v in values[name].split(",") if v]
        return {
            "kind": "form",
            "form_id": value[FORM_ID],
            "state": str(value.get(FORM_STATE) or ""),
            "title": str(value.get(FORM_TITLE) or "Form")[:200],
            "values": values,
        }
    if kind == "button" and isinstance(value.get(ACTION), str):
        pressed = str(value.get(VALUE) or "")
        if beyond_any_id(pressed):  # no card of ours carries such a number: not ours
            return None
        return {"kind": "button", "action": value[ACTION], "value": pressed}
    return None


def _input_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, list)):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
