"""Validate compose.yaml against the Compose Specification's schema, and the Kubernetes
example against Kubernetes' schemas — offline, with the copies in deploy/schemas/.

    python deploy/validate.py          # prints one line per document; exits 1 on any problem
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "deploy" / "schemas"
COMPOSE = REPO / "compose.yaml"
KUBERNETES = sorted((REPO / "deploy" / "kubernetes").glob("*.yaml"))


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def compose_problems(path: Path = COMPOSE) -> list[str]:
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    document = yaml.safe_load(path.read_text())
    return _errors(Draft202012Validator(schema), document)


def _kubernetes_registry() -> Registry:
    definitions = json.loads((SCHEMAS / "kubernetes" / "_definitions.json").read_text())
    return Registry().with_resource(definitions["$id"], Resource.from_contents(definitions))


def kubernetes_problems(path: Path) -> list[tuple[str, list[str]]]:
    """(kind/name, problems) for each document in ``path``."""
    registry = _kubernetes_registry()
    found = []
    for document in yaml.safe_load_all(path.read_text()):
        if document is None:
            continue
        kind, api = document.get("kind", "?"), document.get("apiVersion", "?")
        group, _, version = api.rpartition("/")
        name = f"{kind.lower()}-{group.split('.')[0] + '-' if group else ''}{version}.json"
        label = f"{kind}/{(document.get('metadata') or {}).get('name', '?')}"
        schema_file = SCHEMAS / "kubernetes" / name
        if not schema_file.exists():
            found.append((label, [f"no vendored schema for {api} {kind} ({name}): add it in deploy/schemas/vendor.py"]))
            continue
        schema = json.loads(schema_file.read_text())
        cls = Draft202012Validator if "2020-12" in schema.get("$schema", "2020-12") else Draft7Validator
        found.append((label, _errors(cls(schema, registry=registry), document)))
    return found


def main() -> int:
    failed = False
    problems = compose_problems()
    print(f"{COMPOSE.relative_to(REPO)}: {'OK' if not problems else 'PROBLEMS'}")
    for problem in problems:
        print(f"  {problem}")
    failed |= bool(problems)
    for path in KUBERNETES:
        for label, problems in kubernetes_problems(path):
            print(f"{path.relative_to(REPO)} {label}: {'OK' if not problems else 'PROBLEMS'}")
            for problem in problems:
                print(f"  {problem}")
            failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
