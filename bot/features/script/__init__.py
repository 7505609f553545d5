"""``script [words]``: look up words to say without filing anything."""

from bot.feature import Feature, Verb
from bot.features.script import flow
from bot.features.script.wording import (
    fallback_paragraphs,
    plain_paragraphs,
    script_paragraphs,
    why_paragraphs,
)

__all__ = ["FEATURE", "fallback_paragraphs", "plain_paragraphs", "script_paragraphs", "why_paragraphs"]

FEATURE = Feature(
    name="script",
    verbs=(Verb("script", flow.lookup, "look up words to say (e.g. script asked for my number); nothing is saved",
                order=20),),
    buttons={flow.PICK: flow.pick, flow.WHY: flow.why},
)
