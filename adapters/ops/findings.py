"""What a ``doctor`` check reports: OK (with what it found), a problem (with how to fix it)
or not checked (with why); and the table they are printed as."""

from __future__ import annotations

import stat
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

MAX_SKEW = 60.0  # seconds: Slack signatures allow 5 minutes, Bot Framework tokens a few


@dataclass(frozen=True)
class Finding:
    check: str
    problem: str | None = None  # None: OK
    fix: str = ""
    found: str = ""  # what was seen, when OK (or why it was not checked)
    skipped: bool = False

    @property
    def status(self) -> str:
        return "PROBLEM" if self.problem else "skipped" if self.skipped else "OK"


def ok(check: str, found: str = "") -> Finding:
    return Finding(check, found=found)


def bad(check: str, problem: str, fix: str) -> Finding:
    return Finding(check, problem=problem, fix=fix)


def skip(check: str, why: str) -> Finding:
    return Finding(check, found=why, skipped=True)


def table(findings: list[Finding]) -> str:
    width = max(len(f.check) for f in findings) + 2
    lines = [f"{'status':<9}{'check':<{width}}details", f"{'-' * 8} {'-' * (width - 1)} {'-' * 40}"]
    for f in findings:
        text = f"{f.problem} — how to fix: {f.fix}" if f.problem else f.found
        wrapped = textwrap.wrap(text, 100 - 9 - width, break_on_hyphens=False, break_long_words=False) or [""]
        lines.append(f"{f.status:<9}{f.check:<{width}}{wrapped[0]}")
        lines.extend(" " * (9 + width) + more for more in wrapped[1:])
    problems = sum(1 for f in findings if f.problem)
    lines.append("")
    lines.append(f"{problems} problem(s) found." if problems else "No problems found.")
    return "\n".join(lines)


def key_file_problem(path: Path) -> str | None:
    """The key file's permissions: readable by its owner only."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return f"the key file {path} can be read by others (mode {mode:04o})"
    return None


def now() -> datetime:
    return datetime.now(UTC)


def skew_from_date_header(value: str | None) -> float | None:
    if not value:
        return None
    try:
        theirs = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (now() - theirs).total_seconds()
