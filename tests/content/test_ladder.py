"""The default escalation step follows the content guide's ladder."""

import pytest

from bot.content.ladder import assess
from bot.content.taxonomy import Category as C
from bot.content.taxonomy import Factor as F
from bot.content.taxonomy import Occurrence as O

CASES = [
    (C.ROMANTIC, O.FIRST, [], 1),
    (C.ROMANTIC, O.REPEATED, [], 2),
    (C.ROMANTIC, O.PERSISTENT, [], 4),
    (C.CONTACT, O.FIRST, [], 2),
    (C.SOCIAL_MEDIA, O.FIRST, [], 2),
    (C.OFFENSIVE, O.FIRST, [], 2),
    (C.GIFT, O.FIRST, [], 1),
    (C.GIFT, O.FIRST, [F.VALUABLE], 2),
    (C.TOUCH, O.FIRST, [], 2),
    (C.TOUCH, O.FIRST, [F.UNWANTED], 3),
    (C.TOUCH, O.REPEATED, [], 3),
    (C.SEXUAL, O.FIRST, [], 3),
    (C.SEXUAL, O.FIRST, [F.COERCION], 5),
    (C.EXCLUSIVE, O.FIRST, [], 2),
    (C.EXCLUSIVE, O.REPEATED, [F.AFFECTS_CARE], 4),
    (C.DUAL, O.FIRST, [], 2),
    (C.DUAL, O.FIRST, [F.AFFECTS_CARE], 4),
    (C.THREAT, O.FIRST, [], 5),
]


@pytest.mark.parametrize(("category", "occurrence", "factors", "step"), CASES)
def test_default_step(category, occurrence, factors, step):
    result = assess(category, occurrence, felt_unsafe=False, factors=factors)
    assert result.step == step
    assert result.reason


@pytest.mark.parametrize("category", list(C))
def test_feeling_unsafe_always_means_step_five(category):
    assert assess(category, O.FIRST, felt_unsafe=True).step == 5


def test_factors_that_do_not_apply_to_a_category_change_nothing():
    assert assess(C.GIFT, O.FIRST, False, [F.COERCION, F.UNWANTED]).step == 1
