"""The house rules, checked mechanically on every run (docs/architecture.md explains them).

- the core (``bot/``) imports no chat SDK, no web framework and nothing from ``adapters/``;
- a feature uses another feature only through that feature's package (what its
  ``__init__`` exports), never through its inner modules;
- the shared layers (content, port, machinery, org) never import a feature's inner modules;
- there is no import cycle anywhere in ``bot/`` or ``adapters/``;
- no source file grows past about 400 lines.

Imports are read with ``ast`` (nothing is executed). Imports inside functions count (moving
an import into a function hides a cycle, it does not remove it); imports under
``if TYPE_CHECKING:`` do not: they exist only for type checkers and never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "microsoft_agents", "aiohttp",
                     "adapters", "msal", "jwt")
MAX_LINES = 420


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (REPO / package).rglob("*.py"))


def _type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports at run time, as absolute dotted names. ``from a import b``
    counts as ``a.b`` when ``a.b`` is a module of the project, else as ``a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package[: len(package) - child.level + 1] + ([base] if base else []))
                for alias in child.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if _is_project_module(candidate) else base)
            visit(child)

    visit(tree)
    return found


def _is_project_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph(*packages: str) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in source_files(*packages)}
    return {name: {i for i in imports_of(path) if i in modules} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := walk(start)):
            return cycle
    return None


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
