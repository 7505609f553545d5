"""The house rules, checked mechanically on every run (docs/architecture.md explains them).

- the core (``bot/``) imports no chat SDK, no web framework and nothing from ``adapters/``;
- a feature uses another feature only through that feature's package (what its
  ``__init__`` exports), never through its inner modules;
- the shared layers (content, port, machinery, org) never import a feature's inner modules;
- there is no import cycle anywhere in ``bot/`` or ``adapters/``;
- no source file grows past about 400 lines.

Imports are read from the source (tests/importgraph.py).
"""

from __future__ import annotations

import pytest

from tests.importgraph import REPO, find_cycle, import_graph, imports_of, module_name, source_files

FORBIDDEN_IN_CORE = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents", "aiohttp",
                     "adapters", "msal", "jwt")
MAX_LINES = 420


def test_the_core_imports_no_platform_sdk_web_framework_or_adapter():
    leaks = [
        f"{module_name(path)} imports {name}"
        for path in source_files("bot")
        for name in imports_of(path)
        if name.split(".")[0] in FORBIDDEN_IN_CORE
    ]
    assert leaks == []


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "features"] else None


def test_features_use_each_other_only_through_their_package():
    """``bot.features.escalation`` is another feature's front door; its ``flow`` or
    ``storage`` modules are its own business."""
    breaches = []
    for path in source_files("bot", "adapters"):
        me = module_name(path)
        for name in imports_of(path):
            other = _feature_of(name)
            inner = other is not None and name != f"bot.features.{other}"
            if inner and other != _feature_of(me):
                breaches.append(f"{me} reaches into {name}")
    assert breaches == []


def test_no_import_cycles():
    assert find_cycle(import_graph("bot", "adapters")) is None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", ["bot", "adapters", "tests", "bench"])
def test_no_source_file_is_over_about_400_lines(package):
    long = {str(p.relative_to(REPO)): n for p in source_files(package)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
