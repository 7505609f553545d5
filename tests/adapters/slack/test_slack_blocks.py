"""Block Kit rendering of every field kind, and reading a submission back."""

from adapters.slack import blocks
from bot.port.views import Button, ButtonStyle, Card, Field, FieldKind, Form, Notice, Option

MANY = tuple(Option(f"o{i}", f"Option {i}") for i in range(12))
FORM = Form("f", "A very long form title that Slack would refuse", fields=(
    Field("one", "One", FieldKind.SINGLE_CHOICE, required=True, options=MANY),
    Field("many", "Many", FieldKind.MULTI_CHOICE, options=MANY),
    Field("few", "Few", FieldKind.MULTI_CHOICE, options=MANY[:3]),
    Field("when", "When", FieldKind.DATE),
    Field("at", "At", FieldKind.TIME),
    Field("ok", "OK?", FieldKind.YES_NO, required=True),
    Field("note", "Note", FieldKind.SHORT_TEXT, max_length=40, placeholder="e.g. x"),
), state="s1", values={"one": "o3", "ok": True, "note": "kept"})


def test_every_field_kind_has_an_element_and_reads_back():
    modal = blocks.modal(FORM)
    assert len(modal["title"]["text"]) <= 24 and modal["private_metadata"] == '{"form_id":"f","state":"s1"}'
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    kinds = {name: b["element"]["type"] for name, b in inputs.items()}
    assert kinds == {"one": "static_select", "many": "multi_static_select", "few": "checkboxes",
                     "when": "datepicker", "at": "timepicker", "ok": "radio_buttons", "note": "plain_text_input"}
    assert inputs["one"]["element"]["initial_option"]["value"] == "o3"
    assert inputs["ok"]["element"]["initial_option"]["value"] == "yes"
    assert inputs["note"]["element"]["initial_value"] == "kept" and inputs["note"]["element"]["max_length"] == 40
    assert inputs["one"]["optional"] is False and inputs["many"]["optional"] is True

    state = {"values": {
        "one": {"one": {"type": "static_select", "selected_option": {"value": "o1"}}},
        "many": {"many": {"type": "multi_static_select", "selected_options": [{"value": "o1"}, {"value": "o2"}]}},
        "few": {"few": {"type": "checkboxes", "selected_options": []}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-03-14"}},
        "at": {"at": {"type": "timepicker", "selected_time": "14:30"}},
        "ok": {"ok": {"type": "radio_buttons", "selected_option": None}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }}
    assert blocks.read_values({"state": state}) == {
        "one": "o1", "many": ["o1", "o2"], "few": [], "when": "2026-03-14", "at": "14:30", "ok": None, "note": None}
    assert blocks.read_metadata({"private_metadata": "not json"}) == ("", "")


def test_text_is_escaped_so_nothing_becomes_a_mention_or_link():
    card = Card("T", paragraphs=("<!channel> & <https://x|y>", "> quoted <@U1>"), facts=(("a<b", "c>d"),),
                buttons=(Button("Go", "x.go", "1", ButtonStyle.DANGER), Button("Again", "x.go")))
    shown = str(blocks.message(card)["blocks"])
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp; &lt;https://x|y&gt;" in shown
    assert "> quoted &lt;@U1&gt;" in shown
    actions = blocks.message(card)["blocks"][-1]["elements"]
    assert [a["action_id"] for a in actions] == ["x.go|0", "x.go|1"] and actions[0]["style"] == "danger"
    assert blocks.read_action(actions[1]) == ("x.go", "")
    assert blocks.message(Notice("a <b>"))["text"] == "a &lt;b&gt;"  # the notification text too


def test_form_readers_take_only_text_from_a_payload_of_the_wrong_shape():
    from adapters.slack.blocks import read_metadata, read_values

    assert read_metadata({"private_metadata": "[" * 5000}) == ("", "")
    assert read_metadata({"private_metadata": '{"form_id": 7, "state": ["x"]}'}) == ("", "")
    assert read_metadata({"private_metadata": "[1]"}) == ("", "")
    assert read_values({"state": "values"}) == {}
    assert read_values({"state": {"values": [1, 2]}}) == {}
    odd = {"state": {"values": {
        "a": {"x": {"type": "checkboxes", "selected_options": "abc"}},
        "b": {"x": {"type": "checkboxes", "selected_options": [{"value": 3}, "y", {"value": "ok"}]}},
        "c": {"x": {"type": "static_select", "selected_option": {"value": {"deep": 1}}}},
        "d": {"x": {"type": "plain_text_input", "value": 10 ** 30}},
        "e": {"x": {"type": "datepicker", "selected_date": ["2025-01-01"]}},
    }}}
    assert read_values(odd) == {"a": [], "b": ["ok"], "c": None, "d": None, "e": None}
