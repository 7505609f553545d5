"""The Teams adapter's modules import one another one way only, and the engine-neutral ones
(reused by a later Microsoft 365 Agents SDK engine) never reach botbuilder.

The graph is read from the source with ``ast`` — every import statement, including those
inside functions and under ``TYPE_CHECKING``, which hide a cycle without breaking it — so
the helpers work for any package.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

ENGINE_NEUTRAL = ("cards", "package", "submissions", "translate")


def package_modules(package: str) -> dict[str, Path]:
    """Every module of ``package`` (its subpackages included): dotted name → file. Found
    without running the package, which a cycle could break."""
    root = Path(importlib.util.find_spec(package).origin).parent
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Dotted names ``module`` imports; ``from x import y`` gives ``x.y``, whether ``y`` is
    a submodule or a name defined in ``x``."""
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up from this module's own package
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports. Importing a submodule also runs
    its package's ``__init__``; that implicit edge is left out (a package re-exporting its
    submodules is not a cycle), but importing a name from the ``__init__`` counts."""
    modules = package_modules(package)
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            # The longest prefix that is one of the package's modules.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if cycle := visit(node):
            return cycle
    return None


def test_every_teams_module_imports():
    for module in package_modules("adapters.teams"):
        importlib.import_module(module)


def test_teams_modules_import_one_way():
    graph = import_graph("adapters.teams")
    assert graph["adapters.teams.deliver"]  # the graph was read
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_engine_neutral_modules_never_reach_botbuilder():
    graph = import_graph("adapters.teams")
    paths = package_modules("adapters.teams")
    for start in ENGINE_NEUTRAL:
        reached, todo = set(), [f"adapters.teams.{start}"]
        while todo:
            module = todo.pop()
            if module not in reached:
                reached.add(module)
                todo.extend(graph[module])
        for module in reached:
            sdk = {n for n in imported_names(module, paths[module]) if n.split(".")[0] == "botbuilder"}
            assert not sdk, f"{start} reaches botbuilder through {module}: {sorted(sdk)}"


def test_find_cycle_reports_the_loop():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
