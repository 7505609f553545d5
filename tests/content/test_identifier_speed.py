"""The identifier guard is linear in its input: hostile repetitions (digits joined by dashes,
dotted words, long runs of separators) are checked in well under a second at several times
the longest field the forms accept (1,000 characters)."""

import time

import pytest

from bot.content.identifiers import find_identifier_kinds

UNITS = ["a.", "a-", "1-", "/1", "1 ", "12 ", "1.", "1:", "a@", "@a", "oh ", "1mg ", "1 x ", "x at a.", "3rd ",
         "po box ", "flat 1 ", "insta a_", "jenny at ", "(0", "+44 ", "sw1a 1aa "]


@pytest.mark.parametrize("unit", UNITS)
def test_hostile_repetition_is_checked_quickly(unit):
    text = unit * (5000 // len(unit))
    started = time.perf_counter()
    find_identifier_kinds(text)
    assert time.perf_counter() - started < 2.0  # generous: the machine is shared; quadratic took 5-20 s
