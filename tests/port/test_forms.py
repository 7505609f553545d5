"""Generic form checking: one clear message per field; typed values out."""

from datetime import date, time

from bot.port.forms import clean
from bot.port.views import Field, FieldKind, Form, Option

FORM = Form(
    "f",
    "Test",
    (
        Field("one", "One", FieldKind.SINGLE_CHOICE, required=True, options=(Option("a", "A"), Option("b", "B"))),
        Field("many", "Many", FieldKind.MULTI_CHOICE, options=(Option("x", "X"), Option("y", "Y"))),
        Field("short", "Short", FieldKind.SHORT_TEXT, max_length=5),
        Field("long", "Long", FieldKind.LONG_TEXT, required=True),
        Field("day", "Day", FieldKind.DATE),
        Field("at", "At", FieldKind.TIME),
        Field("ok", "OK", FieldKind.YES_NO, required=True),
    ),
)


def test_good_values_come_back_typed():
    values, errors = clean(
        FORM,
        {"one": "b", "many": ["y", "x", "y"], "short": " hi ", "long": "text", "day": "2026-03-14", "at": "14:30", "ok": "no"},
    )
    assert errors == {}
    assert values == {
        "one": "b", "many": ["x", "y"], "short": "hi", "long": "text",
        "day": date(2026, 3, 14), "at": time(14, 30), "ok": False,
    }


def test_every_bad_field_gets_its_own_message():
    values, errors = clean(
        FORM, {"one": "z", "many": ["q"], "short": "toolong", "long": "   ", "day": "14/03", "at": "2pm", "ok": "maybe"}
    )
    assert set(errors) == {"one", "many", "short", "long", "day", "at", "ok"}
    assert "5 characters" in errors["short"]
    assert errors["long"] == "Please fill this in."
    assert "2026-03-14" in errors["day"]


def test_optional_fields_may_be_empty_and_single_values_are_accepted_for_multi_choice():
    values, errors = clean(FORM, {"one": "a", "long": "x", "ok": "yes", "many": "x"})
    assert errors == {}
    assert values["many"] == ["x"] and values["short"] is None and values["ok"] is True
