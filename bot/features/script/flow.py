"""``script [words]``: look up boundary scripts without filing anything.

The lookup is fuzzy (rapidfuzz) over what a clinician would type: each script's everyday
``phrases``, the words of its id and its category's labels. What was typed is never echoed
back or logged: people sometimes type details about a client.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from bot.content.scripts import Library, Script, Tone
from bot.content.taxonomy import Category, Profession, Step
from bot.port.views import Card, Notice, View

MIN_SCORE = 60.0
# Small words that carry no meaning for the lookup; dropping them stops "my", "me" and "the"
# from making unrelated phrases look alike.
STOPWORDS = frozenset({
    "a", "an", "the", "to", "of", "on", "in", "at", "for", "and", "or", "is", "was", "were",
    "be", "been", "it", "its", "this", "that", "my", "me", "i", "im", "he", "she", "they",
    "them", "their", "his", "her", "him", "you", "your", "we", "us", "our", "with", "by",
    "from", "about", "as", "just", "so", "keeps", "keep", "kept", "has", "have", "had", "did",
    "do", "does", "client", "patient", "clients", "patients", "s", "m", "d", "ll", "re", "ve",
    "t",
})


@dataclass(frozen=True, slots=True)
class Match:
    category: Category
    script: Script
    score: float


def _clean(text: str) -> str:
    words = utils.default_process(text).split()
    kept = [w for w in words if w not in STOPWORDS]
    return " ".join(kept or words)


def _texts(script: Script, category: Category) -> list[str]:
    texts = list(script.phrases)
    texts.append(script.id.replace("-", " "))
    texts.append(category.label)
    texts.append(category.short)
    return texts


def _index(library: Library, profession: Profession | None) -> list[tuple[Category, Script, str]]:
    rows = []
    for script in library.scripts:
        if script.professions and profession is not None and profession not in script.professions:
            continue
        for category in script.categories:
            for text in _texts(script, category):
                rows.append((category, script, _clean(text)))
    return rows


def _score(query: str, choice: str, **_: object) -> float:
    # token_set_ratio finds a phrase inside a longer sentence in any word order and forgives
    # small misspellings; a little WRatio breaks its many ties in favour of closer wording.
    return 0.9 * fuzz.token_set_ratio(query, choice) + 0.1 * fuzz.WRatio(query, choice)


def search(
    library: Library, query: str, limit: int = 3, profession: Profession | None = None
) -> list[Match]:
    """The best script for each of the ``limit`` best-matching categories, best first.

    Deterministic: ties break on category order, then on a preference for general,
    low-step, gentle scripts, then on the id. Scripts written for another profession are left
    out when the profession is known.
    """
    cleaned = _clean(query)
    if not cleaned:
        return []
    rows = _index(library, profession)
    scored = process.extract(
        cleaned, [text for _, _, text in rows], scorer=_score, processor=None, limit=None
    )
    best: dict[Category, Match] = {}
    for _, score, index in scored:
        category, script, _ = rows[index]
        current = best.get(category)
        if current is None or _better(score, script, current):
            best[category] = Match(category, script, score)
    ranked = sorted(best.values(), key=lambda m: (-m.score, list(Category).index(m.category)))
    return [m for m in ranked if m.score >= MIN_SCORE][:limit]


def _preference(script: Script) -> tuple:
    tone = {Tone.GENTLE: 0, Tone.FIRM: 1, Tone.HUMOUR: 2}[script.tone]
    return (bool(script.settings), bool(script.professions), min(script.steps), tone, script.id)


def _better(score: float, script: Script, current: Match) -> bool:
    if score != current.score:
        return score > current.score
    return _preference(script) < _preference(current.script)


# --- the chat verb -------------------------------------------------------------------------

NOTHING_SAVED = (
    "Nothing was saved. To keep a private record and get the recommended step for your "
    "situation, type report."
)
NOT_FOUND = Notice(
    "I couldn't find a script for that. Try a few everyday words, such as \"asked for my "
    "number\" or \"hugged me\", or type script on its own to see every kind of situation."
)


async def lookup(turn, args: str = "") -> list[View]:
    """``script`` alone lists the situations; ``script <words>`` shows the closest scripts.

    The words typed are never repeated in the answer.
    """
    if not args.strip():
        return [overview(turn.library)]
    matches = search(turn.library, args, profession=turn.profession)
    if not matches:
        return [NOT_FOUND]
    views: list[View] = [
        script_card(match, turn.profession, turn.jurisdiction, position)
        for position, match in enumerate(matches, start=1)
    ]
    views.append(Notice(NOTHING_SAVED))
    return views


def example_phrase(library: Library, category: Category) -> str | None:
    """The first everyday phrasing of the category's mildest general script."""
    candidates = sorted(
        (s for s in library.scripts if category in s.categories and s.phrases),
        key=_preference,
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
            "Words you could say when a client crosses a line, with the next step and why. "
            "Type script followed by a few words about what happened. Nothing is saved.",
            "Leave out anything that could identify the client.",
        ),
        facts=tuple(facts),
    )


def script_card(
    match: Match, profession: Profession | None, jurisdiction: str | None, position: int = 1
) -> Card:
    script = match.script
    steps = ", ".join(str(s.value) for s in script.steps)
    step_labels = "; ".join(Step(s).label for s in script.steps)
    paragraphs = [
        f"Something you could say ({script.tone.label}):",
        f"> {script.say}",
        f"Next: {script.next_step.label}. {script.why}",
    ]
    for setting, note in script.setting_notes.items():
        paragraphs.append(f"{setting.label}: {note}")
    if profession and (note := script.profession_notes.get(profession)):
        paragraphs.append(f"For {profession.value}s: {note}")
    if sources := script.sources_for(jurisdiction):
        paragraphs.append("Based on: " + "; ".join(s.code for s in sources) + ".")
    facts = [("Ladder step", f"{steps} ({step_labels})")]
    if script.settings:
        facts.append(("Written for", ", ".join(s.label for s in script.settings)))
    if script.professions:
        facts.append(("For", ", ".join(f"{p.value}s" for p in script.professions)))
    return Card(
        title=f"{position}. {match.category.label}",
        paragraphs=tuple(paragraphs),
        facts=tuple(facts),
    )
