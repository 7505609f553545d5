"""Spotting things in free text that could identify a client, before anything is saved.

We never echo what was found (that would copy it into a message); we name the kind, so
the clinician knows what to take out. The patterns lean towards catching too much: a
clinician can always reword, but a stored phone number cannot be unseen.
"""

from __future__ import annotations

import re

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "a web address",
        re.compile(
            r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|io|co\.uk|org\.uk|nhs\.uk|me|info)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a date",
        re.compile(
            rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s+\d{{2,4}}\b"
            rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
            rf"|\b(?:born|dob|d\.o\.b\.?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a street address or postcode",
        re.compile(
            r"\b\d{1,5}[a-z]?\s+(?:[a-z]+\s+){1,3}"
            r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl"
            r"|boulevard|blvd|crescent|terrace|gardens|grove|square|sq)\b"
            r"|\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a record or ID number",
        re.compile(
            r"\b(?:mrn|nhs|id|record|chart|patient|hospital)\s*(?:no\.?|number|#)?\s*:?\s*"
            r"[a-z]{0,3}\d(?:[\s-]?\d){2,}\b",
            re.IGNORECASE,
        ),
    ),
    ("a phone number", re.compile(r"(?<![\w-])(?:\+|0|\()\d?(?:[\s().-]{0,2}\d){6,}(?!\w)")),
    ("a phone number", re.compile(r"(?<![\w-])\d{2,5}[\s.-]\d{3,4}[\s.-]?\d{3,4}(?!\w)")),
    ("a record or ID number", re.compile(r"\b[a-z]{0,3}\d{6,}\b", re.IGNORECASE)),
)

_INITIALS = re.compile(r"^\s*[A-Za-z]\.?\s?[A-Za-z]\.?(?:\s?[A-Za-z]\.?)?\s*$")


def find_identifier_kinds(text: str | None) -> list[str]:
    """The kinds of identifier that appear in ``text``, in a fixed order, without repeats."""
    if not text:
        return []
    found: list[str] = []
    for kind, pattern in _PATTERNS:
        # Blank out what matched so one identifier is not reported as two kinds
        # (an email address also looks like a web address).
        text, hits = pattern.subn(lambda m: " " * len(m.group()), text)
        if hits and kind not in found:
            found.append(kind)
    return found


def reference_problems(reference: str | None) -> list[str]:
    """Like :func:`find_identifier_kinds`, plus initials, which a client reference must not be."""
    if not reference:
        return []
    kinds = find_identifier_kinds(reference)
    if _INITIALS.match(reference):
        kinds.insert(0, "initials")
    return kinds


def describe(kinds: list[str]) -> str:
    if len(kinds) == 1:
        return kinds[0]
    return ", ".join(kinds[:-1]) + " and " + kinds[-1]
