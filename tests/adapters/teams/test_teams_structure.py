"""The Teams adapter's shape: engine-neutral modules reach neither SDK, not even through
another module; the Agents engine never reaches botbuilder and the botbuilder engine never
reaches the Agents SDK; every module imports. (No import cycles anywhere is checked for the
whole project in test_architecture.py.)"""

from __future__ import annotations

import importlib

import pytest

from tests.importgraph import import_graph, imports_of, module_name, source_files

TEAMS = "adapters.teams"
ENGINE_NEUTRAL = ("cards", "package", "submissions", "translate", "turns", "runtime", "deliver",
                  "connector", "auth")
BOTBUILDER_ENGINE = ("botbuilder_engine", "adapter", "activity_handler")
AGENTS_ENGINE = ("agents", "agents.engine", "agents.adapter", "agents.handler", "agents.connector",
                 "agents.tokens", "agents.auth")


def test_every_teams_module_imports():
    for module in import_graph("adapters/teams"):
        importlib.import_module(module)


def reached_sdks(start: str) -> dict[str, set[str]]:
    """Every module ``start`` reaches inside the package → the SDK packages it imports."""
    graph = import_graph("adapters/teams")
    paths = {module_name(path): path for path in source_files("adapters/teams")}
    reached, todo = set(), [f"{TEAMS}.{start}"]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(graph[module])
    sdks = {}
    for module in reached:
        found = {name for name in imports_of(paths[module])
                 if name.split(".")[0] in ("botbuilder", "microsoft_agents")}
        if found:
            sdks[module] = found
    return sdks


@pytest.mark.parametrize("start", ENGINE_NEUTRAL)
def test_engine_neutral_modules_never_reach_an_sdk(start):
    assert reached_sdks(start) == {}, f"{start} reaches an SDK"


@pytest.mark.parametrize("start", BOTBUILDER_ENGINE)
def test_the_botbuilder_engine_never_reaches_the_agents_sdk(start):
    found = {m: s for m, s in reached_sdks(start).items() if any(n.startswith("microsoft_agents") for n in s)}
    assert found == {}, f"{start} reaches the Agents SDK through {found}"


@pytest.mark.parametrize("start", AGENTS_ENGINE)
def test_the_agents_engine_never_reaches_botbuilder(start):
    found = {m: s for m, s in reached_sdks(start).items() if any(n.startswith("botbuilder") for n in s)}
    assert found == {}, f"{start} reaches botbuilder through {found}"


def test_hosting_chooses_the_engine_and_imports_only_that_one():
    # hosting imports an engine inside create_engine, so importing hosting loads neither SDK.
    code = (
        "import sys; import adapters.teams.hosting; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'botbuilder', 'microsoft_agents'}))"
    )
    import subprocess
    import sys

    from tests.importgraph import REPO

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"
