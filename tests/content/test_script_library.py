"""The shipped script library: coverage, tones, settings, wording, sources, and the loader's
checks on bad content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.scripts import (
    MAX_SAY_CHARS,
    NO_HUMOUR,
    LibraryError,
    Region,
    Tone,
    load_library,
    suggest,
)
from bot.content.taxonomy import Category, Profession, Setting, Step

RESPONSES = Path(__file__).resolve().parents[2] / "responses"
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

C, S = Category, Step
# Every category x every ladder step the content guide applies to it.
COVERAGE: dict[Category, set[Step]] = {
    C.ROMANTIC: {S.REDIRECT, S.NAME_BOUNDARY, S.REFERRAL},
    C.SEXUAL: {S.SECOND_PERSON, S.SAFETY},
    C.CONTACT: {S.NAME_BOUNDARY, S.REFERRAL},
    C.SOCIAL_MEDIA: {S.NAME_BOUNDARY, S.REFERRAL},
    C.GIFT: {S.REDIRECT, S.NAME_BOUNDARY},
    C.TOUCH: {S.NAME_BOUNDARY, S.SECOND_PERSON},
    C.OFFENSIVE: {S.NAME_BOUNDARY, S.REFERRAL},
    C.EXCLUSIVE: {S.NAME_BOUNDARY, S.REFERRAL},
    C.THREAT: {S.SAFETY},
    C.DUAL: {S.NAME_BOUNDARY, S.REFERRAL},
}
# "I felt unsafe" always means step 5, so every category needs a step-5 script too.
SAFETY_EVERYWHERE = {category: S.SAFETY for category in Category}

# Where the advice differs by setting, a script written for that setting must exist.
TELE, HOME = Setting.TELEHEALTH, Setting.HOME_VISIT
VARIANTS: dict[tuple[Category, Step], set[Setting]] = {
    (C.ROMANTIC, S.NAME_BOUNDARY): {TELE, HOME},
    (C.SEXUAL, S.SECOND_PERSON): {TELE, HOME},
    (C.SEXUAL, S.SAFETY): {TELE, HOME},
    (C.THREAT, S.SAFETY): {TELE, HOME},
    (C.TOUCH, S.SECOND_PERSON): {HOME},
    (C.CONTACT, S.NAME_BOUNDARY): {TELE, HOME},
    (C.SOCIAL_MEDIA, S.NAME_BOUNDARY): {TELE},
    (C.OFFENSIVE, S.NAME_BOUNDARY): {TELE},
    (C.GIFT, S.NAME_BOUNDARY): {HOME},
    **{(c, S.SAFETY): {TELE, HOME} for c in Category},
}

# Each question the seeds raise about friendship and dual relationships, and the script
# that answers it.
QUESTIONS = {
    "friendship during care": ("dual-friendship-during-care", C.DUAL),
    "friendship after discharge": ("dual-friendship-after-discharge", C.DUAL),
    "socialising with a client": ("dual-socialising", C.DUAL),
    "social media with a therapist": ("social-media-therapy", C.SOCIAL_MEDIA),
    "hugging a client": ("touch-hug-therapy", C.TOUCH),
    "seeing clients who know each other": ("dual-clients-know-each-other", C.DUAL),
    "a former client reaching out": ("dual-former-client-reaching-out", C.DUAL),
    "a former client asking for a relationship": ("dual-former-client-romantic", C.DUAL),
    "gifts in therapy": ("gift-therapy", C.GIFT),
    "countertransference": ("dual-countertransference", C.DUAL),
    "a client with feelings for the therapist": ("romantic-therapy-explore", C.ROMANTIC),
}

US_CODES = re.compile(r"\b(APA|ACA|AMA|NCSBN|OSHA|Joint Commission)\b")
UK_CODES = re.compile(r"\b(GMC|NMC|BACP|NHS|HSE|CHRE)\b")


@pytest.fixture(scope="module")
def library():
    return load_library()


def general(library, category, step):
    return [
        s for s in library.scripts
        if category in s.categories and step in s.steps and not s.settings and not s.professions
    ]


# --- coverage -------------------------------------------------------------------------------


def test_every_category_and_step_has_a_general_script(library):
    wanted = {(c, s) for c, steps in COVERAGE.items() for s in steps}
    wanted |= set(SAFETY_EVERYWHERE.items())
    gaps = sorted(f"{c.value} step {s.value}" for c, s in wanted if not general(library, c, s))
    assert not gaps, "no general script for: " + ", ".join(gaps)


def test_steps_one_and_two_have_gentle_and_firm(library):
    gaps = []
    for category, steps in COVERAGE.items():
        for step in steps & {S.REDIRECT, S.NAME_BOUNDARY}:
            tones = {s.tone for s in general(library, category, step)}
            for tone in (Tone.GENTLE, Tone.FIRM):
                if tone not in tones:
                    gaps.append(f"{category.value} step {step.value}: no {tone.value} script")
    assert not gaps, "; ".join(gaps)


def test_humour_only_where_the_guide_allows_it(library):
    humour = [s for s in library.scripts if s.tone is Tone.HUMOUR]
    assert humour, "the library should offer light humour for some mild cases"
    for script in humour:
        assert not NO_HUMOUR & set(script.categories), script.id
        assert set(script.steps) <= {S.REDIRECT, S.NAME_BOUNDARY}, script.id


def test_telehealth_and_home_visit_variants_exist(library):
    gaps = []
    for (category, step), settings in VARIANTS.items():
        for setting in settings:
            if not any(
                category in s.categories and step in s.steps and setting in s.settings
                for s in library.scripts
            ):
                gaps.append(f"{category.value} step {step.value} {setting.value}")
    assert not gaps, "no setting-specific script for: " + ", ".join(sorted(gaps))


def test_setting_specific_scripts_carry_a_note_for_their_setting(library):
    for script in library.scripts:
        for setting in script.settings:
            assert setting in script.setting_notes, f"{script.id}: no note for {setting.value}"


def test_each_seed_question_about_friendship_and_dual_relationships_is_answered(library):
    for question, (script_id, category) in QUESTIONS.items():
        script = library.get(script_id)
        assert script is not None, f"no script answers: {question}"
        assert category in script.categories, question


def test_every_script_has_phrases_for_lookup(library):
    missing = [s.id for s in library.scripts if not s.phrases and len(s.categories) == 1]
    assert not missing, "scripts without phrases: " + ", ".join(missing)


# --- wording ----------------------------------------------------------------------------------


def test_what_to_say_is_short_enough_to_say_aloud(library):
    for script in library.scripts:
        assert 10 <= len(script.say) <= MAX_SAY_CHARS, script.id
    long = [s.id for s in library.scripts if len(s.say) > 240]
    assert not long, "aim for about 200 characters: " + ", ".join(long)


def test_words_to_say_and_why_never_cite_codes_and_notes_name_their_region(library):
    for script in library.scripts:
        for text in (script.say, script.why):
            assert not US_CODES.search(text) and not UK_CODES.search(text), script.id
        notes = [*script.setting_notes.values(), *script.profession_notes.values()]
        for note in notes:
            if US_CODES.search(note):
                assert "US" in note, f"{script.id}: a US code in a note must say it is US"
            if UK_CODES.search(note):
                assert "UK" in note, f"{script.id}: a UK code in a note must say it is UK"


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'")
    return re.sub(r"[^a-z0-9']+", " ", text).split()


def test_no_run_of_eight_words_from_the_seeds():
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    seed_runs = set()
    for path in sorted(SEEDS.glob("*.txt")):
        words = _words(path.read_text(encoding="utf-8"))
        seed_runs |= {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
    assert seed_runs, "the seed articles are empty"
    copied = []
    for path in sorted(RESPONSES.glob("*")):
        words = _words(path.read_text(encoding="utf-8"))
        copied += [
            f"{path.name}: {' '.join(words[i : i + 8])}"
            for i in range(len(words) - 7)
            if tuple(words[i : i + 8]) in seed_runs
        ]
    assert not copied, "text copied from the seeds:\n" + "\n".join(copied)


# --- sources ----------------------------------------------------------------------------------


def test_every_script_has_a_source_for_the_us_and_for_the_uk(library):
    for script in library.scripts:
        assert script.sources_for("US"), f"{script.id}: nothing to cite in the US"
        assert script.sources_for("UK"), f"{script.id}: nothing to cite in the UK"


def test_sources_for_never_shows_one_jurisdiction_the_others_codes(library):
    for script in library.scripts:
        us = script.sources_for("US")
        uk = script.sources_for("UK")
        assert all(s.region in (Region.US, Region.ANY) for s in us), script.id
        assert all(s.region in (Region.UK, Region.ANY) for s in uk), script.id
        assert not any(UK_CODES.search(s.code) for s in us), script.id
        assert not any(US_CODES.search(s.code) for s in uk), script.id
        assert script.sources_for(None) == list(script.sources)


def test_source_regions_match_the_code_named(library):
    for script in library.scripts:
        for source in script.sources:
            if US_CODES.search(source.code):
                assert source.region is Region.US, f"{script.id}: {source.code}"
            if UK_CODES.search(source.code):
                assert source.region is Region.UK, f"{script.id}: {source.code}"


# --- selection --------------------------------------------------------------------------------


def test_suggest_is_deterministic_and_every_suggestion_has_a_reason(library):
    for category in Category:
        for step in Step:
            for setting in Setting:
                first = suggest(library, category, step, setting, Profession.NURSE)
                again = suggest(library, category, step, setting, Profession.NURSE)
                assert [s.script.id for s in first] == [s.script.id for s in again]
                assert first, f"nothing suggested for {category.value} step {step.value}"
                for suggestion in first:
                    assert suggestion.reason.strip().endswith("tone.")
                    assert category in suggestion.script.categories


def test_suggest_puts_the_exact_step_and_setting_first(library):
    top = suggest(library, C.THREAT, S.SAFETY, Setting.HOME_VISIT)[0]
    assert top.exact_step and Setting.HOME_VISIT in top.script.settings
    top = suggest(library, C.GIFT, S.SAFETY, Setting.IN_PERSON)[0]
    assert top.exact_step and top.script.next_step.value == "escalate"


def test_the_reporters_preferred_tone_comes_first(library):
    for tone in Tone:
        ranked = suggest(library, C.ROMANTIC, S.REDIRECT, Setting.IN_PERSON, tone=tone)
        assert ranked[0].script.tone is tone
        assert tone.label in ranked[0].reason
    default = suggest(library, C.ROMANTIC, S.NAME_BOUNDARY, Setting.IN_PERSON)
    assert default[0].script.tone is Tone.FIRM


def test_profession_specific_scripts_only_reach_that_profession(library):
    for suggestion in suggest(library, C.DUAL, S.NAME_BOUNDARY, Setting.IN_PERSON, Profession.DOCTOR):
        assert Profession.THERAPIST not in suggestion.script.professions
    therapist = suggest(library, C.TOUCH, S.NAME_BOUNDARY, Setting.IN_PERSON, Profession.THERAPIST)
    assert therapist[0].script.id == "touch-hug-therapy"


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
      - {{code: "AMA Code of Medical Ethics 9.1.1", region: US}}
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
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [f"## {c.label} (`{c.value}`)" for c in Category]
    romantic = text.split("## " + C.ROMANTIC.label)[1].split("\n## ")[0]
    assert romantic.index("### Step 1") < romantic.index("### Step 2") < romantic.index("### Step 4")
    assert "(US)" in text and "(UK)" in text


def test_catalogue_html_is_escaped_and_complete(library):
    from bot.content.scripts import render_catalogue

    html = render_catalogue(library, "html")
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert html.count("<article>") == sum(
        len(s.categories) * len(s.steps) for s in library.scripts
    )
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
