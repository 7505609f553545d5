"""Slack's documented Block Kit limits, checked the way Slack checks them: the fake Web API
(tests/fake_slack.py) refuses a view or message that breaks one, as the real API does —
``invalid_arguments`` for views, ``invalid_blocks`` for messages, with the reasons in
``response_metadata.messages`` — so a form that would not open in Slack does not open in tests.

From the Block Kit reference: blocks per message 50, per modal or Home tab 100; header text
150; section text 3,000, fields 10 of 2,000 each; actions 25 elements; option text 75, value
150; static selects 100 options; radio buttons and checkboxes 10; button text 75, value 2,000;
placeholder 150; input label and hint 2,000; ``action_id``/``block_id``/``callback_id`` 255;
modal title, submit and close 24; ``private_metadata`` 3,000.
"""

from __future__ import annotations

from typing import Any

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
STATIC_OPTIONS = 100
SHORT_LISTS = {"radio_buttons": 10, "checkboxes": 10, "overflow": 5}
STATIC_SELECTS = {"static_select", "multi_static_select"}


def _text_of(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else ""


def _over(problems: list[str], where: str, text: str, limit: int) -> None:
    if len(text) > limit:
        problems.append(f"[ERROR] must be less than {limit + 1} characters [json-pointer:{where}]")


def _option(problems: list[str], where: str, option: dict) -> None:
    _over(problems, f"{where}/text/text", _text_of(option.get("text")), 75)
    _over(problems, f"{where}/value", str(option.get("value", "")), 150)


def _element(problems: list[str], where: str, element: dict) -> None:
    kind = element.get("type")
    _over(problems, f"{where}/action_id", str(element.get("action_id", "")), 255)
    _over(problems, f"{where}/placeholder/text", _text_of(element.get("placeholder")), 150)
    options = element.get("options")
    if kind in STATIC_SELECTS or kind in SHORT_LISTS:
        limit = STATIC_OPTIONS if kind in STATIC_SELECTS else SHORT_LISTS[kind]
        count = len(options or ()) + sum(len(g.get("options") or ()) for g in element.get("option_groups") or ())
        if count > limit:
            problems.append(f"[ERROR] must provide at most {limit} items [json-pointer:{where}/options]")
        if count == 0:
            problems.append(f"[ERROR] must provide at least 1 item [json-pointer:{where}/options]")
    elif options is not None:
        problems.append(f"[ERROR] {kind} takes no options [json-pointer:{where}/options]")
    for i, option in enumerate(options or ()):
        _option(problems, f"{where}/options/{i}", option)
    if kind == "button":
        _over(problems, f"{where}/text/text", _text_of(element.get("text")), 75)
        _over(problems, f"{where}/value", str(element.get("value", "")), 2000)


def block_problems(blocks: list[dict], limit: int, where: str) -> list[str]:
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] must provide at most {limit} items [json-pointer:{where}]")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}/{i}"
        block_id = block.get("block_id")
        if block_id is not None:
            _over(problems, f"{at}/block_id", str(block_id), 255)
            if block_id in seen:
                problems.append(f"[ERROR] duplicate block_id {block_id!r} [json-pointer:{at}/block_id]")
            seen.add(block_id)
        kind = block.get("type")
        if kind == "header":
            _over(problems, f"{at}/text/text", _text_of(block.get("text")), 150)
        elif kind == "section":
            _over(problems, f"{at}/text/text", _text_of(block.get("text")), 3000)
            fields = block.get("fields") or ()
            if len(fields) > 10:
                problems.append(f"[ERROR] must provide at most 10 items [json-pointer:{at}/fields]")
            for j, field in enumerate(fields):
                _over(problems, f"{at}/fields/{j}/text", _text_of(field), 2000)
            if isinstance(block.get("accessory"), dict):
                _element(problems, f"{at}/accessory", block["accessory"])
        elif kind == "actions":
            elements = block.get("elements") or ()
            if len(elements) > 25:
                problems.append(f"[ERROR] must provide at most 25 items [json-pointer:{at}/elements]")
            for j, element in enumerate(elements):
                _element(problems, f"{at}/elements/{j}", element)
        elif kind == "input":
            _over(problems, f"{at}/label/text", _text_of(block.get("label")), 2000)
            _over(problems, f"{at}/hint/text", _text_of(block.get("hint")), 2000)
            _element(problems, f"{at}/element", block.get("element") or {})
    return problems


def view_problems(view: dict) -> list[str]:
    problems = block_problems(view.get("blocks") or [], VIEW_BLOCKS, "/view/blocks")
    for key in ("title", "submit", "close"):
        _over(problems, f"/view/{key}/text", _text_of(view.get(key)), 24)
    _over(problems, "/view/private_metadata", str(view.get("private_metadata") or ""), 3000)
    _over(problems, "/view/callback_id", str(view.get("callback_id") or ""), 255)
    return problems


def message_problems(body: dict) -> list[str]:
    blocks = body.get("blocks") or []
    problems = block_problems(blocks, MESSAGE_BLOCKS, "/blocks")
    _over(problems, "/text", str(body.get("text") or ""), MESSAGE_TEXT)
    return problems
