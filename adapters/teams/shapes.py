"""The shape of an activity as the Bot Connector posts it, as typed models (pydantic):
checked in ``hosting`` before either engine's SDK or the core sees it, so every field the
adapter reads is there and of the right type, and nothing in the body is text that cannot be
encoded (JSON allows lone surrogates) or a number too large for any column.

Only the fields the adapter relies on are typed strictly; informational ones it can do
without (``locale``, ``timestamp``, ``channelData``) are left to the engines, which leave a
bad one out rather than refuse the activity; the rest pass untouched (Teams adds fields).
Card data (``value``) is free-form but goes to the core, so all of it must be encodable and
its numbers in range. Engine-neutral: no SDK here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, ValidationError

MAX_TEXT = 100_000
MAX_INT = 2**53  # the largest integer every JSON reader and database column keeps exactly


def _unicode(value: str) -> str:
    value.encode("utf-8")
    return value


Text = Annotated[StrictStr, Field(max_length=MAX_TEXT), AfterValidator(_unicode)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=1024), AfterValidator(_unicode)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class Account(Shape):
    id: Id
    name: Text | None = None
    aadObjectId: Text | None = None


class Conversation(Shape):
    id: Id
    conversationType: Text | None = None
    tenantId: Text | None = None


class Activity(Shape):
    type: Id
    id: Id | None = None
    serviceUrl: Annotated[Id, Field(max_length=2048)]
    channelId: Id
    sender: Account = Field(alias="from")
    conversation: Conversation
    recipient: Account
    text: Text | None = None
    name: Text | None = None
    replyToId: Text | None = None
    value: Any = None
    membersAdded: list[Account] | None = Field(None, max_length=1000)
    membersRemoved: list[Account] | None = Field(None, max_length=1000)


def problem(body: dict) -> str | None:
    """None when the activity is well formed; else which part is not, in a few words."""
    try:
        Activity.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        return "invalid: " + ".".join(str(p) for p in first["loc"][:2] if isinstance(p, str))[:80]
    except RecursionError:
        return "nested too deeply"
    if not _values_fit(body.get("value")):
        return "value holds text that cannot be encoded or a number too large"
    return None


def _values_fit(body: Any) -> bool:
    """Every string encodable as UTF-8 and every integer within ±2**53, at any depth."""
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(value, bool | float) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_INT:
                return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True
