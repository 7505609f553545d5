"""The authorisation table covers everything a person can press, submit or type: every button,
form and verb the features register, and every console URL the server serves, appears in
tests/features/authorisation_cases.py. A new button or page that nobody put in the table fails
here, before it ships untested for every role."""

from __future__ import annotations

from aiohttp import web

from bot.features import registry
from tests.console_harness import console_server
from tests.features.authorisation_cases import CASES, CONSOLE_CASES, REFUSED_IDENTITIES, ROLES

ANSWERS = set("YSXNU")


def _pressed() -> tuple[set[str], set[str], set[str]]:
    buttons, forms, verbs = set(), set(), set()
    for _, _, action, _ in CASES:
        kind, _, rest = action.partition(":")
        if kind == "form":
            forms.add(rest)
        elif kind == "verb":
            verbs.add(rest)
        else:
            buttons.add(kind)  # "report.tone:firm" presses report.tone with "firm" in its value
    return buttons, forms, verbs


def test_every_registered_button_form_and_verb_is_in_the_table():
    features = registry()
    buttons, forms, verbs = _pressed()
    missing = ([f"button {b}" for b in sorted(set(features.buttons) - buttons)]
               + [f"form {f}" for f in sorted(set(features.forms) - forms)]
               + [f"verb {v.name}" for v in features.verbs if v.name not in verbs])
    assert not missing, "not in the authorisation table: " + ", ".join(missing)
    unknown = sorted((buttons - set(features.buttons)) | (forms - set(features.forms))
                     | {v for v in verbs if features.verb(v) is None})
    assert not unknown, f"the table presses what no feature registers: {unknown}"


def test_every_cell_names_its_answer():
    for name, _, _, expected in CASES:
        cells = (expected + " " + REFUSED_IDENTITIES).split()
        assert len(cells) == len(ROLES) and set(cells) <= ANSWERS, name
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "two rows share a name"


async def test_every_console_url_is_in_the_table(database_url, tmp_path, clock):
    async with console_server(database_url, tmp_path, clock) as (_, app):
        served = {(route.method, route.resource.canonical) for route in app.router.routes()
                  if route.resource is not None and route.resource.canonical.startswith("/console")
                  and not isinstance(route.resource, web.StaticResource) and route.method != "HEAD"}
    tried = {(method, target.partition(" ")[0]) for _, method, target, _ in CONSOLE_CASES}
    assert not served - tried, f"console URLs not in the authorisation table: {sorted(served - tried)}"
    assert not tried - served, f"the table tries URLs the console does not serve: {sorted(tried - served)}"
