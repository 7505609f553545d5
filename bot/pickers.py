"""Choices found by typing: what the core does with a form's search fields.

A field with ``search`` set (a person, a team, a site) is not sent with every possible
option — an organisation has 20,000 people and hundreds of sites, and Slack refuses more
than 100 options, Teams cards more than about 28 KB. The platform asks as the person types
(:meth:`bot.app.BoundaryBot.search` → the feature's :class:`~bot.feature.Picker`), and when
the form comes back :func:`with_choices` asks the same picker which of the submitted values
this person may pick. :func:`bot.port.forms.clean` then accepts exactly those.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.port.views import Form

if TYPE_CHECKING:
    from bot.turn import Turn

SEARCH_LIMIT = 50  # choices per answer: enough to scan by eye, well under Slack's 100
QUERY_MAX = 100  # characters of a query that are looked at
VALUE_MAX = 150  # Slack's limit on an option's value; anything longer is not ours


def submitted(value: Any) -> list[str]:
    """The values a search field carried, whatever shape the platform sent them in."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(v).strip() for v in items if str(v).strip() and len(str(v)) <= VALUE_MAX][:100]


async def with_choices(turn: Turn, form: Form, raw: dict[str, Any]) -> Form:
    """``form`` with each search field's options set to the submitted values its picker
    allows, labelled: cleaning then accepts those and only those, and a form handed back
    with errors shows them still chosen."""
    fields = []
    changed = False
    for field in form.fields:
        picker = turn.features.pickers.get(field.search) if field.search else None
        if picker is not None:
            wanted = submitted(raw.get(field.name))
            allowed = await picker.resolve(turn, wanted) if wanted else []
            known = {o.value for o in field.options}
            field = replace(field, options=(*field.options, *(o for o in allowed if o.value not in known)))
            changed = True
        fields.append(field)
    return replace(form, fields=tuple(fields)) if changed else form
