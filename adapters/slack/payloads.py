"""The shapes of what Slack posts to ``/slack/events``, as typed models (pydantic): a request
is checked against them at the boundary, before slack_bolt or the core sees it, so every
field the adapter reads later is there, of the right type, a reasonable size and valid
Unicode (JSON may carry lone surrogates, which nothing downstream can encode).

Only the fields the adapter (and bolt's routing) reads are declared. What goes on to bolt is
the request *rebuilt from the checked model*: the fields Slack adds that nobody here reads
are dropped rather than trusted, because bolt's own request parsing assumes their types
(``authorizations``, ``enterprise``, ``is_enterprise_install``...) and raises on others. A
payload that fails is answered 400 with a short reason naming the kind of request, never the
content. Events other than those the adapter listens for are answered 200 with nothing done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlencode

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, ValidationError

from adapters.ids import beyond_any_id

MAX_TEXT = 20_000  # longer than anything Slack sends in one field (a modal's text input is 3,000)


def _unicode(value: str) -> str:
    value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError: invalid
    return value


def _not_beyond_an_id(value: str | None) -> str | None:
    if beyond_any_id(value):
        raise ValueError("a number no id can be")
    return value


Text = Annotated[StrictStr, Field(max_length=MAX_TEXT), AfterValidator(_unicode)]
# A value Slack echoes from a button or an option we rendered: an id, or a word.
Echoed = Annotated[Text | None, AfterValidator(_not_beyond_an_id)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=255), AfterValidator(_unicode)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SlashCommand(Shape):
    command: Id
    user_id: Id
    team_id: Id
    text: Text = ""
    trigger_id: Text = ""
    channel_id: Text = ""
    response_url: Text = ""


class Team(Shape):
    id: Id


class User(Shape):
    id: Id
    team_id: Text = ""


class Option(Shape):
    value: Echoed = None


class Element(Shape):
    type: Text = ""
    value: Text | None = None
    selected_option: Option | None = None
    selected_options: list[Option] | None = None
    selected_date: Text | None = None
    selected_time: Text | None = None


class State(Shape):
    values: dict[Text, dict[Text, Element]] = {}


class Block(Shape):
    type: Text = ""
    block_id: Text = ""


class View(Shape):
    id: Text = ""
    type: Text = ""
    callback_id: Text = ""
    private_metadata: Text = ""
    blocks: list[Block] = Field(default=[], max_length=100)
    state: State = State()


class Action(Shape):
    action_id: Id
    block_id: Text = ""
    value: Echoed = None
    action_ts: Text = ""


class Container(Shape):
    type: Text = ""
    channel_id: Text = ""
    message_ts: Text = ""


class BlockActions(Shape):
    type: Literal["block_actions"]
    user: User
    team: Team | None = None
    actions: list[Action] = Field(min_length=1, max_length=50)
    trigger_id: Text = ""
    container: Container = Container()
    view: View | None = None
    channel: Team | None = None
    response_url: Text = ""  # where a refused press is told so (a press on a message has one)


class ViewPayload(Shape):
    type: Literal["view_submission", "view_closed"]
    user: User
    team: Team | None = None
    view: View


class Suggestion(Shape):
    """What was typed into a searchable select (``external_select``): ``action_id`` names the
    core's picker (adapters/slack/options.py)."""

    type: Literal["block_suggestion"]
    user: User
    team: Team | None = None
    action_id: Id
    block_id: Text = ""
    value: Text = ""


class InnerEvent(Shape):
    type: Id
    user: Text = ""
    tab: Text = ""
    channel: Text = ""


class EventCallback(Shape):
    type: Literal["event_callback"]
    team_id: Id
    event_id: Id
    event: InnerEvent
    api_app_id: Text = ""


class UrlVerification(Shape):
    type: Literal["url_verification"]
    challenge: Text


INTERACTIONS = {"block_actions": BlockActions, "view_submission": ViewPayload,
                "view_closed": ViewPayload, "block_suggestion": Suggestion}
EVENTS = {"event_callback": EventCallback, "url_verification": UrlVerification}
LISTENED = {"command", "block_actions", "view_submission", "block_suggestion", "url_verification",
            "app_home_opened"}
FORM = "application/x-www-form-urlencoded"


class Malformed(ValueError):
    """The request is not a Slack request the bot understands; the message is a short reason."""


@dataclass(frozen=True, slots=True)
class Checked:
    """A request that passed: its kind, and the body and content type rebuilt from the model;
    for a slash command, its checked fields as well (answered without bolt)."""

    kind: str
    body: str
    content_type: str
    fields: dict[str, Any] | None = None

    @property
    def listened(self) -> bool:
        """Whether a listener handles this kind (otherwise: 200, nothing done)."""
        return self.kind in LISTENED


def _json_object(text: str, what: str) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise Malformed(f"{what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise Malformed(f"{what} is not a JSON object")
    return data


def _check(model: type[Shape], data: dict, what: str) -> dict[str, Any]:
    try:
        return model.model_validate(data).model_dump(mode="json", exclude_none=True)
    except (ValidationError, RecursionError):
        raise Malformed(f"malformed {what}") from None


def _kind(data: dict, models: dict[str, type[Shape]], what: str) -> str:
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in models:
        raise Malformed(f"unknown {what}")
    return kind


SOCKET_MODELS = {"interactive": INTERACTIONS, "events_api": EVENTS}


def check_socket(envelope_type: str, payload: Any) -> tuple[str, dict[str, Any]]:
    """A Socket Mode envelope's payload checked and rebuilt: (kind, payload). Malformed when
    it is not one we understand."""
    if not isinstance(payload, dict):
        raise Malformed("unknown envelope")
    if envelope_type == "slash_commands":
        kind, model = "command", SlashCommand
    elif envelope_type in SOCKET_MODELS:
        kind = _kind(payload, SOCKET_MODELS[envelope_type], envelope_type)
        model = SOCKET_MODELS[envelope_type][kind]
    else:
        raise Malformed("unknown envelope")
    clean = _check(model, payload, kind)
    if kind == "event_callback":
        kind = clean["event"]["type"]
    return kind, clean


def check(body: str, content_type: str) -> Checked:
    """The request checked and rebuilt; :class:`Malformed` when it is not one we understand."""
    if content_type == "application/json":
        data = _json_object(body, "the body")
        kind = _kind(data, EVENTS, "event envelope")
        clean = _check(EVENTS[kind], data, kind)
        if kind == "event_callback":
            kind = clean["event"]["type"]
        return Checked(kind=kind, body=json.dumps(clean), content_type=content_type)
    if content_type != FORM:
        raise Malformed("expected a form or JSON body")
    try:
        form = parse_qs(body, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (ValueError, UnicodeError):
        raise Malformed("the form is not valid") from None
    if any(len(values) != 1 for values in form.values()):
        raise Malformed("a form field is repeated")
    fields = {key: values[0] for key, values in form.items()}
    if "payload" in fields:
        data = _json_object(fields["payload"], "payload")
        kind = _kind(data, INTERACTIONS, "interaction type")
        clean = _check(INTERACTIONS[kind], data, kind)
        return Checked(kind=kind, body=urlencode({"payload": json.dumps(clean)}), content_type=FORM)
    clean = _check(SlashCommand, fields, "slash command")
    return Checked(kind="command", body="", content_type=FORM, fields=clean)


def team_of(body: dict[str, Any]) -> str:
    """The workspace a payload came from, wherever its kind keeps it."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or body.get("enterprise_id") or "")
