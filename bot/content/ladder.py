"""The default escalation step for a report, from ``content-guide.md``.

Each category has a starting step; some answers raise it. "I felt unsafe" always means
step 5. The result is a minimum: the reporter may always choose to go higher.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.content.situations import Condition, SexualAct
from bot.content.taxonomy import Category, Factor, Occurrence, Step


@dataclass(frozen=True, slots=True)
class Assessment:
    step: Step
    reason: str


def assess(
    category: Category,
    occurrence: Occurrence,
    felt_unsafe: bool,
    factors: Collection[Factor] = (),
    act: SexualAct | None = None,
    condition: Condition | None = None,
) -> Assessment:
    """The default step. A client's condition or age does not lower a threat or "I felt
    unsafe"; it changes the words (the risk pathway), and turns sexual touch into a matter
    for a second person and the care plan rather than an emergency."""
    if felt_unsafe:
        return Assessment(Step.SAFETY, "you said you felt unsafe")
    factors = set(factors)
    again = occurrence is not Occurrence.FIRST
    touched = act is SexualAct.TOUCH or Factor.COERCION in factors
    match category:
        case Category.THREAT:
            return Assessment(Step.SAFETY, "threats and aggression always come first")
        case Category.SEXUAL if touched and condition is not None:
            return Assessment(Step.SECOND_PERSON, "sexual touch that may come from the client's condition "
                                                  "calls for a second person and the care plan")
        case Category.SEXUAL if act is SexualAct.TOUCH:
            return Assessment(Step.SAFETY, "sexual touch or assault is a safety matter: report it now")
        case Category.SEXUAL if Factor.COERCION in factors:
            return Assessment(Step.SAFETY, "assault or coercion is a safety matter")
        case Category.SEXUAL:
            return Assessment(Step.SECOND_PERSON, "sexualised behaviour calls for a second person")
        case Category.ROMANTIC if occurrence is Occurrence.PERSISTENT:
            return Assessment(Step.REFERRAL, "it goes on after the boundary was named")
        case Category.ROMANTIC if again:
            return Assessment(Step.NAME_BOUNDARY, "it has happened before")
        case Category.ROMANTIC:
            return Assessment(Step.REDIRECT, "a first, possibly ambiguous, advance")
        case Category.GIFT if Factor.VALUABLE in factors:
            return Assessment(Step.NAME_BOUNDARY, "money or a valuable gift")
        case Category.GIFT if again:
            return Assessment(Step.NAME_BOUNDARY, "gifts that keep coming")
        case Category.GIFT:
            return Assessment(Step.REDIRECT, "a token gift")
        case Category.TOUCH if Factor.UNWANTED in factors or again:
            return Assessment(Step.SECOND_PERSON, "unwanted or repeated touch")
        case Category.TOUCH:
            return Assessment(Step.NAME_BOUNDARY, "touch outside the clinical purpose")
        case Category.EXCLUSIVE | Category.DUAL if Factor.AFFECTS_CARE in factors:
            return Assessment(Step.REFERRAL, "it is affecting care or objectivity")
        case Category.DUAL:
            return Assessment(Step.NAME_BOUNDARY, "talk it through with a supervisor")
        case Category.PREFERENCE:
            return Assessment(Step.REDIRECT, "a legitimate preference, answered with respect")
        case _ if Factor.AFFECTS_CARE in factors and occurrence is Occurrence.PERSISTENT:
            return Assessment(Step.REFERRAL, "it persists and is affecting care")
        case _:
            return Assessment(Step.NAME_BOUNDARY, "an explicit request across the boundary")
