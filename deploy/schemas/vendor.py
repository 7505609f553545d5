"""Refresh the vendored schemas in this directory (run by hand, with network, when updating).

    pip download --no-deps kubernetes-validate check-jsonschema -d /tmp/schemas
    python deploy/schemas/vendor.py /tmp/schemas/kubernetes_validate-*.whl /tmp/schemas/check_jsonschema-*.whl

- compose-spec.json: the Compose Specification's schema, as vendored by check-jsonschema.
- kubernetes/: the strict JSON schemas of the Kubernetes kinds the example manifest uses, as
  shipped by kubernetes-validate (generated from Kubernetes' OpenAPI), with
  _definitions.json cut down to the definitions those kinds reach.

Nothing here is read at run time; tests and CI validate compose.yaml and
deploy/kubernetes/*.yaml against these files without a network.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KUBERNETES = "v1.33.0"
KINDS = ["deployment-apps-v1", "secret-v1", "service-v1", "poddisruptionbudget-policy-v1"]
REF = re.compile(r'"\$ref":\s*"(?:/api/_definitions\.json)?#/\$defs/([^"]+)"')


def reachable(definitions: dict, roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(REF.findall(json.dumps(definitions[name])))
    return seen


def main(kubernetes_wheel: str, check_jsonschema_wheel: str) -> None:
    base = f"kubernetes_validate/kubernetes-json-schema/{KUBERNETES}-local-strict/"
    out = HERE / "kubernetes"
    out.mkdir(exist_ok=True)
    with zipfile.ZipFile(kubernetes_wheel) as wheel:
        whole = json.loads(wheel.read(base + "_definitions.json"))
        definitions = whole["$defs"]
        roots = []
        for kind in KINDS:
            text = wheel.read(base + kind + ".json").decode()
            (out / f"{kind}.json").write_text(text)
            roots += REF.findall(text)
    keep = reachable(definitions, roots)
    (out / "_definitions.json").write_text(json.dumps(
        {"$schema": whole["$schema"], "$id": whole["$id"], "$defs": {k: definitions[k] for k in sorted(keep)}},
        indent=1) + "\n")
    with zipfile.ZipFile(check_jsonschema_wheel) as wheel:
        vendor = "check_jsonschema/builtin_schemas/vendor/"
        (HERE / "compose-spec.json").write_bytes(wheel.read(vendor + "compose-spec.json"))
        (HERE / "LICENSE.compose-spec").write_bytes(wheel.read(vendor + "licenses/LICENSE.compose-spec"))
    print(f"kubernetes {KUBERNETES}: {len(KINDS)} kinds, {len(keep)} definitions; compose-spec.json")


if __name__ == "__main__":
    main(*sys.argv[1:3])
