"""Block Kit: the core's neutral views rendered for Slack, and modal submissions read back.

Pure functions, no I/O. Everything the core says is escaped (``&``, ``<``, ``>``) so that no
text can become a mention, a link or a broadcast. Slack's size limits are applied here.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from bot.port.views import Button, ButtonStyle, Card, Dialog, Field, FieldKind, Form, Notice

FORM_CALLBACK = "boundary_form"
# Slack's limits (Block Kit reference).
TITLE_MAX = 24
OPTION_TEXT_MAX = 75
BUTTON_TEXT_MAX = 75
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELDS_MAX = 10
RADIO_MAX = 10
ACTIONS_MAX = 25
METADATA_MAX = 3000
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100  # a modal or the Home tab
SHORTENED = "This is shortened to fit in Slack. Type `/boundary status` to see everything, a page at a time."
OPTIONS_MAX = 100  # static selects and options answers alike
SEARCH_INITIAL_MAX = 100
YES_NO = (("yes", "Yes"), ("no", "No"))


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text, SECTION_TEXT_MAX)}


# --- messages -------------------------------------------------------------------------------


def message(view: Card | Notice) -> dict[str, Any]:
    """``text`` (the notification fallback) and ``blocks`` for chat.postMessage/update."""
    if isinstance(view, Notice):
        text = escape(view.text)
        return {"text": text, "blocks": [{"type": "section", "text": _mrkdwn(text)}]}
    return {"text": escape(view.title), "blocks": _within(card_blocks(view), MESSAGE_BLOCKS_MAX)}


def _within(blocks: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` blocks (Slack refuses more), saying so when something was left out."""
    if len(blocks) <= limit:
        return blocks
    actions = [b for b in blocks if b.get("type") == "actions"][-1:]  # keep the buttons: they are the next step
    kept = blocks[: limit - 1 - len(actions)]
    return [*kept, {"type": "section", "text": _mrkdwn(SHORTENED)}, *actions]


def card_blocks(card: Card, *, block_prefix: str = "") -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(card.title, HEADER_MAX)}]
    for paragraph in card.paragraphs:
        if paragraph.startswith("> "):
            text = "> " + escape(paragraph[2:]).replace("\n", "\n> ")
        else:
            text = escape(paragraph)
        blocks.append({"type": "section", "text": _mrkdwn(text)})
    facts = list(card.facts)
    while facts:
        chunk, facts = facts[:FIELDS_MAX], facts[FIELDS_MAX:]
        blocks.append(
            {
                "type": "section",
                "fields": [_mrkdwn(f"*{escape(label)}*\n{escape(value)}") for label, value in chunk],
            }
        )
    if any(not b.url.startswith("tel:") for b in card.buttons):
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{block_prefix}actions",
                # Slack buttons open web links only: a phone number (tel:) stays in the text,
                # where Slack's apps make it tappable.
                "elements": [_button(b, i) for i, b in enumerate(
                    [b for b in card.buttons if not b.url.startswith("tel:")][:ACTIONS_MAX])],
            }
        )
    return blocks


def _button(button: Button, index: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": _plain(button.label, BUTTON_TEXT_MAX),
        # Slack wants action ids unique within a block; the core's action name comes first.
        "action_id": f"{button.action}|{index}",
        "value": button.value or "-",
    }
    if button.url:
        element["url"] = button.url  # opens in the browser; Slack still sends (and we ack) the click
    if button.style is ButtonStyle.PRIMARY:
        element["style"] = "primary"
    elif button.style is ButtonStyle.DANGER:
        element["style"] = "danger"
    return element


def read_action(action: dict[str, Any]) -> tuple[str, str]:
    """A pressed button's core action and value, from Slack's ``actions[0]``."""
    action_id = str(action.get("action_id") or "")
    name = action_id.rsplit("|", 1)[0] if "|" in action_id else action_id
    value = str(action.get("value") or "")
    return name, "" if value == "-" else value


# --- App Home -------------------------------------------------------------------------------

HOME_HELP = (
    "Type `/boundary report` in any channel or here to report privately, "
    "`/boundary script <what they said>` for words to say, `/boundary status` for your "
    "reports, and `/boundary help` for how privacy works. Everything I send you comes as a "
    "direct message that only you can see."
)


def home(views: list[Card | Notice], command: str = "/boundary") -> dict[str, Any]:
    """The App Home: the core's home views in order, as many as fit in Slack's 100 blocks,
    whole, then how to type verbs; if any is left out, a line saying where to find it."""
    head: list[dict[str, Any]] = [
        {"type": "header", "text": _plain("Boundary Bot", HEADER_MAX)},
        {"type": "section", "text": _mrkdwn(escape("What waits for you, then your own items. "
                                                   "Only you can see this page."))},
    ]
    tail = [{"type": "divider"}, {"type": "section", "text": _mrkdwn(HOME_HELP.replace("/boundary", command))}]
    room = VIEW_BLOCKS_MAX - len(head) - len(tail) - 1  # one left for "there is more"
    body: list[dict[str, Any]] = []
    for i, view in enumerate(views):
        part: list[dict[str, Any]] = [{"type": "divider"}]
        if isinstance(view, Notice):
            part.append({"type": "section", "text": _mrkdwn(escape(view.text))})
        else:
            part.extend(card_blocks(view, block_prefix=f"item{i}-"))
        if len(body) + len(part) > room:
            more = SHORTENED.replace("/boundary", command)
            body.append({"type": "section", "text": _mrkdwn(more)})
            break
        body.extend(part)
    return {"type": "home", "blocks": head + body + tail}


# --- modals ---------------------------------------------------------------------------------


def dialog_modal(dialog: Dialog) -> dict[str, Any]:
    """A read-only modal: what must never be posted as a message (a report's narrative)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": _mrkdwn(escape(p))} for p in dialog.paragraphs]
    facts = list(dialog.facts)
    while facts:
        chunk, facts = facts[:FIELDS_MAX], facts[FIELDS_MAX:]
        blocks.append({"type": "section",
                       "fields": [_mrkdwn(f"*{escape(label)}*\n{escape(value)}") for label, value in chunk]})
    return {"type": "modal", "title": _plain(dialog.title, TITLE_MAX), "close": _plain("Close", TITLE_MAX),
            "blocks": blocks}


def modal(form: Form) -> dict[str, Any]:
    metadata = json.dumps({"form_id": form.form_id, "state": form.state}, separators=(",", ":"))
    if len(metadata) > METADATA_MAX:
        raise ValueError("form state too long for a Slack modal")
    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks.append({"type": "section", "text": _mrkdwn(escape(form.intro))})
    blocks.extend(_input(field, form.values.get(field.name)) for field in form.fields)
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, TITLE_MAX),
        "submit": _plain(form.submit_label, TITLE_MAX),
        "close": _plain("Cancel", TITLE_MAX),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def errors_as_hints(form: Form) -> Form:
    """The form with each field's error shown as its hint (a redrawn modal has no error state)."""
    fields = tuple(replace(f, help=form.errors[f.name]) if f.name in form.errors else f for f in form.fields)
    return replace(form, fields=fields)


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, OPTION_TEXT_MAX), "value": value}


def _input(field: Field, value: Any) -> dict[str, Any]:
    options = [_option(o.value, o.label) for o in field.options]
    labels = {o["value"]: o for o in options}
    element: dict[str, Any]
    if field.search and field.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTI_CHOICE):
        element = _search_element(field, value, labels)
        return _input_block(field, element)
    match field.kind:
        case FieldKind.SINGLE_CHOICE | FieldKind.YES_NO:
            if field.kind is FieldKind.YES_NO:
                options = [_option(v, label) for v, label in YES_NO]
                labels = {o["value"]: o for o in options}
                if isinstance(value, bool):
                    value = "yes" if value else "no"
            kind = "radio_buttons" if len(options) <= RADIO_MAX else "static_select"
            element = {"type": kind, "options": options}
            if isinstance(value, str) and value in labels:
                element["initial_option"] = labels[value]
        case FieldKind.MULTI_CHOICE:
            kind = "checkboxes" if len(options) <= RADIO_MAX else "multi_static_select"
            element = {"type": kind, "options": options}
            chosen = [value] if isinstance(value, str) else list(value or ())
            initial = [labels[v] for v in chosen if v in labels]
            if initial:
                element["initial_options"] = initial
        case FieldKind.SHORT_TEXT | FieldKind.LONG_TEXT:
            element = {"type": "plain_text_input", "multiline": field.kind is FieldKind.LONG_TEXT}
            if field.max_length:
                element["max_length"] = field.max_length
            if isinstance(value, str) and value:
                element["initial_value"] = value
        case FieldKind.DATE:
            element = {"type": "datepicker"}
            if value:
                element["initial_date"] = str(value)
        case FieldKind.TIME:
            element = {"type": "timepicker"}
            if value:
                element["initial_time"] = str(value)[:5]
        case _:
            raise ValueError(f"no Slack input for {field.kind}")
    element["action_id"] = field.name
    if field.placeholder and element["type"] not in ("radio_buttons", "checkboxes"):
        element["placeholder"] = _plain(field.placeholder, 150)
    return _input_block(field, element)


def _search_element(field: Field, value: Any, labels: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A select whose options Slack loads from us as the person types (``block_suggestion``):
    the ``action_id`` names the core's picker; the block id stays the field's name."""
    multi = field.kind is FieldKind.MULTI_CHOICE
    element: dict[str, Any] = {"type": "multi_external_select" if multi else "external_select",
                               "action_id": field.search, "min_query_length": 0}
    chosen = [value] if isinstance(value, str) else list(value or ())
    initial = [labels[v] for v in chosen if v in labels][:SEARCH_INITIAL_MAX]
    if initial:
        if multi:
            element["initial_options"] = initial
        else:
            element["initial_option"] = initial[0]
    if field.placeholder:
        element["placeholder"] = _plain(field.placeholder, 150)
    return element


def search_options(options) -> dict[str, Any]:
    """The answer to an options request (``block_suggestion``): at most Slack's 100."""
    return {"options": [_option(o.value, o.label) for o in list(options)[:OPTIONS_MAX]]}


def _input_block(field: Field, element: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label, 2000),
        "optional": not field.required,
        "element": element,
    }
    if field.help:
        block["hint"] = _plain(field.help, 2000)
    return block


def read_metadata(view: dict[str, Any]) -> tuple[str, str]:
    """The form id and state a modal carried; empty strings when it carried nothing usable."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, TypeError, RecursionError):
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    form_id, state = data.get("form_id", ""), data.get("state", "")
    return (form_id if isinstance(form_id, str) else "", state if isinstance(state, str) else "")


def read_values(view: dict[str, Any]) -> dict[str, Any]:
    """Field name → what was entered, from a view_submission's ``view.state.values``."""
    out: dict[str, Any] = {}
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return out
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            continue
        for element in actions.values():
            if not isinstance(element, dict):
                continue
            out[block_id] = _element_value(element)
    return out


def _element_value(element: dict[str, Any]) -> Any:
    match element.get("type"):
        case "radio_buttons" | "static_select" | "external_select":
            selected = element.get("selected_option")
            return _text(selected.get("value")) if isinstance(selected, dict) else None
        case "checkboxes" | "multi_static_select" | "multi_external_select":
            chosen = element.get("selected_options")
            if not isinstance(chosen, list):
                return []
            return [o["value"] for o in chosen if isinstance(o, dict) and isinstance(o.get("value"), str)]
        case "datepicker":
            return _text(element.get("selected_date"))
        case "timepicker":
            return _text(element.get("selected_time"))
        case _:
            return _text(element.get("value"))


def _text(value: Any) -> str | None:
    """What was entered, when it is text (a form reader never trusts a payload's types)."""
    return value if isinstance(value, str) else None
