"""The dependency audit (.ci/audit_dependencies.py) says what it checked, fails on a known
vulnerability nobody accepted, and never calls an audit that could look nothing up clean."""

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / ".ci" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules["audit_dependencies"] = audit  # dataclasses look their module up by name
_spec.loader.exec_module(audit)

TODAY = date(2026, 12, 6)
UNREACHABLE = {"dependencies": [
    {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited: aiohttp (3.14.5)"},
    {"name": "yarl", "skip_reason": "Dependency not found on PyPI and could not be audited: yarl (1.25.1)"},
]}
VULNERABLE = {"dependencies": [
    {"name": "aiohttp", "version": "3.9.0", "vulns": [{"id": "GHSA-aaaa", "aliases": ["CVE-2024-1"]}]},
    {"name": "yarl", "version": "1.25.1", "vulns": []},
]}
ACCEPTED = """
[[ignore]]
id = "CVE-2024-1"
package = "aiohttp"
reason = "only the client side is affected; we use aiohttp's client only towards the platforms"
revisit = 2027-01-31
"""


def test_an_unreachable_service_is_reported_as_nothing_checked_and_does_not_fail():
    outcome = audit.judge(UNREACHABLE, [], TODAY)
    said = "\n".join(outcome.lines)
    assert "NOTHING WAS CHECKED" in said and "none of the 2 installed packages" in said
    assert "no known vulnerabilities" not in said.lower() and not outcome.failed
    assert "NOTHING WAS CHECKED" in "\n".join(audit.judge(None, [], TODAY).lines)


def test_a_known_vulnerability_fails_unless_accepted_with_a_reason_until_a_date():
    assert audit.judge(VULNERABLE, [], TODAY).failed
    accepted = audit.load_accepted(ACCEPTED)
    outcome = audit.judge(VULNERABLE, accepted, TODAY)
    assert not outcome.failed and "accepted: aiohttp CVE-2024-1 until 2027-01-31" in "\n".join(outcome.lines)
    assert "all 2 installed packages checked" in outcome.lines[0]
    assert audit.judge(VULNERABLE, accepted, date(2027, 2, 1)).failed  # past its revisit date


def test_an_acceptance_without_a_reason_or_a_date_is_refused():
    with pytest.raises(ValueError, match="reason"):
        audit.load_accepted('[[ignore]]\nid = "X"\npackage = "aiohttp"\nrevisit = 2027-01-01\n')


def test_the_shipped_ignore_file_reads():
    audit.load_accepted((ROOT / ".ci" / "audit-ignore.toml").read_text())


def test_a_partial_lookup_names_what_was_not_checked():
    mixed = {"dependencies": [VULNERABLE["dependencies"][1], UNREACHABLE["dependencies"][0]]}
    said = "\n".join(audit.judge(mixed, [], TODAY).lines)
    assert "1 of 2 packages checked; NOT checked: aiohttp" in said
