"""The Teams adapter's engine-neutral modules (reused by a second engine, the Microsoft 365
Agents SDK) never reach botbuilder, not even through another module; every module imports.
(No import cycles anywhere is checked for the whole project in test_architecture.py.)"""

from __future__ import annotations

import importlib

from tests.importgraph import import_graph, imports_of, module_name, source_files

ENGINE_NEUTRAL = ("cards", "package", "submissions", "translate")
TEAMS = "adapters.teams"


def test_every_teams_module_imports():
    for module in import_graph("adapters/teams"):
        importlib.import_module(module)


def test_engine_neutral_modules_never_reach_botbuilder():
    graph = import_graph("adapters/teams")
    paths = {module_name(path): path for path in source_files("adapters/teams")}
    for start in ENGINE_NEUTRAL:
        reached, todo = set(), [f"{TEAMS}.{start}"]
        while todo:
            module = todo.pop()
            if module not in reached:
                reached.add(module)
                todo.extend(graph[module])
        for module in reached:
            sdk = {name for name in imports_of(paths[module]) if name.split(".")[0] == "botbuilder"}
            assert not sdk, f"{start} reaches botbuilder through {module}: {sorted(sdk)}"
