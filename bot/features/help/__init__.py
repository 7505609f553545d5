"""``help``: what the bot does and how privacy works; and the answer to unknown words."""

from bot.feature import Feature, Verb
from bot.features.help import flow

FEATURE = Feature(
    name="help",
    verbs=(Verb("help", flow.show, "what the bot does and how your privacy is kept", aliases=("?",), order=90),),
    fallback=flow.unknown,
)
