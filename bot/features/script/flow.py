"""``script [words]``: look up boundary scripts without filing anything.

The lookup (:mod:`bot.content.lookup`) reads the words for the client's condition or age, who
the other person was, and the situation; when it is unsure it asks "Did you mean…" with two or
three buttons instead of answering wrongly. What was typed is never echoed back or logged:
people sometimes type details about a client.
"""

from __future__ import annotations

from bot.content import lookup as finder
from bot.content.library import Library
from bot.content.situations import all_situations, situation_button, situation_label
from bot.content.taxonomy import Category
from bot.features.script.wording import fallback_paragraphs, plain_paragraphs, why_paragraphs
from bot.port.views import Button, Card, Notice, View

NOTHING_SAVED = (
    "Nothing was saved. To keep a private record and get the recommended step for your "
    "situation, type report."
)
NOT_FOUND = Notice(
    "I couldn't find a script for that. Try a few everyday words, such as \"asked for my "
    "number\" or \"hugged me\", or type script on its own to see every kind of situation."
)
PICK = "script.pick"
WHY = "script.why"


async def lookup(turn, args: str = "") -> list[View]:
    """``script`` alone lists the situations; ``script <words>`` shows the closest scripts, or
    asks "Did you mean…" when it is unsure. The words typed are never repeated."""
    if not args.strip():
        return [overview(turn.library)]
    result = finder.find(turn.scripts, args, profession=turn.profession)
    if not result.matches:
        unreviewed = finder.find(turn.library, args, profession=turn.profession)
        if unreviewed.matches:
            return [_fallback(turn, unreviewed.matches[0].situation)]
        return [NOT_FOUND]
    if result.clarify:
        return [clarify_card(result.clarify)]
    views: list[View] = [
        script_card(turn, match.situation, match.script, position)
        for position, match in enumerate(result.matches, start=1)
    ]
    views.append(Notice(NOTHING_SAVED))
    return views


async def pick(turn, value: str) -> list[View]:
    """A "Did you mean…" button: the scripts for that situation (none named: every kind)."""
    if not value:
        return [overview(turn.library)]
    if value not in all_situations():
        return [NOT_FOUND]
    candidates = [s for s in turn.scripts.scripts if value in s.situations
                  and (not s.professions or turn.profession in s.professions)]
    if not candidates:
        return [_fallback(turn, value)]
    best = min(candidates, key=finder._preference)
    return [script_card(turn, value, best, 1), Notice(NOTHING_SAVED)]


def clarify_card(situations: list[str]) -> Card:
    return Card(
        title="Did you mean…",
        paragraphs=("I'm not sure which of these fits best. Choose one and I'll show you words to say.",),
        buttons=tuple(Button(situation_button(s), PICK, s) for s in situations[:3]),
    )


def _fallback(turn, situation: str) -> Card:
    return Card(
        title=situation_label(situation),
        paragraphs=tuple(fallback_paragraphs(situation, region=turn.region, contacts=turn.contacts, step=1)),
    )


def example_phrase(library: Library, category: Category) -> str | None:
    """The first everyday phrasing of the category's mildest general script."""
    candidates = sorted(
        (s for s in library.scripts
         if s.phrases and not s.professions and s.pathway.value == "boundary" and s.other_person.value == "client"
         and any(x == category.value or x.startswith(category.value + "/") for x in s.situations)),
        key=finder._preference,
    )
    return candidates[0].phrases[0] if candidates else None


def overview(library: Library) -> Card:
    facts = []
    for category in Category:
        example = example_phrase(library, category)
        facts.append((category.label, f"e.g. script {example}" if example else "script"))
    return Card(
        title="Boundary scripts",
        paragraphs=(
            "Words you could say when a client, a relative or a visitor crosses a line, with the "
            "next step and why. Type script followed by a few words about what happened. Nothing "
            "is saved.",
            "If it may come from the client's condition or age (confusion, a learning disability, "
            "a mental-health crisis, alcohol or drugs, a threat to harm themselves, a child), say "
            "so: the advice changes.",
            "Leave out anything that could identify the client.",
        ),
        facts=tuple(facts),
    )


def script_card(turn, situation: str, script, position: int = 1) -> Card:
    """A plain card: the words, one line on why, the next step; the rest behind a button."""
    paragraphs = plain_paragraphs(script, situation, contacts=turn.contacts, region=turn.region,
                                  step=min(script.steps))
    return Card(title=f"{position}. {situation_label(situation)}", paragraphs=tuple(paragraphs),
                buttons=(Button("Why this advice?", WHY, f"{script.id}|{situation}"),))


async def why(turn, value: str) -> list[View]:
    """Behind "Why this advice?": the ladder step, notes for settings and professions, sources."""
    script_id, _, situation = value.partition("|")
    script = turn.scripts.get(script_id) if script_id else None
    if script is None or situation not in all_situations():
        return [NOT_FOUND]
    paragraphs = why_paragraphs(script, situation, setting=None, profession=turn.profession, region=turn.region,
                                contacts=turn.contacts, step=min(script.steps))
    if script.settings:
        paragraphs.append("Written for: " + ", ".join(s.label.lower() for s in script.settings) + ".")
    return [Card(title="Why this advice?", paragraphs=tuple(paragraphs))]
