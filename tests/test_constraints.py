"""constraints.txt pins every dependency pyproject.toml names (so an audit of the installed set
means something): adding a dependency without regenerating it fails here."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_every_declared_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for extra in ("test",):
        declared |= {_name(r) for r in project["optional-dependencies"][extra]}
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pinned[_name(name)] = version
    missing = sorted(declared - set(pinned))
    assert not missing, f"not in constraints.txt (regenerate it, see docs/security.md): {missing}"
