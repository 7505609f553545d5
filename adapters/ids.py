"""Numbers no id can be: a button's value comes back from the platform as whatever the card
(or a forger) put there, and the core reads an id from it. A run of digits beyond any
integer column (PostgreSQL's ``integer``, SQLite's 64 bits) would fail in the database
instead of finding nothing, so both adapters refuse it at the boundary."""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1
_NUMBER = re.compile(r"-?[0-9]+")


def beyond_any_id(value: object) -> bool:
    """Whether ``value`` is written as an integer too large (or small) for an id column."""
    if not isinstance(value, str) or not _NUMBER.fullmatch(value):
        return False
    digits = value.lstrip("-").lstrip("0")
    return len(digits) > 10 or int(value) > MAX_ID or int(value) < -MAX_ID
