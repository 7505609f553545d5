"""Finding scripts from a few typed words: right, or it asks.

What was typed is cleaned (abbreviations and slang expanded, small words dropped, words
stemmed), then read in two layers:

1. **Cues** (:mod:`bot.content.vocabulary`) say whether the client's condition or age may be
   behind it (the risk pathway, always first when present), and whether the other person was
   a relative or visitor, or a colleague.
2. **Phrases**: every script's everyday ``phrases`` are matched word by word (small spelling
   slips forgiven), each word weighted by how specific it is to one situation. A phrase counts
   only when more than one meaningful word is shared, or one word that belongs to a single
   situation.

When the best two situations score too close, or the best scores low, the answer carries
"Did you mean…" choices instead of pretending to be sure. Nothing typed is logged or kept.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz

from bot.content import vocabulary as vocab
from bot.content import wording_rules
from bot.content.library import NO_HUMOUR, Library, Script, Tone
from bot.content.selection import fits_person
from bot.content.situations import (
    COLLEAGUE,
    FAMILY_CATEGORIES,
    FAMILY_PREFIX,
    RISK_PREFIX,
    SEXUAL_PREFIX,
    Audience,
    Condition,
    Pathway,
    pathway_of,
    situation_button,
)
from bot.content.taxonomy import Category, Profession, Setting

MIN_SCORE = 1.5        # below this the best phrase shares too little to be an answer
WEAK = 1.0             # the most a phrase sharing one common word can score (below MIN_SCORE)
CLARIFY_BELOW = 2.0    # a best score under this asks "Did you mean…" as well
CLOSE_RATIO = 0.9     # the runner-up within this fraction of the best: ask
BM25_K1, BM25_B = 1.2, 0.75
FUZZY_MIN = 84         # rapidfuzz ratio for a spelling slip (words of 4+ letters)
_STEM = snowballstemmer.stemmer("english")


@dataclass(frozen=True, slots=True)
class Match:
    situation: str
    script: Script
    score: float
    seen_as: Category | None = None  # for the risk pathway: what the words otherwise describe

    @property
    def category(self) -> Category:
        situation = self.situation
        if self.seen_as is not None:
            return self.seen_as
        for prefix in (FAMILY_PREFIX,):
            if situation.startswith(prefix):
                return Category(situation.removeprefix(prefix))
        if situation.startswith(SEXUAL_PREFIX):
            return Category.SEXUAL
        if situation in Category.__members__:
            return Category(situation)
        return self.script.categories[0]

    @property
    def pathway(self) -> Pathway:
        return self.script.pathway


@dataclass(frozen=True, slots=True)
class Result:
    matches: list[Match] = field(default_factory=list)
    clarify: list[str] = field(default_factory=list)  # situation labels, best first

    @property
    def confident(self) -> bool:
        return bool(self.matches) and not self.clarify


# --- cleaning -------------------------------------------------------------------------------


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"'s\b", "", text)
    words = re.findall(r"[a-z0-9*&/'.£$€,-]+", text)
    out = []
    for word in words:
        word = word.strip(".,'-")
        if not word:
            continue
        expanded = vocab.ABBREVIATIONS.get(word)
        if expanded is None:
            expanded = vocab.ABBREVIATIONS.get(word.replace("'", ""), word.replace("'", ""))
        out.append(expanded)
    text = " ".join(out)
    for pattern, replacement in vocab.REWRITES:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    return _STEM.stemWord(word)


def tokens(text: str) -> list[str]:
    words = [w for w in re.split(r"[^a-z0-9]+", normalise(text)) if w]
    kept = [w for w in words if w not in vocab.STOPWORDS]
    return [stem(w) for w in kept]


def _has(text: str, phrase: str) -> int | None:
    """Where a cue phrase starts in cleaned text (whole words), else None."""
    match = re.search(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])", text)
    return match.start() if match else None


def conditions_in(text: str) -> list[Condition]:
    clean = normalise(text)
    found = []
    for condition, cues in vocab.CONDITION_CUES.items():
        for cue in cues:
            at = _has(clean, cue)
            if at is not None and not (condition is Condition.CHILD and vocab.OWN.search(clean[:at])):
                found.append(condition)
                break
    if Condition.CHILD not in found and vocab.CHILD_AGE.search(text.lower()):
        found.append(Condition.CHILD)
    return found


def danger_in(text: str) -> bool:
    """Words that say the person may be in danger now (the safety line goes first), or that
    the client may harm themselves."""
    clean = normalise(text)
    if any(_has(clean, cue) is not None for cue in vocab.DANGER_CUES):
        return True
    return Condition.SELF_HARM in conditions_in(text)


def family_in(text: str) -> bool:
    clean = normalise(text)
    for cue in vocab.FAMILY_CUES:
        at = _has(clean, cue)
        if at is not None and not vocab.OWN.search(clean[:at]):
            return True
    return False


def colleague_in(text: str) -> bool:
    clean = normalise(text)
    if vocab.COLLEAGUE_AS_OBJECT.search(clean):
        clean = vocab.COLLEAGUE_AS_OBJECT.sub(" ", clean)
    return any(_has(clean, cue) is not None for cue in vocab.COLLEAGUE_CUES)


# --- the phrase index ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    situation: str
    script: Script
    words: tuple[str, ...]


@dataclass(frozen=True)
class Index:
    phrases: tuple[_Phrase, ...]
    idf: dict[str, float]
    vocabulary: frozenset[str]
    specific: float  # the weight of a word found in two groups of situations
    mean_length: float


def build_index(library: Library) -> Index:
    phrases = []
    for script in library.scripts:
        for situation in script.situations:
            for text in script.phrases:
                words = tuple(dict.fromkeys(tokens(text)))
                if words:
                    phrases.append(_Phrase(situation, script, words))
    # How specific a word is: relatives' situations count with their category, the risk
    # pathway as one (cues, not phrases, decide those).
    by_word: dict[str, set[str]] = defaultdict(set)
    for phrase in phrases:
        family = phrase.situation.removeprefix(FAMILY_PREFIX)
        group = "RISK" if phrase.situation.startswith(RISK_PREFIX) else family
        for word in phrase.words:
            by_word[word].add(group)
    total = len({g for groups in by_word.values() for g in groups}) or 1
    idf = {word: math.log(1 + total / len(situations)) for word, situations in by_word.items()}
    mean_length = sum(len(p.words) for p in phrases) / max(1, len(phrases))
    return Index(tuple(phrases), idf, frozenset(by_word), math.log(1 + total / 2) - 1e-9, mean_length)


def index_for(library: Library) -> Index:
    """The library's index, built once and kept on the library itself."""
    index = library.__dict__.get("_index")
    if index is None:
        index = build_index(library)
        object.__setattr__(library, "_index", index)
    return index


def _resolve(query_words: list[str], index: Index) -> set[str]:
    """The query's words as the index knows them: exact, else the closest slip of a word."""
    known = set()
    for word in query_words:
        if word in index.vocabulary:
            known.add(word)
        elif len(word) >= 4:
            best, score = None, 0.0
            for candidate in index.vocabulary:
                if candidate[0] != word[0] or abs(len(candidate) - len(word)) > 2:
                    continue
                ratio = fuzz.ratio(word, candidate)
                if ratio > score:
                    best, score = candidate, ratio
            if best is not None and score >= FUZZY_MIN:
                known.add(best)
    return known


def score_situations(query: str, index: Index, allowed) -> dict[str, tuple[float, Script]]:
    """The best phrase score for each situation, with the script that phrase belongs to.

    Each phrase is scored with Okapi BM25 (k1 1.2, b 0.75: the usual values) over the
    phrases; a phrase counts only when it shares more than one meaningful word with what was
    typed, or one word specific to at most two kinds of situation.
    """
    words = _resolve(tokens(query), index)
    best: dict[str, tuple[float, Script]] = {}
    for phrase in index.phrases:
        if not allowed(phrase.script):
            continue
        shared = [w for w in phrase.words if w in words]
        if not shared:
            continue
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(phrase.words) / index.mean_length)
        score = sum(index.idf[w] * (BM25_K1 + 1) / (1 + norm) for w in shared)
        if len(shared) < 2 and index.idf[shared[0]] < index.specific:
            # One common word is never an answer, but may be a later choice behind one.
            score = min(score, WEAK)
        current = best.get(phrase.situation)
        if current is None or score > current[0] + 1e-9 or (
            abs(score - current[0]) <= 1e-9 and _preference(phrase.script) < _preference(current[1])
        ):
            best[phrase.situation] = (score, phrase.script)
    return best


def _preference(script: Script) -> tuple:
    tone = {Tone.GENTLE: 0, Tone.FIRM: 1, Tone.HUMOUR: 2}[script.tone]
    return (script.audience is Audience.SUPERVISOR, bool(script.settings), bool(script.professions),
            min(script.steps), tone, script.id)


def _best_script(library: Library, situation: str, allowed, hint: Script | None = None) -> Script | None:
    if hint is not None and allowed(hint):
        return hint
    fitting = [s for s in library.scripts if situation in s.situations and allowed(s) and min(s.steps) < 5]
    fitting = fitting or [s for s in library.scripts if situation in s.situations and allowed(s)]
    return min(fitting, key=_preference) if fitting else None


def _safe_for_risk(script: Script) -> bool:
    return script.tone is not Tone.HUMOUR and not wording_rules.punitive_or_leaving(script.say)


def find(
    library: Library,
    query: str,
    profession: Profession | None = None,
    setting: Setting | None = None,
    limit: int = 3,
) -> Result:
    """The best script for each of the ``limit`` best situations, best first, and "Did you
    mean…" choices when the answer is not clear. Deterministic."""
    if not tokens(query) and not conditions_in(query):
        return Result()

    members = {s.id for s in library.scripts} if library.whole is not None else None

    def allowed(script: Script) -> bool:
        return fits_person(script, setting, profession) and (members is None or script.id in members)

    index = index_for(library.whole or library)
    scored = score_situations(query, index, allowed)
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ranked_all = [(s, v) for s, v in ranked if pathway_of(s) is not Pathway.RISK]
    conditions = conditions_in(query)
    ordered: list[tuple[str, float, Script | None]] = []
    clarify: list[str] = []

    if conditions:
        for condition in conditions:
            situation = RISK_PREFIX + condition.value
            hint = scored.get(situation, (0.0, None))[1]
            ordered.append((situation, 10.0 + scored.get(situation, (0.0,))[0], hint))
        if len(conditions) > 1:
            clarify = [RISK_PREFIX + c.value for c in conditions[:3]]
        ranked = [(s, v) for s, v in ranked if pathway_of(s) is not Pathway.RISK]
    elif colleague_in(query):
        ordered.append((COLLEAGUE, 10.0, None))
        ranked = [(s, v) for s, v in ranked if s != COLLEAGUE]
    elif family_in(query):
        # A relative or visitor: the same kinds of situation, in the same order, spoken to them
        # where words for relatives exist (else the client's words still fit).
        for situation, (score, script) in ranked:
            if pathway_of(situation) is Pathway.RISK or situation == COLLEAGUE:
                continue
            base = situation.removeprefix(FAMILY_PREFIX)
            family = base in Category.__members__ and Category(base) in FAMILY_CATEGORIES
            label = FAMILY_PREFIX + base if family else situation
            if all(label != s for s, _, _ in ordered):
                ordered.append((label, score, scored.get(label, (0.0, None))[1] if family else script))
        ranked = []
    else:
        ranked = [(s, v) for s, v in ranked
                  if pathway_of(s) is not Pathway.RISK and s != COLLEAGUE and not s.startswith(FAMILY_PREFIX)]

    ordered += [(s, v[0], v[1]) for s, v in ranked if s not in {o[0] for o in ordered}]
    if not ordered or ordered[0][1] < MIN_SCORE:
        return Result()
    if len(ordered) > 1 and ordered[1][1] < MIN_SCORE:
        # Behind a real answer, weak choices may follow, but they never make it look unsure.
        ordered = [ordered[0], *[o for o in ordered[1:] if o[1] >= MIN_SCORE], *[o for o in ordered[1:] if o[1] < MIN_SCORE]]

    risk_first = pathway_of(ordered[0][0]) is Pathway.RISK
    # Humour never answers words that also read as sexual, threatening or offensive.
    serious = any(_category_of(o[0]) in NO_HUMOUR for o in ordered[:limit] if o[1] >= MIN_SCORE)
    matches: list[Match] = []
    for situation, score, hint in ordered:
        if risk_first and score < MIN_SCORE:
            break  # after a risk answer, only real alternatives, never weak guesses
        script = _best_script(library, situation, allowed, hint)
        if script is None:
            continue
        if serious and script.tone is Tone.HUMOUR:
            script = _best_script(library, situation, lambda s: allowed(s) and s.tone is not Tone.HUMOUR) or script
        if risk_first and not _safe_for_risk(script):
            safer = [s for s in library.scripts if situation in s.situations and allowed(s) and _safe_for_risk(s)]
            if not safer:
                continue
            script = min(safer, key=_preference)
        seen_as = _category_of(ranked_all[0][0]) if pathway_of(situation) is Pathway.RISK and ranked_all else None
        matches.append(Match(situation, script, round(score, 3), seen_as))
        if len(matches) == limit:
            break

    if not clarify and len(matches) > 1 and matches[0].score < 10.0:
        first, second = matches[0].score, matches[1].score
        if first < CLARIFY_BELOW or (second >= MIN_SCORE and second >= CLOSE_RATIO * first):
            clarify = [m.situation for m in matches[:3]]
    return Result(matches, clarify)


def _category_of(situation: str) -> Category | None:
    base = situation.removeprefix(FAMILY_PREFIX).split("/")[0]
    return Category(base) if base in Category.__members__ else None


def clarify_labels(result: Result) -> list[str]:
    return [situation_button(s) for s in result.clarify]
