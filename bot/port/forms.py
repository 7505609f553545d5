"""Checking a submitted form against its fields: one message per field, nothing half-read."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from bot.port.views import Field, FieldKind, Form

YES = {"yes", "true", "on", "1"}
NO = {"no", "false", "off", "0"}


def clean(form: Form, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed values for every field, and an error message for each field that is wrong.

    Unknown keys in ``raw`` are ignored (a platform may send extra state).
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        try:
            values[field.name] = _clean_field(field, raw.get(field.name))
        except ValueError as exc:
            errors[field.name] = str(exc)
    return values, errors


def _clean_field(field: Field, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    empty = value is None or value == "" or value == []
    if empty:
        if field.required:
            raise ValueError(_missing_message(field))
        return [] if field.kind is FieldKind.MULTI_CHOICE else None

    allowed = {o.value for o in field.options}
    match field.kind:
        case FieldKind.SINGLE_CHOICE:
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if value not in allowed:
                raise ValueError("Please choose one of the options.")
            return value
        case FieldKind.MULTI_CHOICE:
            chosen = [value] if isinstance(value, str) else list(value)
            if any(v not in allowed for v in chosen):
                raise ValueError("Please choose only from the options given.")
            return [o.value for o in field.options if o.value in chosen]  # form order, no repeats
        case FieldKind.YES_NO:
            text = str(value).lower()
            if text in YES:
                return True
            if text in NO:
                return False
            raise ValueError("Please answer yes or no.")
        case FieldKind.DATE:
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                raise ValueError("Please give a date like 2026-03-14.") from None
        case FieldKind.TIME:
            try:
                return time.fromisoformat(str(value))
            except ValueError:
                raise ValueError("Please give a time like 14:30.") from None
        case _:
            text = str(value)
            if field.max_length and len(text) > field.max_length:
                raise ValueError(
                    f"Please keep this to {field.max_length} characters (it is {len(text)} now)."
                )
            return text


def _missing_message(field: Field) -> str:
    if field.kind in (FieldKind.SINGLE_CHOICE, FieldKind.MULTI_CHOICE):
        return "Please choose an option."
    if field.kind is FieldKind.YES_NO:
        return "Please answer yes or no."
    return "Please fill this in."
