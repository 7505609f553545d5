"""Preparing free text for the identifier guard (:mod:`bot.content.identifiers`).

Two jobs, both on a copy the clinician never sees:

1. **Undo disguises**: digits written as words ("oh seven seven double oh…"), the letter O
   standing in for a zero, unusual separators between digits ("07700·900·123"), and "at"
   and "dot" written out in an email address.
2. **Blank what is safe**: quantities (doses, durations, counts with their unit), clock
   times, year ranges, scores and step numbers, so that "500 mg twice a day for 10 days"
   or "9:30-10:15" never look like a phone number.
"""

from __future__ import annotations

import re

DIGIT_WORDS = {
    "zero": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_DIGIT_WORD = re.compile(r"\b(" + "|".join(DIGIT_WORDS) + r")\b", re.IGNORECASE)
# "oh" or "o" is a zero only beside other digits: "oh seven", "seven oh one".
_OH_AFTER = re.compile(r"(?<=\d)([\s-]+)(?:oh|o)\b", re.IGNORECASE)
_OH_BEFORE = re.compile(r"\b(?:oh|o)(?=[\s-]+\d)", re.IGNORECASE)
_REPEAT = re.compile(r"\b(double|triple)[\s-]+(\d)", re.IGNORECASE)
# The letter O between digits, as in "O77OO 9OO 123".
_LETTER_O = re.compile(r"\b(?=[\doO]*\d)[\doO]+\b")
# Dots, slashes, underscores, tildes, bullets and dashes of every kind between digits.
_ODD_SEPARATOR = re.compile(r"(?<=\d)\s*[·•∙⋅_~|/\\*=\u2010-\u2015\u2212]+\s*(?=\d)")

UNITS = (
    r"mg|mcg|µg|ug|micrograms?|milligrams?|g|grams?|kg|ml|mls|millilitres?|milliliters?|l|litres?|liters?"
    r"|units?|iu|mmol|mmhg|bpm|%|percent|cm|mm|metres?|meters?|miles?|km|lbs?|pounds?|stones?|oz"
    r"|seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|nights?|weeks?|wks?|months?|years?|yrs?|y/?o|"
    r"sessions?|appointments?|visits?|times?|tablets?|tabs?|capsules?|puffs?|drops?|doses?|sachets?"
    r"|patches?|injections?|steps?|reps?|sets?|pages?|people|patients?|clients?|staff|calls?|messages?"
    r"|texts?|emails?|questions?|points?|beds?|floors?|rooms?|pence|p|dollars?|cents?|pounds?"
)
# Bounded repetitions throughout: a hostile "1-1-1-…" must not cost quadratic time.
_QUANTITY = re.compile(
    r"(?<![\w@])[£$€]?\d{1,9}(?:[.,]\d{1,6})?(?:\s{0,3}(?:-|–|to|or|/|x)\s{0,3}[£$€]?\d{1,9}(?:[.,]\d{1,6})?){0,3}\s{0,3}"
    rf"(?:{UNITS})\b(?!\s*[@.]\w)",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?"
    r"(?:\s*(?:-|–|to|until|till)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?)?"
    r"|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)(?:\s*(?:-|–|to|until|till)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)?"
    r"|\b\d{1,2}:\d{2}\b|\b[01]?\d[0-5]\d\s*(?:hrs|hours|h)\b",
    re.IGNORECASE,
)
_CLOCK_RANGE = re.compile(r"\b\d{1,2}[:.]\d{2}\s*[-–]\s*\d{1,2}[:.]\d{2}\b")
_YEAR_RANGE = re.compile(r"\b(?:19|20)\d{2}\s*(?:-|–|to|/)\s*(?:(?:19|20)\d{2}|\d{2})\b")
_SCORE = re.compile(r"(?<![\d/])\b\d{1,3}\s*/\s*\d{1,3}\b(?!/)")  # blood pressure 120/80, a score 7/10
_STEP = re.compile(r"\b(?:step|stage|level|phase|item|question|q|point|page|line|room|ward|bay|bed|floor"
                   r"|session|week|day|visit|session no\.?)\s*#?\s*\d{1,3}\b", re.IGNORECASE)

_EMAIL_AT = r"(?:\s*@\s*|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+|\s*\(@\)\s*)"
_EMAIL_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)"
TLDS = r"(?:com|org|net|edu|gov|io|me|info|co|uk|us|ie|ca|au|nz|de|fr|nhs|ac|biz|mail)"
SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]++{_EMAIL_AT}[\w-]++(?:{_EMAIL_DOT}[\w-]++)*{_EMAIL_DOT}{TLDS}\b", re.IGNORECASE
)


def blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def undisguise(text: str) -> str:
    """The text with disguised digits written as digits (lengths change: never shown)."""
    text = _DIGIT_WORD.sub(lambda m: DIGIT_WORDS[m.group().lower()], text)
    for _ in range(3):  # runs of "oh": "seven oh oh one"
        text = _OH_AFTER.sub(lambda m: m.group(1) + "0", text)
        text = _OH_BEFORE.sub("0", text)
    text = _REPEAT.sub(lambda m: f"{m.group(2)} {m.group(2)}" + (f" {m.group(2)}" if m.group(1).lower() == "triple" else ""), text)
    text = _LETTER_O.sub(lambda m: m.group().replace("o", "0").replace("O", "0"), text)
    return _ODD_SEPARATOR.sub(" ", text)


def blank_safe_numbers(text: str) -> str:
    """Quantities, clock times, year ranges, scores and step numbers turned to spaces."""
    for pattern in (_CLOCK_RANGE, _TIME, _YEAR_RANGE, _SCORE, _QUANTITY, _STEP):
        text = pattern.sub(blank, text)
    return text
