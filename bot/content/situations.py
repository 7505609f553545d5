"""What a script is written for, beyond its category: the sexual act, the client's condition,
who the other person was, who the words are for, and the pathway.

A **situation** is the stable label the lookup is judged on and the catalogue is grouped by
(``responses/README.md`` lists them all):

- a category code for boundary scripts about a client: ``ROMANTIC``, ``GIFT``, ...;
- ``SEXUAL/<act>`` for sexual behaviour, split by what happened: ``SEXUAL/remark``,
  ``SEXUAL/messages``, ``SEXUAL/exposure``, ``SEXUAL/touch``;
- ``RISK/<condition>`` for the risk and capacity pathway: ``RISK/self_harm``, ``RISK/child``...;
- ``FAMILY/<category>`` for a client's family member or visitor: ``FAMILY/ROMANTIC``...;
- ``COLLEAGUE`` for a colleague's behaviour (out of scope: a kind signpost).
"""

from __future__ import annotations

from enum import StrEnum

from bot.content.taxonomy import Category


class SexualAct(StrEnum):
    REMARK = "remark"
    MESSAGES = "messages"
    EXPOSURE = "exposure"
    TOUCH = "touch"

    @property
    def label(self) -> str:
        return SEXUAL_ACT_LABELS[self]


SEXUAL_ACT_LABELS: dict[SexualAct, str] = {
    SexualAct.REMARK: "Sexual remarks or questions",
    SexualAct.MESSAGES: "Sexual messages, pictures or videos",
    SexualAct.EXPOSURE: "Exposing themselves",
    SexualAct.TOUCH: "Sexual touch, groping or assault",
}


class Condition(StrEnum):
    """Why behaviour may come from risk to the client or reduced capacity (content guide)."""

    SELF_HARM = "self_harm"
    COGNITIVE = "cognitive"
    LEARNING_DISABILITY = "learning_disability"
    MENTAL_HEALTH = "mental_health"
    INTOXICATION = "intoxication"
    CHILD = "child"
    UNSURE = "unsure"

    @property
    def label(self) -> str:
        return CONDITION_LABELS[self]


CONDITION_LABELS: dict[Condition, str] = {
    Condition.SELF_HARM: "They threatened to harm themselves or end their life",
    Condition.COGNITIVE: "Confusion, dementia, delirium or a brain injury",
    Condition.LEARNING_DISABILITY: "A learning disability",
    Condition.MENTAL_HEALTH: "A mental-health crisis, such as psychosis or mania",
    Condition.INTOXICATION: "Alcohol or drugs",
    Condition.CHILD: "The client is a child or teenager",
    Condition.UNSURE: "Not sure",
}

CONDITION_SHORT: dict[Condition, str] = {
    Condition.SELF_HARM: "a threat of self-harm or suicide",
    Condition.COGNITIVE: "confusion, dementia, delirium or a brain injury",
    Condition.LEARNING_DISABILITY: "a learning disability",
    Condition.MENTAL_HEALTH: "a mental-health crisis",
    Condition.INTOXICATION: "alcohol or drugs",
    Condition.CHILD: "a child or teenager",
    Condition.UNSURE: "possibly the client's condition",
}


class OtherPerson(StrEnum):
    CLIENT = "client"
    FAMILY = "family"
    COLLEAGUE = "colleague"

    @property
    def label(self) -> str:
        return OTHER_PERSON_LABELS[self]


OTHER_PERSON_LABELS: dict[OtherPerson, str] = {
    OtherPerson.CLIENT: "The client or patient",
    OtherPerson.FAMILY: "A relative, partner or visitor of the client",
    OtherPerson.COLLEAGUE: "A colleague",
}


class Audience(StrEnum):
    """Who the words are for. Words for a supervisor are never shown as words to say."""

    CLIENT = "client"
    FAMILY = "family"
    SUPERVISOR = "supervisor"

    @property
    def heading(self) -> str:
        return AUDIENCE_HEADINGS[self]


AUDIENCE_HEADINGS: dict[Audience, str] = {
    Audience.CLIENT: "Something you could say",
    Audience.FAMILY: "Something you could say to the relative or visitor",
    Audience.SUPERVISOR: "Words to take to your supervisor or manager (not for the client)",
}


class Pathway(StrEnum):
    BOUNDARY = "boundary"
    RISK = "risk"


RISK_PREFIX = "RISK/"
SEXUAL_PREFIX = "SEXUAL/"
FAMILY_PREFIX = "FAMILY/"
COLLEAGUE = "COLLEAGUE"
FAMILY_CATEGORIES = (Category.ROMANTIC, Category.CONTACT, Category.SOCIAL_MEDIA, Category.GIFT,
                     Category.THREAT)


def situation_for(
    category: Category, act: SexualAct | None = None, condition: Condition | None = None,
    other: OtherPerson = OtherPerson.CLIENT,
) -> str:
    """The situation label for one answer (a report, or one of a script's categories)."""
    if condition is not None and condition is not Condition.UNSURE:
        return RISK_PREFIX + condition.value
    if other is OtherPerson.COLLEAGUE:
        return COLLEAGUE
    if other is OtherPerson.FAMILY:
        return FAMILY_PREFIX + category.value
    if category is Category.SEXUAL and act is not None:
        return SEXUAL_PREFIX + act.value
    return category.value


def all_situations(with_unsure: bool = False) -> list[str]:
    """Every situation the library must cover, in reading order (with ``RISK/unsure``, the
    calm words for when it may be the client's condition, for the catalogue)."""
    out: list[str] = []
    for category in Category:
        if category is Category.SEXUAL:
            out += [SEXUAL_PREFIX + act.value for act in SexualAct]
        else:
            out.append(category.value)
    out += [RISK_PREFIX + c.value for c in Condition if with_unsure or c is not Condition.UNSURE]
    out += [FAMILY_PREFIX + c.value for c in FAMILY_CATEGORIES]
    out.append(COLLEAGUE)
    return out


def situation_label(situation: str) -> str:
    """What a person reads for a situation label (short enough for a button)."""
    if situation.startswith(SEXUAL_PREFIX):
        return SexualAct(situation.removeprefix(SEXUAL_PREFIX)).label
    if situation.startswith(RISK_PREFIX):
        return "Linked to the client's condition: " + CONDITION_SHORT[Condition(situation.removeprefix(RISK_PREFIX))]
    if situation.startswith(FAMILY_PREFIX):
        category = Category(situation.removeprefix(FAMILY_PREFIX))
        return f"A relative or visitor: {category.short}"
    if situation == COLLEAGUE:
        return "A colleague's behaviour"
    return Category(situation).label


def situation_button(situation: str) -> str:
    """A short choice for "Did you mean…" (a few words)."""
    if situation.startswith(RISK_PREFIX):
        condition = Condition(situation.removeprefix(RISK_PREFIX))
        return {
            Condition.SELF_HARM: "They may harm themselves",
            Condition.COGNITIVE: "Confusion or dementia",
            Condition.LEARNING_DISABILITY: "A learning disability",
            Condition.MENTAL_HEALTH: "A mental-health crisis",
            Condition.INTOXICATION: "Drunk or on drugs",
            Condition.CHILD: "A child or teenager",
            Condition.UNSURE: "Maybe their condition",
        }[condition]
    if situation.startswith(FAMILY_PREFIX):
        category = Category(situation.removeprefix(FAMILY_PREFIX))
        return f"A relative: {category.short}"
    if situation == COLLEAGUE:
        return "A colleague"
    if situation.startswith(SEXUAL_PREFIX):
        return SexualAct(situation.removeprefix(SEXUAL_PREFIX)).label
    return Category(situation).short.capitalize()


def pathway_of(situation: str) -> Pathway:
    return Pathway.RISK if situation.startswith(RISK_PREFIX) else Pathway.BOUNDARY
