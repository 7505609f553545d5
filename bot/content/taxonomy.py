"""The words the product is built on: categories, settings, professions, ladder steps.

Codes are stable (they are stored and used in ``responses/``); labels are what people read.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Category(StrEnum):
    ROMANTIC = "ROMANTIC"
    SEXUAL = "SEXUAL"
    CONTACT = "CONTACT"
    SOCIAL_MEDIA = "SOCIAL_MEDIA"
    GIFT = "GIFT"
    TOUCH = "TOUCH"
    OFFENSIVE = "OFFENSIVE"
    EXCLUSIVE = "EXCLUSIVE"
    THREAT = "THREAT"
    DUAL = "DUAL"
    PREFERENCE = "PREFERENCE"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def short(self) -> str:
        return CATEGORY_SHORT[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.ROMANTIC: "Flirting, romantic interest, asking me out",
    Category.SEXUAL: "Sexual remarks or messages, exposure, sexual touch",
    Category.CONTACT: "Asking for my number, email, a coffee or to meet socially",
    Category.SOCIAL_MEDIA: "Friend or follow requests, messages, looking me up online",
    Category.GIFT: "Gifts, money or favours",
    Category.TOUCH: "Hugs or other touch I did not want",
    Category.OFFENSIVE: "Offensive, prejudiced or derogatory jokes or remarks",
    Category.EXCLUSIVE: "Insisting on only me, attention outside the clinical purpose",
    Category.THREAT: "Threats, stalking, turning up at my home, aggression",
    Category.DUAL: "An outside relationship with the client (friend, neighbour, ex-client)",
    Category.PREFERENCE: "Asked for a clinician of a particular sex (faith, trauma, an examination)",
}


CATEGORY_SHORT: dict[Category, str] = {
    Category.ROMANTIC: "flirting or romantic interest",
    Category.SEXUAL: "sexual behaviour",
    Category.CONTACT: "requests for personal contact",
    Category.SOCIAL_MEDIA: "social-media contact",
    Category.GIFT: "gifts",
    Category.TOUCH: "touch",
    Category.OFFENSIVE: "offensive remarks",
    Category.EXCLUSIVE: "insisting on one clinician",
    Category.THREAT: "threats or aggression",
    Category.DUAL: "a dual relationship",
    Category.PREFERENCE: "a request for a clinician of a particular sex",
}


class Setting(StrEnum):
    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"
    HOME_VISIT = "home_visit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SETTING_LABELS[self]


SETTING_LABELS: dict[Setting, str] = {
    Setting.IN_PERSON: "In person",
    Setting.TELEHEALTH: "Telehealth (video or phone)",
    Setting.HOME_VISIT: "Home visit",
    Setting.OTHER: "Somewhere else",
}


class Occurrence(StrEnum):
    FIRST = "first"
    REPEATED = "repeated"
    PERSISTENT = "persistent"

    @property
    def label(self) -> str:
        return OCCURRENCE_LABELS[self]


OCCURRENCE_LABELS: dict[Occurrence, str] = {
    Occurrence.FIRST: "First time",
    Occurrence.REPEATED: "It has happened before",
    Occurrence.PERSISTENT: "It goes on after I named the boundary",
}


class Factor(StrEnum):
    """Answers that raise the default step for some categories (content guide)."""

    VALUABLE = "valuable"
    UNWANTED = "unwanted"
    COERCION = "coercion"
    AFFECTS_CARE = "affects_care"

    @property
    def label(self) -> str:
        return FACTOR_LABELS[self]


FACTOR_LABELS: dict[Factor, str] = {
    Factor.VALUABLE: "A gift of money or something of real value",
    Factor.UNWANTED: "Touch I did not want, or that came again",
    Factor.COERCION: "Assault, or pressure or force towards sexual contact",
    Factor.AFFECTS_CARE: "It is affecting my objectivity or the care I can give",
}


class Profession(StrEnum):
    DOCTOR = "doctor"
    NURSE = "nurse"
    THERAPIST = "therapist"
    ALLIED = "allied"


class Step(IntEnum):
    """The escalation ladder (content guide). A default minimum: a reporter may go higher."""

    REDIRECT = 1
    NAME_BOUNDARY = 2
    SECOND_PERSON = 3
    REFERRAL = 4
    SAFETY = 5

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS: dict[Step, str] = {
    Step.REDIRECT: "Redirect",
    Step.NAME_BOUNDARY: "Name the boundary, say what happens next, and document it",
    Step.SECOND_PERSON: "Have a second person present",
    Step.REFERRAL: "Refer or hand over care",
    Step.SAFETY: "Safety first: tell your manager or security now",
}
