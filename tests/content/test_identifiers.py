"""Free text is checked for things that could identify a client."""

import pytest

from bot.content.identifiers import describe, find_identifier_kinds, reference_problems

FLAGGED = [
    ("call me on 07700 900123", "a phone number"),
    ("his mobile is +44 7700 900123", "a phone number"),
    ("number was 555-123-4567", "a phone number"),
    ("emailed me from someone@example.com", "an email address"),
    ("DOB 12/03/1988", "a date"),
    ("born on 3 March 1988", "a date"),
    ("it was 2024-01-04", "a date"),
    ("MRN 1234567", "a record or ID number"),
    ("NHS number 943 476 5919", "a record or ID number"),
    ("patient id: A1234", "a record or ID number"),
    ("found my profile at https://instagram.com/someone", "a web address"),
    ("lives at 14 Elm Street", "a street address or postcode"),
    ("postcode SW1A 1AA", "a street address or postcode"),
]

CLEAN = [
    "asked me out for coffee after the session",
    "asked 3 times for coffee at 5pm",
    "2 sessions, 45 minutes each, over 3 weeks",
    "room 12 on ward 7",
    "he is 45 and said I was pretty",
    "asked for my number",
    "in 2023 he said something similar",
    "sent a friend request on instagram",
]


@pytest.mark.parametrize(("text", "kind"), FLAGGED)
def test_identifiers_are_found(text, kind):
    assert find_identifier_kinds(text) == [kind]


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_narrative_is_not_flagged(text):
    assert find_identifier_kinds(text) == []


@pytest.mark.parametrize("ref", ["JS", "J.S.", "j s", "A.B.C."])
def test_initials_are_not_a_client_reference(ref):
    assert reference_problems(ref)[0] == "initials"


@pytest.mark.parametrize("ref", ["Blue heron", "client seven", "Tuesday knee"])
def test_nicknames_are_fine(ref):
    assert reference_problems(ref) == []


def test_describe_joins_kinds_readably():
    assert describe(["a date"]) == "a date"
    assert describe(["a date", "a phone number", "initials"]) == "a date, a phone number and initials"
