""""What happened?" in a few plain groups, made exact by the clinician's own words.

The first step offers five groups instead of fourteen kinds (three screens on a phone). The
advice still needs the exact kind — a sexual remark and groping are steps 3 and 5 — so it is
found, in this order, from:

1. the exact kind, if given: the optional "What happened, more exactly?" (asked again in the
   form only when needed, and always offered under [Add details]), or a platform or an older
   form that still sends an exact kind as the answer to "What happened?";
2. the clinician's own words, read by the script lookup's phrase index, among the group's kinds
   only (what they chose is never overruled by a guess);
3. the group's default, where its kinds lead to the same advice (asked out → a personal
   request); a group without a safe default (sexual behaviour; something else) asks
   "Which of these is closest?" in the same form instead of guessing.

Stored values stay the category codes they always were (the dashboard groups by them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.content import lookup
from bot.content.library import Library
from bot.content.situations import FAMILY_PREFIX, SEXUAL_ACT_LABELS, SEXUAL_PREFIX
from bot.content.taxonomy import CATEGORY_LABELS, Category
from bot.port.views import Field, FieldKind, Form, Notice, Option


def _exact_options() -> tuple[Option, ...]:
    out = []
    for category, label in CATEGORY_LABELS.items():
        if category is Category.SEXUAL:
            out += [Option(f"SEXUAL:{act.value}", label) for act, label in SEXUAL_ACT_LABELS.items()]
        else:
            out.append(Option(category.value, label))
    return tuple(out)


EXACT = _exact_options()
_EXACT_VALUES = {o.value for o in EXACT}
SEXUAL_KINDS = tuple(o.value for o in EXACT if o.value.startswith("SEXUAL:"))


@dataclass(frozen=True)
class Group:
    value: str
    label: str
    kinds: tuple[str, ...]        # the exact kinds the clinician's words may pick among
    default: str | None           # None: ask rather than guess
    ask: tuple[str, ...] = ()     # what "Which of these is closest?" offers (default: kinds)


GROUPS = (
    Group("SEXUAL", "Sexual comments, messages or touching", SEXUAL_KINDS, None),
    Group("CONTACT", "Asked me out, or for my number, to meet up or to connect online",
          ("CONTACT", "ROMANTIC", "SOCIAL_MEDIA"), "CONTACT"),
    Group("GIFT", "A gift, money or a favour", ("GIFT",), "GIFT"),
    Group("THREAT", "Threats, stalking or aggression", ("THREAT",), "THREAT"),
    # Anything may be meant here, so the words are read against every kind; the choice, if
    # needed, offers the kinds no other group names.
    Group("OTHER", "Something else: say what in the box below", tuple(o.value for o in EXACT), None,
          ask=("OFFENSIVE", "TOUCH", "EXCLUSIVE", "DUAL", "PREFERENCE", "SOCIAL_MEDIA", "THREAT")),
)
_BY_VALUE = {g.value: g for g in GROUPS}
OPTIONS = tuple(Option(g.value, g.label) for g in GROUPS)

EXACT_FIELD = Field("kind", "What happened, more exactly? (optional)", FieldKind.SINGLE_CHOICE, options=EXACT,
                    help="Change this if it is not quite right: the advice follows it.")
READ_AS_SAFETY = Notice("What you wrote sounds like a safety matter. Nobody has been told yet: the card below "
                        "says who Escalate to my manager would tell, and when. If you are in danger now, "
                        "call security.")
ASK_MESSAGE = ("To find the right advice I need a little more: choose the closest, or say in a few words "
               "what happened in the box below.")


def group_of(exact: str) -> Group:
    """The group an exact kind is shown under (the first that names it)."""
    return next((g for g in GROUPS if exact in g.kinds), _BY_VALUE["OTHER"])


def as_submitted(submitted: dict) -> dict:
    """An exact kind sent as the answer to "What happened?" (an older form, a platform's saved
    card) read as its group plus the exact kind. Plain ``SEXUAL`` is the group now."""
    answer = submitted.get("category")
    if isinstance(answer, str) and answer in _EXACT_VALUES and answer not in _BY_VALUE:
        return {**submitted, "category": group_of(answer).value, "kind": submitted.get("kind") or answer}
    return submitted


@dataclass(frozen=True)
class Answer:
    exact: str | None       # e.g. "SEXUAL:touch"; None: ask which is closest
    from_words: bool        # found in the clinician's own words, not chosen by them


def resolve(library: Library, group_value: str, kind: str | None, words: str | None) -> Answer:
    group = _BY_VALUE[group_value]
    if kind and (kind in group.kinds or kind in group.ask):
        return Answer(kind, from_words=False)
    if len(group.kinds) == 1:
        return Answer(group.kinds[0], from_words=False)
    found = read_words(library, words or "", group.kinds)
    if found is not None:
        return Answer(found, from_words=True)
    return Answer(group.default, from_words=False)


def read_words(library: Library, words: str, kinds: tuple[str, ...]) -> str | None:
    """The kind among ``kinds`` the words read as most clearly, or None when they say too
    little (the lookup's own bar) or two kinds read almost alike. Nothing is kept or logged."""
    if not words.strip():
        return None
    index = lookup.index_for(library.whole or library)
    scored = lookup.score_situations(words, index, lambda script: True)
    best: dict[str, float] = {}
    for situation, (score, _script) in scored.items():
        kind = _kind_of(situation.removeprefix(FAMILY_PREFIX))
        if kind is not None:
            best[kind] = max(best.get(kind, 0.0), score)
    anywhere = max(best.values(), default=0.0)
    ranked = sorted(((k, v) for k, v in best.items() if k in kinds), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < lookup.MIN_SCORE or ranked[0][1] < lookup.CLOSE_RATIO * anywhere:
        # Too little said, or the words describe something outside the group chosen: what
        # the clinician chose stands.
        return None
    if len(ranked) > 1 and ranked[1][1] >= lookup.CLOSE_RATIO * ranked[0][1]:
        return None
    return ranked[0][0]


def _kind_of(situation: str) -> str | None:
    if situation.startswith(SEXUAL_PREFIX):
        return "SEXUAL:" + situation.removeprefix(SEXUAL_PREFIX)
    return situation if situation in Category.__members__ else None


def asking(form: Form, group_value: str) -> Form:
    """The form again with "Which of these is closest?" right after "What happened?", offering
    only the kinds of the group chosen."""
    group = _BY_VALUE[group_value]
    offered = set(group.ask or group.kinds)
    field = replace(EXACT_FIELD, label="Which of these is closest?", help="",
                    options=tuple(o for o in EXACT if o.value in offered))
    fields = []
    for f in form.fields:
        fields.append(f)
        if f.name == "category":
            fields.append(field)
    return replace(form, fields=tuple(fields))
