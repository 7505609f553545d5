"""Spotting things in free text that could identify a client, before anything is saved.

We never echo what was found (that would copy it into a message) and never change what
the clinician wrote: we name the kind, and the form asks them to take it out. The guard
leans towards catching too much (a clinician can always reword; a stored phone number
cannot be unseen), but clinical writing must pass: doses, durations, times, scores, step
and room numbers are set aside first (:mod:`bot.content.identifiers_text`). The examples
it must catch and must leave alone are the table in tests/content/test_identifiers.py.

Order matters: each finding is blanked before the next kind is looked for, so one
identifier is reported once (an email address also looks like a web address).
"""

from __future__ import annotations

import re

import phonenumbers

from bot.content.identifiers_text import SPELLED_EMAIL, blank, blank_safe_numbers, undisguise

EMAIL, WEB, HANDLE, DATE = "an email address", "a web address", "a social media handle", "a date"
ADDRESS, NHS, RECORD, PHONE = "a street address or postcode", "an NHS number", "a record or ID number", "a phone number"

_I = re.IGNORECASE
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_ORDINAL = (r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
            r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
            r"|nineteenth|twentieth|thirtieth")
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?"
_YEAR_WORDS = (rf"(?:nineteen|twenty)[\s-]+(?:hundred|oh[\s-]+\w+|ten|eleven|twelve|thirteen|fourteen|fifteen"
               rf"|sixteen|seventeen|eighteen|nineteen|{_TENS})|two[\s-]thousand(?:\s+and)?(?:[\s-]+\w+)?")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL})"
_YEAR = rf"(?:\d{{4}}|'?\d{{2}}|{_YEAR_WORDS})"
_PLATFORM = (r"(?:instagram|insta|ig|snapchat|snap|tiktok|tik tok|twitter|facebook|fb|linkedin|threads|telegram"
             r"|discord|whatsapp|kik|onlyfans|reddit|youtube|twitch|bluesky|mastodon)")
_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY"
           "|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC")
_STREET = (r"street|st|road|rd|avenue|ave|lane|ln|drive|close|way|court|ct|place|pl|boulevard|blvd"
           r"|crescent|cres|terrace|gardens|grove|square|sq|mews|parade|row|walk|rise|hill|highway|hwy"
           r"|parkway|pkwy|circle|cir|trail|view|green")
# UK inward codes never use C, I, K, M, O or V: so "B12 3mg" is a dose, not a postcode.
_UK_POSTCODE = r"\b(?:gir ?0aa|[a-pr-uwyz][a-hk-y]?\d[a-z\d]? ?\d[abd-hjlnp-uw-z]{2})\b(?<!st)(?<!nd)(?<!rd)(?<!th)"

_BEFORE_NUMBERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EMAIL, re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+")),
    (EMAIL, SPELLED_EMAIL),
    (WEB, re.compile(r"(?:https?://|www\.)\S+|(?<![\w-])[\w-]++\.(?:com|org|net|io|co\.uk|org\.uk|nhs\.uk|me|info"
                     r"|ly|gg|tv|ee|app|xyz|link|page)\b(?:/\S*)?|(?<![\w-])[\w-]++\s+dot\s+(?:com|org|net|co\s+dot\s+uk|io)\b",
                     _I)),
    (HANDLE, re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")),
    (HANDLE, re.compile(
        rf"\b{_PLATFORM}(?:\s+(?:handle|name|username|user|id|account|page))*\s*(?:[:=]|\bis\b|\bas\b)?\s*"
        r"(?=[a-z0-9_.#]*[\d_])(?=[a-z0-9_.#]*[a-z])[a-z0-9_.#]{3,30}"
        rf"|\b{_PLATFORM}(?:\s+(?:handle|name|username|user|id|account|page))+\s*(?:[:=]|\bis\b)\s*[a-z0-9_.]{{3,30}}"
        rf"|\b{_PLATFORM}\s*:\s*[a-z0-9_.]{{3,30}}", _I)),
    (DATE, re.compile(
        r"\b\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}\b|\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b"
        rf"|\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"
        rf"|\b{_MONTH}\s+(?:the\s+)?{_DAY},?\s+{_YEAR}\b"
        r"|(?<!-)\b(?:born|dob|d\.o\.b\.?|date of birth)\b"
        rf"|\bbirthday\s*(?:is|was|on|:)?\s*(?:the\s+)?(?:\d|{_ORDINAL}|{_MONTH})", _I)),
    (RECORD, re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),  # a US social security number
    (RECORD, re.compile(
        r"\b(?:mrn|nhs|chi|hospital|record|chart|patient|case|client|ssn|medicare|medicaid|member|policy"
        r"|insurance|id|ref|reference|hcn|health\s+(?:and\s+care\s+)?number)\s*(?:no\.?|number|num|#|id)?"
        r"\s*[:.#-]?\s*[a-z]{0,3}\d(?:[\s-]?\d){2,}\b", _I)),
)

_ADDRESSES = (
    re.compile(rf"\b\d{{1,5}}[a-z]?,?\s+(?:[a-z'-]+\s+){{1,3}}(?:{_STREET})\b\.?", _I),
    re.compile(rf"\b(?:lives?|living|stays?|staying|address(?:\s+is)?|moved\s+to|house\s+on|home\s+on|flat\s+on)\b"
               rf"\W+(?:[a-z'-]+\W+){{0,4}}?(?:{_STREET.replace('|st|', '|').replace('|rd|', '|')})\b", _I),
    re.compile(r"\b(?:flat|apartment|apt|suite)\.?\s*#?\s*\d+[a-z]?\b|\bp\.?\s?o\.?\s+box\s*\d+", _I),
    re.compile(_UK_POSTCODE, _I),
    re.compile(r"\b(?:post\s*code|postcode|zip(?:\s*code)?)\s*(?:is|:)?\s*[a-z0-9]{2,4}(?:\s?[a-z0-9]{3})?\b", _I),
    re.compile(rf"\b(?:{_STATES})\s+\d{{5}}(?:-\d{{4}})?\b|\b\d{{5}}-\d{{4}}\b"),
)

_REGIONS = ("GB", "US", "IE", "CA", "AU", "NZ", "IN", "DE", "FR", "ES", "IT", "NL", "ZA", "PL", "PT", "PH", "NG")
# Seven or more digits with at most three separators between any two (commas and semicolons
# separate list items, not digits), found in one linear pass (see _digit_runs).
_NUMBERISH = re.compile(r"\d[\d\s().+-]*")
_GAP = re.compile(r"[\s().+-]{4,}")
_MAX_RUNS = 20  # a wall of numbers is flagged without looking up every one
_LONG_ID = re.compile(r"\b[a-z]{0,3}\d{6,}[a-z]{0,2}\b", _I)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check (the tenth digit checks the first nine)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    return (0 if check == 11 else check) == int(digits[9]) and check != 10


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """Where runs of seven or more digits are, with a leading + or bracket, not touching a
    letter. Plain loops rather than one regular expression with look-arounds, so that a
    hostile wall of digits costs linear time."""
    runs = []
    for match in _NUMBERISH.finditer(text):
        chunk, start = match.group(), match.start()
        pieces, position = [], 0
        for gap in _GAP.finditer(chunk):
            pieces.append((position, gap.start()))
            position = gap.end()
        pieces.append((position, len(chunk)))
        for first, last in pieces:
            piece = chunk[first:last].rstrip(" \t\r\n().+-")
            begin, end = start + first, start + first + len(piece)
            while begin > 0 and text[begin - 1] in "+(":
                begin -= 1
            if sum(c.isdigit() for c in piece) < 7:
                continue
            if (begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in "_.")) or \
                    (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                continue
            runs.append((begin, end))
    return runs


def _blank_runs(text: str, which) -> tuple[str, list[str]]:
    """The text with the digit runs ``which`` picks blanked, and those runs."""
    taken = []
    for begin, end in _digit_runs(text):
        if which(text[begin:end]):
            taken.append(text[begin:end])
            text = text[:begin] + " " * (end - begin) + text[end:]
    return text, taken


def _is_nhs_number(run: str) -> bool:
    """An NHS (or CHI, or H&C) number: ten digits passing the check, not written the way a
    phone number is (a leading + or bracket, a first digit no NHS number has, or a number
    the UK numbering plan knows)."""
    digits = re.sub(r"\D", "", run)
    if not nhs_number_is_valid(digits) or run.lstrip()[:1] in "+(" or digits[0] in "0125":
        return False
    try:  # (a US number with a passing check digit is still caught, as an NHS number)
        return not phonenumbers.is_valid_number(phonenumbers.parse(run, "GB"))
    except phonenumbers.NumberParseException:
        return True


def _is_valid_phone(run: str) -> bool:
    for region in _REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(run, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _numbers(text: str) -> list[str]:
    """Phone numbers and long record numbers among the remaining digits."""
    kinds: list[str] = []
    runs = [text[b:e] for b, e in _digit_runs(text)]
    for run in runs[:_MAX_RUNS]:
        # a number some country's numbering plan knows; grouped, or dialled with a 0 or +:
        # a phone number no plan knows; seven or more digits in one piece: a record number
        valid = _is_valid_phone(run)
        kinds.append(PHONE if valid or re.search(r"\D", run) or run[0] in "0+(" else RECORD)
    if len(runs) > _MAX_RUNS:
        kinds.append(PHONE)
    text, _ = _blank_runs(text, lambda run: True)
    if _LONG_ID.search(text):
        kinds.append(RECORD)
    return kinds


def find_identifier_kinds(text: str | None) -> list[str]:
    """The kinds of identifier that appear in ``text``, in a fixed order, without repeats."""
    if not text:
        return []
    found: list[str] = []

    def note(kind: str, hits: int | bool) -> None:
        if hits and kind not in found:
            found.append(kind)

    # A valid NHS number first, whatever words come before it ("NHS no", "ref", "MRN").
    text, nhs = _blank_runs(text, _is_nhs_number)
    note(NHS, nhs)
    for kind, pattern in _BEFORE_NUMBERS:
        text, hits = pattern.subn(blank, text)
        note(kind, hits)
    text = blank_safe_numbers(text)
    for pattern in _ADDRESSES:
        text, hits = pattern.subn(blank, text)
        note(ADDRESS, hits)
    undisguised = undisguise(text)
    spelled, nhs = _blank_runs(undisguised, _is_nhs_number)
    note(NHS, nhs)
    for kind in _numbers(spelled):
        note(kind, True)
    return found


_INITIALS = re.compile(r"^\s*[A-Za-z]\.?\s?[A-Za-z]\.?(?:\s?[A-Za-z]\.?)?\s*$")


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

