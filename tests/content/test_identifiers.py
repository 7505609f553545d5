"""Free text is checked for things that could identify a client: the table of what must be
caught and what must be left alone is tests/content/identifier_examples.py."""

import pytest

from bot.content.identifiers import (
    describe,
    find_identifier_kinds,
    nhs_number_is_valid,
    reference_problems,
)
from tests.content.identifier_examples import CAUGHT, CLEAN


def test_the_table_is_big_enough_to_mean_something():
    assert len(CAUGHT) + len(CLEAN) >= 150 and len(CLEAN) >= 60


@pytest.mark.parametrize(("text", "kind"), CAUGHT)
def test_identifiers_are_found(text, kind):
    assert find_identifier_kinds(text) == [kind]


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_narrative_is_not_flagged(text):
    assert find_identifier_kinds(text) == []


@pytest.mark.parametrize(("number", "valid"), [
    ("9434765919", True), ("4010232137", True), ("9434765918", False), ("1111111111", False), ("123456789", False),
])
def test_nhs_numbers_are_checked_by_their_check_digit(number, valid):
    assert nhs_number_is_valid(number) is valid


def test_several_kinds_are_named_once_each():
    assert find_identifier_kinds("call 07700 900123 or 07700 900124, email a@b.org") == [
        "an email address", "a phone number"]


@pytest.mark.parametrize("ref", ["JS", "J.S.", "j s", "A.B.C."])
def test_initials_are_not_a_client_reference(ref):
    assert reference_problems(ref)[0] == "initials"


@pytest.mark.parametrize("ref", ["Blue heron", "client seven", "Tuesday knee"])
def test_nicknames_are_fine(ref):
    assert reference_problems(ref) == []


def test_describe_joins_kinds_readably():
    assert describe(["a date"]) == "a date"
    assert describe(["a date", "a phone number", "initials"]) == "a date, a phone number and initials"
