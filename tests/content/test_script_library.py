"""The shipped script library: coverage, tones, settings, wording, sources, and the loader's
checks on bad content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.regions import PLACES
from bot.content.scripts import (
    MAX_SAY_CHARS,
    NO_HUMOUR,
    Region,
    Tone,
    load_library,
    suggest,
)
from bot.content.situations import Condition, all_situations
from bot.content.taxonomy import Category, Profession, Setting, Step

RESPONSES = Path(__file__).resolve().parents[2] / "responses"
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

C, S = Category, Step
# Every category x every ladder step the content guide applies to it (and the gaps the
# content review found: ROMANTIC 3, GIFT 4, TOUCH 4, gentle step 4s).
COVERAGE: dict[Category, set[Step]] = {
    C.ROMANTIC: {S.REDIRECT, S.NAME_BOUNDARY, S.SECOND_PERSON, S.REFERRAL},
    C.SEXUAL: {S.SECOND_PERSON, S.REFERRAL, S.SAFETY},
    C.CONTACT: {S.NAME_BOUNDARY, S.REFERRAL},
    C.SOCIAL_MEDIA: {S.NAME_BOUNDARY, S.REFERRAL},
    C.GIFT: {S.REDIRECT, S.NAME_BOUNDARY, S.REFERRAL},
    C.TOUCH: {S.NAME_BOUNDARY, S.SECOND_PERSON, S.REFERRAL},
    C.OFFENSIVE: {S.NAME_BOUNDARY, S.REFERRAL},
    C.EXCLUSIVE: {S.NAME_BOUNDARY, S.REFERRAL},
    C.THREAT: {S.SAFETY},
    C.DUAL: {S.NAME_BOUNDARY, S.REFERRAL},
    C.PREFERENCE: {S.REDIRECT},
}
# "I felt unsafe" always means step 5, so every category needs a step-5 script too.
SAFETY_EVERYWHERE = {category: S.SAFETY for category in Category}
GENTLE_STEP_4 = {C.ROMANTIC, C.CONTACT, C.SOCIAL_MEDIA, C.OFFENSIVE, C.EXCLUSIVE, C.DUAL, C.GIFT, C.TOUCH, C.SEXUAL}

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

US_CODES = re.compile(r"\b(APA|ACA|AMA|NCSBN|OSHA|Joint Commission|EEOC|CAPTA|Americans with Disabilities)\b")
UK_CODES = re.compile(r"\b(GMC|NMC|BACP|NHS|HSE|CHRE|NICE|BMA|Worker Protection|Equality Act)\b")


@pytest.fixture(scope="module")
def library():
    return load_library()


def general(library, category, step):
    """Scripts about a client (boundary pathway) for everyone, anywhere."""
    return [
        s for s in library.scripts
        if category in s.categories and step in s.steps and not s.settings and not s.professions
        and s.pathway.value == "boundary" and s.other_person.value == "client"
    ]


# --- coverage -------------------------------------------------------------------------------


def test_every_category_and_step_has_a_general_script(library):
    wanted = {(c, s) for c, steps in COVERAGE.items() for s in steps}
    wanted |= set(SAFETY_EVERYWHERE.items())
    gaps = sorted(f"{c.value} step {s.value}" for c, s in wanted if not general(library, c, s))
    assert not gaps, "no general script for: " + ", ".join(gaps)


def test_every_situation_has_general_words(library):
    gaps = []
    for situation in all_situations():
        fitting = [s for s in library.scripts if situation in s.situations and not s.settings and not s.professions]
        if not fitting:
            gaps.append(situation)
    assert not gaps, "no general script for: " + ", ".join(gaps)


def test_every_act_and_condition_has_words_below_and_at_step_five(library):
    for situation in all_situations():
        steps = {step for s in library.scripts if situation in s.situations for step in s.steps}
        if situation.startswith(("SEXUAL/", "RISK/")):
            assert S.SAFETY in steps, situation
            if situation != "SEXUAL/touch":
                assert steps & {S.REDIRECT, S.NAME_BOUNDARY, S.SECOND_PERSON}, situation


def test_gentle_step_four_handovers(library):
    for category in GENTLE_STEP_4:
        tones = {s.tone for s in general(library, category, S.REFERRAL)}
        assert Tone.GENTLE in tones, category.value


def test_steps_one_and_two_have_gentle_and_firm(library):
    gaps = []
    for category, steps in COVERAGE.items():
        for step in steps & {S.REDIRECT, S.NAME_BOUNDARY}:
            if category is C.PREFERENCE:
                continue  # a legitimate preference has a respectful answer, not a telling-off
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
    missing = [s.id for s in library.scripts
               if not s.phrases and len(s.categories) == 1 and Condition.UNSURE not in s.conditions]
    assert not missing, "scripts without phrases: " + ", ".join(missing)


# --- wording ----------------------------------------------------------------------------------


def test_what_to_say_is_short_enough_to_say_aloud(library):
    for script in library.scripts:
        assert 10 <= len(script.say) <= MAX_SAY_CHARS, script.id
    long = [s.id for s in library.scripts if len(s.say) > 240]
    assert not long, "aim for about 200 characters: " + ", ".join(long)


def test_words_to_say_and_why_never_cite_codes_and_notes_name_only_rules_that_apply(library):
    for script in library.scripts:
        for text in (script.say, script.why):
            assert not US_CODES.search(text) and not UK_CODES.search(text), script.id
        for note in [*script.setting_notes.values(), *script.profession_notes.values()]:
            if isinstance(note, str):
                assert not US_CODES.search(note) and not UK_CODES.search(note), (
                    f"{script.id}: a note naming a code is written per region ({{US: ..., UK: ...}})")
                continue
            for region, text in note.items():
                if US_CODES.search(text):
                    assert region is Region.US, f"{script.id}: a US code in the {region.value} note"
                if UK_CODES.search(text):
                    assert region is not Region.US, f"{script.id}: a UK code in the US note"


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


def test_every_script_has_a_source_in_every_place(library):
    for script in library.scripts:
        for place in PLACES:
            assert script.sources_for(place), f"{script.id}: nothing to cite in {place.value}"


def test_sources_for_never_shows_a_rule_where_it_does_not_apply(library):
    for script in library.scripts:
        assert not any(UK_CODES.search(s.code) for s in script.sources_for(Region.US)), script.id
        assert not any(US_CODES.search(s.code) for place in PLACES[1:] for s in script.sources_for(place)), script.id
        assert script.sources_for(None) == list(script.sources)
        codes = {place: " ".join(s.code for s in script.sources_for(place)) for place in PLACES}
        for place in (Region.SCOTLAND, Region.WALES, Region.NORTHERN_IRELAND):
            assert "NHS England" not in codes[place] and "NICE" not in codes[place], (script.id, place)
        assert "Worker Protection" not in codes[Region.NORTHERN_IRELAND], script.id
        assert "Worker Protection" not in " ".join(s.code for s in script.sources_for(Region.UK)), script.id


def test_the_citation_table_gives_each_body_its_regions(library):
    expected = {"NHS England": {Region.ENGLAND}, "NICE": {Region.ENGLAND}, "Worker Protection": {Region.GB},
                "HSE,": {Region.GB}, "Working Together": {Region.ENGLAND},
                "Mental Capacity Act 2005": {Region.ENGLAND, Region.WALES}}
    for source in library.sources.values():
        if US_CODES.search(source.code):
            assert set(source.regions) == {Region.US}, source.code
        for name, regions in expected.items():
            if name in source.code:
                assert set(source.regions) == regions, source.code
    codes = " ".join(s.code for s in library.sources.values())
    assert "APA Ethics Code 3.02" not in codes and "Doctors' use of social media" not in codes
    assert "2.3.2" not in codes and "visual and audio recordings" not in codes
    for script in library.scripts:
        if script.categories == (C.EXCLUSIVE,):
            assert not any("1.2.2" in s.code for s in script.sources), script.id


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


def test_profession_specific_scripts_only_reach_that_profession_and_never_come_first(library):
    for profession in (Profession.DOCTOR, None):
        for suggestion in suggest(library, C.DUAL, S.NAME_BOUNDARY, Setting.IN_PERSON, profession):
            assert Profession.THERAPIST not in suggestion.script.professions
    for category, step in ((C.DUAL, S.NAME_BOUNDARY), (C.GIFT, S.REDIRECT), (C.GIFT, S.NAME_BOUNDARY),
                           (C.TOUCH, S.NAME_BOUNDARY), (C.SOCIAL_MEDIA, S.NAME_BOUNDARY), (C.DUAL, S.REFERRAL)):
        therapist = suggest(library, category, step, Setting.IN_PERSON, Profession.THERAPIST)
        assert not therapist[0].script.professions, (category, step, therapist[0].script.id)
        assert therapist[0].script.audience.value != "supervisor", (category, step)
    assert any(s.script.id == "touch-hug-therapy"
               for s in suggest(library, C.TOUCH, S.NAME_BOUNDARY, Setting.IN_PERSON, Profession.THERAPIST))
