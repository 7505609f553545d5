"""The lookup's targets on everyday phrasings it was never tuned on (the test half of
tests/data/lookup_phrasings.yaml): the right situation first at least 85 % of the time and
among the first three at least 95 %; every risk phrasing answered on the risk pathway first,
with no walking-out or telling-off words in its first three answers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content.library import load_library
from bot.content.lookup import find
from bot.content.situations import Pathway, all_situations, pathway_of
from bot.content.wording_rules import punitive_or_leaving

DATA = Path(__file__).resolve().parents[1] / "data" / "lookup_phrasings.yaml"
TOP1, TOP3 = 0.85, 0.95


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture(scope="module")
def phrasings():
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def test_the_set_is_big_labelled_and_split(phrasings):
    tune, test = phrasings["tune"], phrasings["test"]
    assert len(tune) + len(test) >= 150 and len(test) >= 75
    known = set(all_situations())
    assert {s for _, s in tune + test} <= known
    assert not {q for q, _ in tune} & {q for q, _ in test}, "a phrasing is in both halves"
    assert {s for _, s in test} == known, "the test half covers every situation"


def test_targets_on_the_held_out_half(library, phrasings):
    test = phrasings["test"]
    top1 = top3 = 0
    misses = []
    for query, expected in test:
        found = [m.situation for m in find(library, query).matches]
        top1 += bool(found) and found[0] == expected
        top3 += expected in found[:3]
        if not found or found[0] != expected:
            misses.append(f"{query!r}: expected {expected}, got {found}")
    n = len(test)
    print(f"lookup on the held-out half: top-1 {top1}/{n} = {top1 / n:.1%}, top-3 {top3}/{n} = {top3 / n:.1%}")
    assert top1 / n >= TOP1 and top3 / n >= TOP3, "\n".join(misses)


def test_every_risk_phrasing_gets_the_risk_pathway_first_and_safe_words(library, phrasings):
    for query, expected in phrasings["tune"] + phrasings["test"]:
        if pathway_of(expected) is not Pathway.RISK:
            continue
        result = find(library, query)
        assert result.matches and result.matches[0].pathway is Pathway.RISK, query
        for match in result.matches[:3]:
            assert not punitive_or_leaving(match.script.say), (query, match.script.id)
