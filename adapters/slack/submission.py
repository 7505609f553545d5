"""A modal's submission. Unlike commands and button presses, the core is asked before the
acknowledgement: Slack shows per-field errors only when they travel in the ack itself, and
keeps everything the person typed when they do."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from adapters.slack import blocks
from adapters.slack.payloads import team_of
from bot.port.events import FormSubmitted
from bot.port.views import Form

if TYPE_CHECKING:
    from adapters.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)


async def submit(adapter: SlackAdapter, ack: Callable[..., Awaitable[None]], body: dict[str, Any]) -> None:
    view = body.get("view") or {}
    team, user = team_of(body), str((body.get("user") or {}).get("id") or "")
    form_id, state = blocks.read_metadata(view)
    values = blocks.read_values(view)
    event_id = f"slack:{team}:{user}:view:{view.get('id')}:{digest(adapter.digest_key, values)}"
    if not user or not adapter.seen.first(event_id):
        await ack()
        return
    try:
        identity = await adapter.identity(team, user)
        views = await adapter.ask_core(
            FormSubmitted(identity, form_id, values, state=state, event_id=event_id)
        )
    except Exception as exc:
        adapter.seen.forget(event_id)
        log.error("slack view_submission failed with %s", type(exc).__name__)
        await ack(response_action="errors", errors=general_error(view))
        return
    rest = list(views)
    if rest and isinstance(rest[0], Form):
        form = rest.pop(0)
        if form.form_id == form_id and form.errors:
            adapter.seen.forget(event_id)
            shown = {b.get("block_id") for b in view.get("blocks") or () if b.get("type") == "input"}
            if {f.name for f in form.fields} <= shown:
                # Per-field errors in the modal; Slack keeps everything that was typed.
                await ack(response_action="errors", errors=field_errors(form))
            else:
                # The form grew a question ("Which of these is closest?"): Slack flags errors
                # only on blocks the modal has, so it is redrawn with the message as the hint.
                await ack(response_action="update", view=blocks.modal(blocks.errors_as_hints(form)))
            return
        await ack(response_action="update", view=blocks.modal(form))
    else:
        await ack()
    rest = [v for v in rest if not isinstance(v, Form)]
    if rest:
        adapter.spawn(adapter.reply(identity, rest, event_id))

def digest(key: bytes, values: dict[str, Any]) -> str:
    # Keyed, so the stored event id says nothing about what was typed.
    data = json.dumps(values, sort_keys=True, default=str).encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:32]


def field_errors(form: Form) -> dict[str, str]:
    names = {f.name for f in form.fields}
    errors = {k: v for k, v in form.errors.items() if k in names}
    if not errors and form.fields:
        errors[form.fields[0].name] = "; ".join(form.errors.values()) or "Please check this form."
    return errors


def general_error(view: dict[str, Any]) -> dict[str, str]:
    inputs = [b.get("block_id") for b in view.get("blocks") or () if b.get("type") == "input"]
    message = "Sorry, something went wrong on my side and nothing was saved. Please try again."
    return {inputs[0]: message} if inputs else {}
