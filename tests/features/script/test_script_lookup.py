"""The ``script [words]`` lookup: everyday phrasings find the right kind of situation."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.content.scripts import load_library
from bot.content.taxonomy import Category, Profession
from bot.features import registry
from bot.features.script.flow import lookup, search
from bot.port.views import Card, Notice

# Written for this table: how a clinician might type it in a hurry, misspellings included.
PHRASINGS: list[tuple[str, Category]] = [
    ("wants my numbr", Category.CONTACT),
    ("asked for my mobile number", Category.CONTACT),
    ("keeps asking me to go for a coffee", Category.CONTACT),
    ("wanted my personal email address", Category.CONTACT),
    ("asked to meet up at the weekend", Category.CONTACT),
    ("wants to whatsapp me", Category.CONTACT),
    ("frend request on insta", Category.SOCIAL_MEDIA),
    ("sent me a friend request on facebook", Category.SOCIAL_MEDIA),
    ("started following me on instagram", Category.SOCIAL_MEDIA),
    ("dm'd me on twitter", Category.SOCIAL_MEDIA),
    ("found my profile online", Category.SOCIAL_MEDIA),
    ("connected with me on linkedin", Category.SOCIAL_MEDIA),
    ("hugged me at the end", Category.TOUCH),
    ("tried to huge me goodbye", Category.TOUCH),
    ("keeps touching my arm", Category.TOUCH),
    ("kissed me on the cheek", Category.TOUCH),
    ("held my hand too long", Category.TOUCH),
    ("keeps asking me out", Category.ROMANTIC),
    ("asked me on a date", Category.ROMANTIC),
    ("told me im gorgeous", Category.ROMANTIC),
    ("said he fancies me", Category.ROMANTIC),
    ("flirting with me all session", Category.ROMANTIC),
    ("wanted to know if i have a boyfriend", Category.ROMANTIC),
    ("says she's in love with me", Category.ROMANTIC),
    ("brought me a bottle of wine", Category.GIFT),
    ("tried to give me money", Category.GIFT),
    ("gave me a box of chocolates", Category.GIFT),
    ("bought me an expensive watch", Category.GIFT),
    ("wants to leave me money in her will", Category.GIFT),
    ("made a racist joke", Category.OFFENSIVE),
    ("sexist coments about women", Category.OFFENSIVE),
    ("called me a horrible name", Category.OFFENSIVE),
    ("made fun of my accent", Category.OFFENSIVE),
    ("homophobic joke", Category.OFFENSIVE),
    ("turned up at my house", Category.THREAT),
    ("threatend to hurt me", Category.THREAT),
    ("followed me to my car", Category.THREAT),
    ("got really aggressive and shouted", Category.THREAT),
    ("he is stalking me", Category.THREAT),
    ("made a sexual comment about my body", Category.SEXUAL),
    ("sent me explicit photos", Category.SEXUAL),
    ("exposed himself during the exam", Category.SEXUAL),
    ("grabbed my bottom", Category.SEXUAL),
    ("only wants to see me and no one else", Category.EXCLUSIVE),
    ("refuses to see my colleagues", Category.EXCLUSIVE),
    ("always asks for me by name", Category.EXCLUSIVE),
    ("client is my next door neighbour", Category.DUAL),
    ("former client wants to be friends", Category.DUAL),
    ("can we be friends after discharge", Category.DUAL),
    ("two of my clients know each other", Category.DUAL),
    ("invited me to her wedding", Category.DUAL),
    ("ex client emailed me after therapy ended", Category.DUAL),
    ("i think i have countertransference", Category.DUAL),
]
REQUIRED = 0.90


@pytest.fixture(scope="module")
def library():
    return load_library()


def turn_for(library, profession=None, jurisdiction=None):
    return SimpleNamespace(library=library, profession=profession, jurisdiction=jurisdiction)


def test_table_is_big_and_covers_every_category():
    assert len(PHRASINGS) >= 40
    assert {category for _, category in PHRASINGS} == set(Category)


def test_right_category_in_top_three_for_most_phrasings(library):
    misses = []
    for query, expected in PHRASINGS:
        found = [m.category for m in search(library, query, limit=3)]
        if expected not in found:
            misses.append(f"{query!r}: expected {expected.value}, got {[c.value for c in found]}")
    total = len(PHRASINGS)
    hits = total - len(misses)
    pct = 100 * hits / total
    print(f"lookup: {hits}/{total} = {pct:.1f}% in top 3")
    assert hits / total >= REQUIRED, (
        f"lookup: {hits}/{total} = {pct:.1f}% in top 3 (need {REQUIRED:.0%}); misses:\n"
        + "\n".join(misses)
    )


def test_search_returns_distinct_categories_best_first_and_is_deterministic(library):
    first = search(library, "asked me out for a drink", limit=3)
    again = search(library, "asked me out for a drink", limit=3)
    assert [(m.category, m.script.id) for m in first] == [(m.category, m.script.id) for m in again]
    assert first[0].category is Category.ROMANTIC
    assert len({m.category for m in first}) == len(first) <= 3
    assert [m.score for m in first] == sorted((m.score for m in first), reverse=True)
    assert all(m.category in m.script.categories for m in first)


def test_search_finds_nothing_for_unrelated_or_empty_words(library):
    assert search(library, "the printer on level two is broken") == []
    assert search(library, "   ") == []


def test_search_leaves_out_scripts_for_other_professions(library):
    for match in search(library, "client wants a hug", limit=3, profession=Profession.NURSE):
        assert not match.script.professions or Profession.NURSE in match.script.professions
    therapist = search(library, "client wants a hug", limit=1, profession=Profession.THERAPIST)
    assert therapist[0].script.id == "touch-hug-therapy"


def test_script_is_a_registered_verb_listed_in_help():
    features = registry()
    assert features.verb("script") is not None
    assert "script" in [verb.name for verb in features.verbs]


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
            parts.append(view.title)
            parts.extend(view.paragraphs)
            parts.extend(f"{a} {b}" for a, b in view.facts)
    return "\n".join(parts).lower()


def test_lookup_answers_with_script_cards_and_never_echoes_the_words(library):
    query = "Quenby from Larkspur Rd wants my numbr"
    views = asyncio.run(lookup(turn_for(library, jurisdiction="UK"), query))
    cards = [v for v in views if isinstance(v, Card)]
    assert any(card.title.endswith(Category.CONTACT.label) for card in cards)
    assert all(any(p.startswith("> ") for p in card.paragraphs) for card in cards)
    text = _text(views)
    for word in ("quenby", "larkspur", "numbr"):
        assert word not in text


def test_lookup_shows_only_sources_for_the_organisations_jurisdiction(library):
    views = asyncio.run(lookup(turn_for(library, jurisdiction="US"), "asked for my phone number"))
    based_on = [p for v in views if isinstance(v, Card) for p in v.paragraphs if p.startswith("Based on")]
    assert based_on
    for line in based_on:
        assert "NMC" not in line and "GMC" not in line and "NHS" not in line


def test_lookup_with_nothing_found_says_so_without_echoing(library):
    views = asyncio.run(lookup(turn_for(library), "zqxv plmokn"))
    assert views == [views[0]] and isinstance(views[0], Notice)
    assert "zqxv" not in views[0].text
