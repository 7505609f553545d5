"""Wording the loader refuses where it could harm: checked lists, not good intentions.

A script of the risk and capacity pathway speaks to someone who may be at risk, confused,
unwell, intoxicated or a child. Its words never tell them off, never joke, and never have the
clinician walk out on them (leaving is still advised when the clinician is in danger: that
advice goes in ``why`` or a note, and the same sentence must say that help goes to the
person). The lookup also uses these lists: no answer to a risk phrasing may contain them.
"""

from __future__ import annotations

import re

# Words that have the clinician leave, end or stop the contact.
WALKING_OUT = (
    "step out", "stepping out", "walk out", "walking out", "leave the room", "leave now",
    "i need to go", "i need to leave", "i'm leaving", "i am leaving", "going to leave",
    "this visit is over", "ending this", "end this", "end our call", "end the call",
    "ending the call", "stopping this appointment", "stop this appointment", "i'm going to go",
    "finish this visit", "i'm stopping here", "leaving the room", "leaving now", "walk away",
    "i'm stopping now", "stopping now", "leave you",
)
# Words that scold, blame or threaten a consequence.
TELLING_OFF = (
    "not acceptable", "unacceptable", "not appropriate", "inappropriate", "not ok", "not okay",
    "don't find that funny", "won't go along", "please leave", "you must", "behave yourself",
    "how dare", "that's enough", "i've asked you before", "you should know better",
    "passed this on to my manager", "will be reported", "report you", "hand your care",
    "take over your care", "pass your care", "a colleague will take over",
)
# The words that show the same sentence also gets help to the person ("say both").
HELP_STAYS = (
    "stays with", "stay with", "someone with them", "not left alone", "never left alone",
    "isn't left alone", "is not left alone", "help to them", "gets to them", "crisis",
    "clinical team", "on-call", "safeguarding",
)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'"))


def found(text: str, phrases: tuple[str, ...]) -> list[str]:
    """The listed phrases that occur in ``text`` (case and apostrophes ignored)."""
    text = _normal(text)
    return [p for p in phrases if p in text]


def punitive_or_leaving(text: str) -> list[str]:
    """Walking-out or telling-off phrases in words meant for a person at risk."""
    return found(text, WALKING_OUT) + found(text, TELLING_OFF)


def leaving_without_help(text: str) -> list[str]:
    """Sentences that advise leaving without saying that help goes to the person."""
    out = []
    text = _normal(text).replace("leave the door", "keep the door")  # a door ajar is not leaving
    for sentence in re.split(r"(?<=[.;!?])\s+", text):
        if found(sentence, WALKING_OUT + ("leave", "get out", "get away")) and not found(sentence, HELP_STAYS):
            out.append(sentence.strip())
    return out
