"""The ``script [words]`` lookup and verb: the right situation, or "Did you mean…"."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.content.lookup import colleague_in, conditions_in, family_in, find
from bot.content.regions import Region
from bot.content.scripts import load_library
from bot.content.situations import Condition, Pathway
from bot.content.taxonomy import Category, Profession
from bot.features import registry
from bot.features.script.flow import PICK, lookup, pick, why
from bot.port.views import Card, Notice


@pytest.fixture(scope="module")
def library():
    return load_library()


def turn_for(library, profession=None, region=None, contacts=None):
    return SimpleNamespace(library=library, scripts=library, profession=profession, region=region,
                           jurisdiction=region, contacts=contacts or {})


def test_search_is_deterministic_and_best_first(library):
    first = find(library, "asked me out for a drink")
    again = find(library, "asked me out for a drink")
    assert [(m.situation, m.script.id) for m in first.matches] == [(m.situation, m.script.id) for m in again.matches]
    assert first.matches[0].situation == "ROMANTIC" and first.confident
    assert len({m.situation for m in first.matches}) == len(first.matches) <= 3
    assert [m.score for m in first.matches] == sorted((m.score for m in first.matches), reverse=True)


def test_one_common_shared_word_is_never_a_confident_answer(library):
    for words in ("comment", "friend", "personal", "waiting", "he made a comment", "it was personal",
                  "the printer on level two is broken", "   "):
        assert not find(library, words).confident, words


def test_abbreviations_and_slips_are_understood(library):
    assert find(library, "pt sent fb friend req").matches[0].situation == "SOCIAL_MEDIA"
    assert find(library, "wants my numbr").matches[0].situation == "CONTACT"
    assert find(library, "held my hand during his BP").matches[0].situation == "TOUCH"


def test_cues_for_condition_family_and_colleague():
    assert conditions_in("drunk pt in ED") == [Condition.INTOXICATION]
    assert conditions_in("15 yr old flirting") == [Condition.CHILD]
    assert conditions_in("client is my kids teacher") == []  # the clinician's own child
    assert family_in("the patient's husband asked me out") and not family_in("my husband saw it")
    assert colleague_in("my colleague keeps making comments")
    assert not colleague_in("refuses to see my colleagues")


def test_a_risk_phrasing_puts_the_risk_pathway_first_with_no_unsafe_words(library):
    from bot.content.wording_rules import punitive_or_leaving

    result = find(library, "pt with dementia grabbed my breast")
    assert result.matches[0].situation == "RISK/cognitive" and result.matches[0].pathway is Pathway.RISK
    for match in result.matches:
        assert not punitive_or_leaving(match.script.say), match.script.id


def test_profession_specific_scripts_never_reach_an_unknown_profession(library):
    for words in ("client wants a hug", "former client emailed me", "two clients know each other"):
        for match in find(library, words).matches:
            assert not match.script.professions, (words, match.script.id)
    therapist = find(library, "client wants a hug", profession=Profession.THERAPIST)
    assert therapist.matches[0].script.id == "touch-hug-therapy"


def test_script_is_a_registered_verb_with_a_pick_button():
    features = registry()
    assert features.verb("script") is not None
    assert PICK in features.buttons


def test_lookup_without_words_lists_every_category_with_an_example(library):
    views = asyncio.run(lookup(turn_for(library), ""))
    assert len(views) == 1 and isinstance(views[0], Card)
    labels = [label for label, _ in views[0].facts]
    assert labels == [c.label for c in Category]
    assert all(example.startswith("e.g. script ") for _, example in views[0].facts)


def _text(views) -> str:
    parts = []
    for view in views:
        if isinstance(view, Notice):
            parts.append(view.text)
        else:
            parts += [view.title, *view.paragraphs, *(f"{a} {b}" for a, b in view.facts),
                      *(b.label for b in view.buttons)]
    return "\n".join(parts).lower()


def test_lookup_answers_with_script_cards_and_never_echoes_the_words(library):
    query = "Quenby from Larkspur Rd wants my numbr"
    views = asyncio.run(lookup(turn_for(library, region=Region.ENGLAND), query))
    cards = [v for v in views if isinstance(v, Card)]
    assert any(card.title.endswith(Category.CONTACT.label) for card in cards)
    assert all(any(p.startswith("> ") for p in card.paragraphs) for card in cards)
    text = _text(views)
    for word in ("quenby", "larkspur", "numbr"):
        assert word not in text


def test_unsure_answers_ask_did_you_mean_with_two_or_three_buttons(library):
    views = asyncio.run(lookup(turn_for(library), "waiting for me"))
    [card] = views
    assert card.title == "Did you mean…" and 2 <= len(card.buttons) <= 3
    assert all(b.action == PICK for b in card.buttons)
    [chosen, _] = asyncio.run(pick(turn_for(library), card.buttons[0].value))
    assert any(p.startswith("> ") for p in chosen.paragraphs)


def test_a_risk_lookup_shows_the_named_contacts(library):
    contacts = {"crisis_line": {"name": "Riverside crisis team", "phone": "0300 555 0100"},
                "clinical_team": {"name": "Duty psychiatrist", "phone": "ext. 4100"}}
    views = asyncio.run(lookup(turn_for(library, region=Region.ENGLAND, contacts=contacts),
                               "client said she'd kill herself if I end therapy"))
    first = views[0]
    body = "\n".join(first.paragraphs)
    assert "non-punitive" in body and "Riverside crisis team: 0300 555 0100" in body
    assert "Duty psychiatrist" in body


def test_lookup_shows_only_sources_for_the_organisations_region(library):
    for region, absent in ((Region.US, ("NMC", "GMC", "NHS")), (Region.SCOTLAND, ("NHS England", "AMA", "NICE")),
                           (Region.NORTHERN_IRELAND, ("Worker Protection", "HSE,", "NHS England"))):
        turn = turn_for(library, region=region)
        views = asyncio.run(lookup(turn, "grabbed my breast"))
        cards = [v for v in views if isinstance(v, Card)]
        # Plain cards: the sources are behind "Why this advice?".
        assert not any(p.startswith("Based on") for v in cards for p in v.paragraphs)
        whys = [asyncio.run(why(turn, b.value))[0] for v in cards for b in v.buttons if b.label == "Why this advice?"]
        based_on = [p for v in whys for p in v.paragraphs if p.startswith("Based on")]
        assert based_on
        for line in based_on:
            for word in absent:
                assert word not in line, (region, word, line)


def test_lookup_with_nothing_found_says_so_without_echoing(library):
    views = asyncio.run(lookup(turn_for(library), "zqxv plmokn"))
    assert views == [views[0]] and isinstance(views[0], Notice)
    assert "zqxv" not in views[0].text
