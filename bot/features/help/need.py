"""Text that is no verb: someone who may need help, never a mistake.

One message, in the order a frightened person needs it: the organisation's safety line first
when the words suggest danger (or a risk of harm), then the lookup's best words to say with
one line on why, then the next steps as buttons — [Report privately] [Words to say]
[Get someone with me]. A short slip on a verb ("statsu") still gets "Did you mean status?".
What was typed is never echoed back or logged: people type details about clients.
"""

from __future__ import annotations

import difflib

from bot.content import lookup as finder
from bot.content.situations import situation_button
from bot.features import report, script
from bot.org.contacts import contact_lines
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

REPORT = "report.open"            # opens the report form (the report feature's own button)
WORDS = "script.pick"             # the script feature's "Did you mean…" button: words for a situation
COLLEAGUE_NOW = "chaperone.now"   # an urgent request for a colleague with me now
CHAPERONE_LATER = "chaperone.for_report"


def did_you_mean(turn: Turn, text: str) -> str | None:
    """The verb the first word may have been meant as ("statsu" → "status")."""
    words = text.split()
    if not words:
        return None
    names = [verb.name for verb in turn.features.verbs]
    close = difflib.get_close_matches(words[0].lower(), names, n=1, cutoff=0.75)
    return close[0] if close else None


async def answer(turn: Turn, text: str) -> list[View]:
    verb = did_you_mean(turn, text)
    if verb is not None and len(text.split()) <= 2:
        return [Notice(f"Did you mean {verb}? Type {verb}, or help to see everything I can do.")]
    danger = finder.danger_in(text)
    found = finder.find(turn.scripts, text, profession=turn.profession, limit=1)
    match = found.matches[0] if found.matches else None
    paragraphs: list[str] = []
    if danger:
        security = contact_lines(turn.contacts, ["security"], turn.region)[0].split(": ", 1)[1]
        paragraphs.append(f"If you are in danger now, get to safety and call {security}.")
    if match is not None:
        paragraphs += script.plain_paragraphs(match.script, match.situation, contacts=turn.contacts,
                                              region=turn.region)
    else:
        paragraphs.append("You don't have to deal with this alone. Tell me privately what happened, "
                          "look up words to say, or get a colleague with you.")
    paragraphs.append("Nothing you typed was saved."
                      + (f" Did you mean {verb}? Type {verb} followed by what you want." if verb else ""))
    buttons = []
    if danger:
        if (call := report.call_button(turn.contacts)) is not None:  # the org's security number
            buttons.append(call)
        buttons.append(Button("Get someone with me now", COLLEAGUE_NOW, "", ButtonStyle.PRIMARY))
    buttons.append(Button("Report privately", REPORT, style=ButtonStyle.DEFAULT if danger else ButtonStyle.PRIMARY))
    if match is not None:
        buttons.append(Button(f"Words to say: {situation_button(match.situation)}"[:75], WORDS, match.situation))
    else:
        buttons.append(Button("Words to say", WORDS, ""))
    if not danger:
        buttons.append(Button("Get someone with me", CHAPERONE_LATER, ""))
    title = "Your safety first" if danger else "I can help with that"
    return [Card(title=title, paragraphs=tuple(paragraphs), buttons=tuple(buttons))]
