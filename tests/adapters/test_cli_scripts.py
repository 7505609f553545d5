"""``boundary-bot scripts find`` and ``scripts check``, run as a real process."""

import json

from tests.cli_harness import run


def test_find_prints_the_lookup_as_json_best_first(tmp_path):
    result = run(["scripts", "find", "client said she'd kill herself if I stop seeing her", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"matches", "clarify"} and answer["clarify"] == []
    first = answer["matches"][0]
    assert {"id", "category", "steps", "tone", "say", "next_step", "pathway"} <= set(first)
    assert first["pathway"] == "risk" and first["next_step"] == "risk_assessment"
    assert all(m["pathway"] in ("risk", "boundary") for m in answer["matches"])


def test_find_asks_when_unsure_and_takes_profession_and_setting(tmp_path):
    unsure = json.loads(run(["scripts", "find", "waiting for me", "--json"], tmp_path).stdout)
    assert 2 <= len(unsure["clarify"]) <= 3 and all(c["label"] for c in unsure["clarify"])
    therapist = json.loads(run(["scripts", "find", "client wants a hug", "--profession", "therapist",
                                "--setting", "in_person", "--json"], tmp_path).stdout)
    assert therapist["matches"][0]["id"] == "touch-hug-therapy"
    bad = run(["scripts", "find", "hug", "--profession", "plumber"], tmp_path)
    assert bad.returncode == 2 and "plumber" in bad.stderr


def test_check_lists_unreviewed_scripts_without_failing(tmp_path):
    result = run(["scripts", "check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "scripts, no problems" in result.stdout
    assert "not yet signed off by a clinical lead" in result.stdout and "risk-self-harm-stay" in result.stdout
