"""Card submissions: what a submitted card carried as the core's event, and what the card
becomes afterwards.

Engine-neutral: plain dicts and :mod:`bot.port` types, no botbuilder import. Buttons and
forms use ``Action.Submit``, which arrives as a message whose ``value`` is the submit data
(read by :func:`adapters.teams.cards.read_submission`); a button that opens a dialog arrives
as a ``task/fetch`` invoke instead, answered with the dialog's card.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from adapters.teams import cards
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Card, Form, Notice, View

TASK_FETCH = "task/fetch"


class CardUpdate(NamedTuple):
    """A message already posted (``activity_id``), shown from now on as ``activity``."""

    activity_id: str
    activity: dict


def event_for(submission: dict, identity: Identity, event_id: str) -> ButtonPressed | FormSubmitted:
    """The core's event for a submission read by :func:`~adapters.teams.cards.read_submission`."""
    if submission["kind"] == "button":
        return ButtonPressed(identity, submission["action"], submission["value"], event_id=event_id)
    return FormSubmitted(
        identity, submission["form_id"], submission["values"], state=submission["state"],
        event_id=event_id,
    )


def after_form_submitted(body: dict, form_id: str, views: list[View]) -> tuple[CardUpdate | None, list[View]]:
    """The submitted form's card in its new state, if it changes, and the views still to send.

    ``body`` is the message activity that carried the submission; its ``replyToId`` is the
    card's own activity id.
    """
    card_id = body.get("replyToId") if isinstance(body.get("replyToId"), str) else None
    first = views[0] if views else None
    if isinstance(first, Form) and first.form_id == form_id and first.errors and card_id:
        # The same form with errors: shown in place of the one submitted.
        return CardUpdate(card_id, cards.activity_for(first)), views[1:]
    if isinstance(first, Card) and card_id:
        # Accepted: the form's card closes (without the answers), the reply follows.
        submission = cards.read_submission(body.get("value")) or {}
        closed = cards.closed_form_card(submission.get("title") or "Form")
        activity = {"type": "message",
                    "attachments": [{"contentType": cards.CARD_CONTENT_TYPE, "content": closed}]}
        return CardUpdate(card_id, activity), views
    return None, views


def task_fetch_button(body: dict) -> dict | None:
    """The button submission a ``task/fetch`` invoke carries, or None for any other invoke
    (cards use Action.Submit, which arrives as a message: task/fetch, from a button that opens
    a dialog such as a report's details, is the one invoke we expect)."""
    if body.get("name") != TASK_FETCH:
        return None
    value = body.get("value")
    data = value.get("data") if isinstance(value, dict) else None
    submission = cards.read_submission(data)
    if submission is None or submission["kind"] != "button":
        return None
    return submission


def task_fetch_answer(views: list[View]) -> tuple[int, dict]:
    """The invoke response (status, body) for a task/fetch: the dialog to open."""
    return 200, cards.task_response(views[0] if views else Notice(""))


def invoke_refused() -> tuple[int, dict[str, Any]]:
    """The invoke response (status, body) for an invoke the bot does not handle."""
    return 400, {"code": "BadRequest", "message": "Boundary Bot does not handle this request."}


SEARCH = "application/search"
SEARCH_TOP = 15  # Teams shows at most 15 choices in a typeahead drop-down


def search_request(body: dict) -> tuple[str, str, int, int] | None:
    """``(dataset, what was typed, skip, top)`` of an ``application/search`` invoke (a card's
    dynamic typeahead), or None for any other invoke."""
    if body.get("name") != SEARCH or not isinstance(body.get("value"), dict):
        return None
    value = body["value"]
    options = value.get("queryOptions") if isinstance(value.get("queryOptions"), dict) else {}

    def number(key: str, default: int, most: int) -> int:
        raw = options.get(key)
        return max(0, min(int(raw), most)) if isinstance(raw, int) and not isinstance(raw, bool) else default

    return (str(value.get("dataset") or "")[:100], str(value.get("queryText") or "")[:100],
            number("skip", 0, 50), number("top", SEARCH_TOP, 50) or SEARCH_TOP)


def search_answer(options) -> tuple[int, dict]:
    return 200, cards.search_results(options)
