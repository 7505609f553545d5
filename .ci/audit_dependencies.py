#!/usr/bin/env python3
"""Audit the installed packages for known vulnerabilities, and say plainly what was checked.

Runs ``pip-audit --local`` over the venv it is started from and reads its JSON:

- a known vulnerability fails CI unless ``.ci/audit-ignore.toml`` lists it with a reason
  and a revisit date that has not passed;
- when the vulnerability service cannot be reached, or a package cannot be looked up, the
  summary says that nothing (or not everything) was checked — never "no known
  vulnerabilities" — and that alone does not fail CI;
- anything pip-audit itself failed at (no JSON) is reported as "nothing was checked".

Exit status: 1 only for a known, unaccepted vulnerability (or a broken ignore file).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

IGNORE_FILE = Path(__file__).with_name("audit-ignore.toml")


@dataclass
class Accepted:
    id: str
    package: str
    reason: str
    revisit: date


@dataclass
class Outcome:
    checked: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    found: list[tuple[str, str, str]] = field(default_factory=list)  # package, version, id
    accepted: list[tuple[str, str]] = field(default_factory=list)  # package, id
    failed: bool = False
    lines: list[str] = field(default_factory=list)


def load_accepted(text: str) -> list[Accepted]:
    """The ignore file: ``[[ignore]]`` tables with id, package, reason and revisit (a date)."""
    accepted = []
    for entry in tomllib.loads(text).get("ignore", []):
        missing = [k for k in ("id", "package", "reason", "revisit") if not entry.get(k)]
        if missing:
            raise ValueError(f"an ignore entry lacks {', '.join(missing)}: every accepted vulnerability needs "
                             "a reason and a date to look at it again")
        revisit = entry["revisit"]
        if not isinstance(revisit, date):
            revisit = date.fromisoformat(str(revisit))
        accepted.append(Accepted(str(entry["id"]), str(entry["package"]).lower(), str(entry["reason"]), revisit))
    return accepted


def judge(report: dict | None, accepted: list[Accepted], today: date) -> Outcome:
    """What the audit found, in words, and whether CI should fail."""
    out = Outcome()
    if report is None:
        out.lines.append("DEPENDENCY AUDIT: NOTHING WAS CHECKED: pip-audit gave no result (the vulnerability "
                         "service could not be reached?). This is not a clean bill of health.")
        return out
    for dep in report.get("dependencies", []):
        name = dep.get("name", "?")
        if dep.get("skip_reason"):
            out.unchecked.append(name)
            continue
        out.checked.append(name)
        for vuln in dep.get("vulns", []):
            ids = [vuln.get("id", "?"), *vuln.get("aliases", [])]
            ok = next((a for a in accepted if a.id in ids and a.package == name.lower()), None)
            if ok is not None and ok.revisit >= today:
                out.accepted.append((name, ok.id))
            else:
                out.found.append((name, dep.get("version", "?"), ids[0]))
    total = len(out.checked) + len(out.unchecked)
    if not out.checked:
        out.lines.append(f"DEPENDENCY AUDIT: NOTHING WAS CHECKED: none of the {total} installed packages could be "
                         "looked up (is the vulnerability service reachable?). This is not a clean bill of health.")
    elif out.unchecked:
        out.lines.append(f"dependency audit: {len(out.checked)} of {total} packages checked; NOT checked: "
                         + ", ".join(sorted(out.unchecked)))
    else:
        out.lines.append(f"dependency audit: all {total} installed packages checked")
    for name, vuln_id in out.accepted:
        why = next(a for a in accepted if a.id == vuln_id)
        out.lines.append(f"accepted: {name} {vuln_id} until {why.revisit.isoformat()}: {why.reason}")
    for a in accepted:
        if a.revisit < today:
            out.lines.append(f"the acceptance of {a.package} {a.id} was to be revisited by {a.revisit.isoformat()}")
    for name, version, vuln_id in out.found:
        out.lines.append(f"VULNERABLE: {name} {version}: {vuln_id}")
        out.failed = True
    if out.checked and not out.found:
        out.lines.append(f"no known vulnerabilities in the {len(out.checked)} packages that were checked")
    return out


def run_pip_audit() -> dict | None:
    command = [sys.executable, "-m", "pip_audit", "--local", "--format", "json", "--progress-spinner", "off"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        return json.loads(done.stdout) if done.stdout.strip() else None
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None


def main() -> int:
    try:
        accepted = load_accepted(IGNORE_FILE.read_text() if IGNORE_FILE.exists() else "")
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        print(f"{IGNORE_FILE.name}: {exc}")
        return 1
    outcome = judge(run_pip_audit(), accepted, date.today())
    print("\n".join(outcome.lines))
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
