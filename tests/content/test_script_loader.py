"""The script loader's checks on bad content, the safety rules it enforces on the risk
pathway, and the catalogue a clinical lead signs off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.scripts import MAX_SAY_CHARS, LibraryError, load_library
from bot.content.situations import all_situations
from bot.content.taxonomy import Category

C = Category


@pytest.fixture(scope="module")
def library():
    return load_library()


# --- the loader's checks ----------------------------------------------------------------------

GOOD = """\
  - id: {id}
    categories: [ROMANTIC]
    steps: [1]
    tone: gentle
    say: Thank you, let's get back to your plan for today.
    next_step: redirect
    why: A first remark needs a steer back, not a scene.
    sources:
      - {{code: "AMA Code of Medical Ethics 9.1.1", regions: [US]}}
"""


def problems(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)
    return caught.value.problems


def entry(**changes: str) -> str:
    text = GOOD.format(id=changes.pop("id", "romantic-test"))
    for field, value in changes.items():
        text = re.sub(rf"(?m)^    {field}:.*$", f"    {field}: {value}" if value else "", text)
    return "scripts:\n" + text


def test_loader_accepts_a_good_file(tmp_path):
    (tmp_path / "ok.yaml").write_text("scripts:\n" + GOOD.format(id="ok-one"), encoding="utf-8")
    assert [s.id for s in load_library(tmp_path).scripts] == ["ok-one"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"categories": "[FLIRTING]"}, "categories.0"),
        ({"steps": "[7]"}, "steps.0"),
        ({"tone": "sarcastic"}, "tone"),
        ({"say": '""'}, "say"),
        ({"say": "x" * (MAX_SAY_CHARS + 1)}, "say"),
        ({"id": "Bad Id!"}, "id"),
        ({"next_step": ""}, "next_step"),
    ],
)
def test_loader_names_file_entry_and_field(tmp_path, changes, expected):
    found = problems(tmp_path, {"romantic.yaml": entry(**changes)})
    assert len(found) == 1, found
    assert found[0].startswith("romantic.yaml: scripts[0]"), found
    assert f": {expected}:" in found[0], found


def test_loader_reports_missing_and_empty_sources(tmp_path):
    no_sources = "scripts:\n" + GOOD.format(id="no-sources").split("    sources:")[0]
    empty = "scripts:\n" + GOOD.format(id="empty-sources").split("    sources:")[0] + "    sources: []\n"
    found = problems(tmp_path, {"a.yaml": no_sources, "b.yaml": empty})
    assert any(p.startswith("a.yaml: scripts[0] (no-sources): sources:") for p in found), found
    assert any(p.startswith("b.yaml: scripts[0] (empty-sources): sources:") for p in found), found


def test_loader_reports_unknown_fields(tmp_path):
    text = entry() + "    mood: cheerful\n"
    found = problems(tmp_path, {"x.yaml": text})
    assert found == [f for f in found if f.startswith("x.yaml: scripts[0] (romantic-test): mood:")]


def test_loader_reports_duplicate_ids_across_files(tmp_path):
    found = problems(
        tmp_path, {"a.yaml": entry(id="same-id"), "b.yaml": entry(id="same-id")}
    )
    assert found == ["b.yaml: scripts[0] (same-id): duplicate id, first used in a.yaml"]


def test_loader_reports_humour_where_it_is_not_allowed(tmp_path):
    text = entry(tone="humour", categories="[OFFENSIVE]") + GOOD.format(id="late-joke").replace(
        "tone: gentle", "tone: humour"
    ).replace("steps: [1]", "steps: [4]")
    found = problems(tmp_path, {"h.yaml": text})
    assert any("h.yaml: scripts[0]" in p and "OFFENSIVE" in p for p in found), found
    assert any("h.yaml: scripts[1] (late-joke)" in p and "steps 1 and 2" in p for p in found), found


def test_loader_reports_files_that_are_not_script_files(tmp_path):
    found = problems(tmp_path, {"broken.yaml": "scripts: [unclosed\n", "empty.yaml": ""})
    assert any(p.startswith("broken.yaml: not a script file") for p in found), found
    assert any(p.startswith("empty.yaml: not a script file") for p in found), found


def test_loader_reports_an_empty_directory(tmp_path):
    assert "no .yaml script files" in problems(tmp_path, {})[0]


def test_loader_reports_every_problem_not_just_the_first(tmp_path):
    text = entry(id="first-bad", tone="loud") + GOOD.format(id="second-bad").replace(
        "steps: [1]", "steps: [0]"
    )
    found = problems(tmp_path, {"many.yaml": text})
    assert any("(first-bad): tone" in p for p in found) and any("(second-bad): steps" in p for p in found)


# --- the catalogue ----------------------------------------------------------------------------


def test_catalogue_lists_every_script_under_each_category_and_step(library):
    from bot.content.scripts import render_catalogue

    text = render_catalogue(library, "markdown")
    for script in library.scripts:
        assert f"`{script.id}`" in text
    headings = [line.split("(`")[1].split("`")[0] for line in text.splitlines() if line.startswith("## ")]
    assert headings == all_situations(with_unsure=True)
    romantic = text.split("## " + C.ROMANTIC.label)[1].split("\n## ")[0]
    assert romantic.index("### Step 1") < romantic.index("### Step 2") < romantic.index("### Step 4")
    assert "(US)" in text and "(UK)" in text and "(UK-England)" in text and "(GB)" in text
    assert "risk and capacity pathway" in text
    assert text.count("- **Review:** not yet reviewed") == sum(
        len(s.situations) * len(s.steps) for s in library.scripts if not s.reviewed)


def test_catalogue_html_is_escaped_and_complete(library):
    from bot.content.scripts import render_catalogue

    html = render_catalogue(library, "html")
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert html.count("<article>") == sum(len(s.situations) * len(s.steps) for s in library.scripts)
    assert "I&#39;m" in html or "&#39;" in html  # apostrophes in the words are escaped


def test_export_command_writes_the_file(tmp_path):
    from click.testing import CliRunner

    from adapters.cli import main

    out = tmp_path / "catalogue.html"
    result = CliRunner().invoke(main, ["scripts", "export", "--format", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "<h1>Boundary script catalogue</h1>" in out.read_text(encoding="utf-8")


def test_committed_catalogue_is_up_to_date(library):
    from bot.content.scripts import render_catalogue

    committed = Path(__file__).resolve().parents[2] / "docs" / "scripts-catalogue.md"
    assert committed.read_text(encoding="utf-8") == render_catalogue(library, "markdown"), (
        "docs/scripts-catalogue.md is stale: run "
        "boundary-bot scripts export --output docs/scripts-catalogue.md"
    )


# --- the safety rules the loader enforces ---------------------------------------------------

RISK = """\
scripts:
  - id: risk-test
    categories: [ROMANTIC]
    pathway: risk
    conditions: [{condition}]
    steps: [1]
    tone: {tone}
    say: {say}
    next_step: {next_step}
    why: {why}
    sources:
      - {{code: "NMC Code 17", regions: [UK]}}
"""


def risk_problems(tmp_path, **changes) -> list[str]:
    values = {"condition": "cognitive", "tone": "gentle", "say": "I'm here to help with your care, let's carry on.",
              "next_step": "consult", "why": "Calm words and the care plan help more than a debate."}
    values.update(changes)
    return problems(tmp_path, {"risk.yaml": RISK.format(**values)})


@pytest.mark.parametrize("say", [
    "That comment is not acceptable, please stop.",
    "I'm stopping this appointment now. I'm going to step out.",
    "Please leave now, you must calm down.",
])
def test_risk_pathway_refuses_telling_off_and_walking_out(tmp_path, say):
    found = risk_problems(tmp_path, say=f'"{say}"')
    assert any("say: words that tell off or walk out" in p for p in found), found


def test_risk_pathway_refuses_humour_and_non_clinical_next_steps(tmp_path):
    found = risk_problems(tmp_path, tone="humour", next_step="document")
    assert any("humour is never used on the risk" in p for p in found), found
    assert any("next step is clinical" in p for p in found), found


def test_leaving_is_advised_only_with_help_for_the_person(tmp_path):
    found = risk_problems(tmp_path, why='"If you are in danger, leave the room at once and report it."')
    assert any("say both" in p for p in found), found
    ok = '"If you are in danger, leave and call for help so that someone stays with them."'
    with pytest.raises(LibraryError) as caught:
        load_library(tmp_path)  # the file above is still there
    assert caught.value.problems
    (tmp_path / "risk.yaml").write_text(RISK.format(condition="cognitive", tone="gentle",
                                                    say='"Let me help you get comfortable."',
                                                    next_step="escalate", why=ok), encoding="utf-8")
    assert load_library(tmp_path).scripts[0].pathway.value == "risk"


def test_a_child_always_goes_to_the_safeguarding_lead(tmp_path):
    found = risk_problems(tmp_path, condition="child", next_step="consult")
    assert any("safeguarding lead" in p for p in found), found


def test_pathway_sexual_act_audience_and_review_rules(tmp_path):
    text = entry(id="sexual-no-act", categories="[SEXUAL]") + GOOD.format(id="risk-no-condition").replace(
        "tone: gentle", "tone: gentle\n    pathway: risk") + GOOD.format(id="family-as-client").replace(
        "tone: gentle", "tone: gentle\n    other_person: family") + GOOD.format(id="half-signed").replace(
        "tone: gentle", "tone: gentle\n    reviewed_by: Dr Chris Osei")
    found = problems(tmp_path, {"r.yaml": text})
    assert any("(sexual-no-act): acts:" in p for p in found), found
    assert any("(risk-no-condition): pathway:" in p for p in found), found
    assert any("(family-as-client): audience:" in p for p in found), found
    assert any("(half-signed): reviewed_by and reviewed_at" in p for p in found), found


def test_unknown_source_keys_are_named(tmp_path):
    text = entry(id="bad-source").replace('      - {code: "AMA Code of Medical Ethics 9.1.1", regions: [US]}',
                                          "      - not-a-source")
    found = problems(tmp_path, {"s.yaml": text})
    assert any("unknown source 'not-a-source'" in p for p in found), found


def test_every_shipped_risk_script_is_kind_brief_and_safe(library):
    from bot.content.wording_rules import punitive_or_leaving

    risk = [s for s in library.scripts if s.pathway.value == "risk"]
    assert len(risk) >= 15
    for script in risk:
        assert script.tone.value != "humour" and not punitive_or_leaving(script.say), script.id
        assert len(script.say) <= 200, f"{script.id}: keep it to a breath or two"
