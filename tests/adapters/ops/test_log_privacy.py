"""No name, email, free text or client reference in any log line, across every flow.

The end-to-end tests of every flow — report, script, chaperone, volunteer, refer, escalate,
status, help and free text, through the web chat, Slack and Teams fakes, with timers and the
outbox running — are run again in a child pytest with every log record also written as the
server writes it with ``BOUNDARY_LOG_FORMAT=json`` at ``LOG_LEVEL=DEBUG`` (tests/conftest.py,
``BOUNDARY_TEST_LOG_FILE``). Every line must parse as one JSON object, and none may contain a
demo person's name or email, anything that looks like an email, or any of the words the
tests typed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections import Counter

from bot.org import orgfile
from tests.conftest import REPO

FLOWS = [
    "tests/adapters/test_every_verb_everywhere.py",
    "tests/adapters/web/test_web_chat.py",
    "tests/features/chaperone/test_web_chat_chaperone.py",
    "tests/features/referral/test_web_chat_referral.py",
    "tests/adapters/slack/test_slack.py",
    "tests/features/escalation/test_slack_escalation.py",
    "tests/features/referral/test_slack_referral.py",
    "tests/adapters/teams/test_teams.py",
    "tests/features/escalation/test_teams_escalation.py",
    "tests/features/referral/test_teams_referral.py",
    "tests/features/chaperone/test_cross_platform_chaperone.py",
]
HARNESSES = ["tests/slack_harness.py", "tests/teams_harness.py", "tests/web_harness.py"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
VERBS = {"help", "status", "report", "chaperone", "volunteer", "refer", "escalate", "script", "fallback"}


def typed_words() -> set[str]:
    """Free text and client nicknames the flows type: every module-level string constant of
    theirs (and of their harnesses) that reads like words, and the string values of their
    module-level dicts (the every-verb test's per-platform words). Read from the source: test
    modules never import each other."""
    words: set[str] = set()
    for path in FLOWS + HARNESSES:
        tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.Assign) or not all(isinstance(t, ast.Name) and t.id.isupper()
                                                             for t in node.targets):
                continue
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                text = node.value.value
                if " " in text and len(text) >= 10:
                    words.add(text)
            elif isinstance(node.value, ast.DictComp | ast.Dict):
                for inner in ast.walk(node.value):
                    if isinstance(inner, ast.JoinedStr):  # f"... {platform}": every platform's version
                        for platform in ("slack", "teams", "web"):
                            words.add("".join(str(v.value) if isinstance(v, ast.Constant) else platform
                                              for v in inner.values))
    return words


def people() -> set[str]:
    """Each demo person's full name, first name, surname and email."""
    found: set[str] = set()
    for person in orgfile.demo().people:
        name = re.sub(r"\s*\(.*\)", "", person.name).removeprefix("Dr ")
        found.update({name, *name.split(), person.email})
    return found


def test_every_flow_at_debug_logs_json_lines_without_names_emails_or_free_text(tmp_path):
    log_file = tmp_path / "server.jsonl"
    env = {**os.environ, "BOUNDARY_TEST_LOG_FILE": str(log_file)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FLOWS],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:]

    lines = log_file.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) > 500 and all(isinstance(r, dict) and {"event", "level", "timestamp"} <= r.keys()
                                      for r in records)

    # The run covered every verb on every platform, and free text typed where a verb goes.
    handled = Counter((r.get("platform"), r.get("event_name")) for r in records if r.get("event_kind") == "command")
    for platform in ("slack", "teams", "web"):
        assert {name for p, name in handled if p == platform} >= VERBS, (platform, handled)
    assert {r["logger"] for r in records} >= {"bot.app", "bot.machinery.outbox", "bot.machinery.scheduler",
                                              "boundary.access"}
    assert any("request_id" in r and "notification_id" in r for r in records)  # the outbox, correlated
    assert any("request_id" in r and "timer_id" in r for r in records)  # and the timers

    typed, names = typed_words(), people()
    assert len(typed) > 10 and len(names) > 30
    assert leaks_in(lines, typed, names) == []


def leaks_in(lines: list[str], typed: set[str], names: set[str]) -> list[tuple[str, str]]:
    """(what leaked, the line) for each typed text (any case), name (as a word) or email."""
    named = re.compile("|".join(rf"\b{re.escape(n)}\b" for n in sorted(names, key=len, reverse=True)))
    leaks = [(word, line[:300]) for line in lines for word in typed if word.lower() in line.lower()]
    leaks += [(found, line[:300]) for line in lines for found in named.findall(line)]
    leaks += [(found, line[:300]) for line in lines for found in EMAIL.findall(line)]
    return leaks


def test_the_scan_finds_what_it_looks_for():
    typed, names = {"said he would wait"}, people()
    lines = ['{"event": "GET /chat/say 200", "request_id": "3f9a"}',
             '{"event": "x", "note": "He Said he would wait"}', '{"event": "delivered to Asha"}',
             '{"event": "linked Patel"}', '{"event": "user someone@example.org"}', '{"event": "SameSite Kimchi"}']
    assert [found for found, _ in leaks_in(lines, typed, names)] == [
        "said he would wait", "Asha", "Patel", "someone@example.org"]
