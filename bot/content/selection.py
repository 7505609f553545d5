"""Choosing scripts for a report: by situation first, then step, setting, profession, tone.

The situation decides which scripts may be shown at all:

- a client's condition or age (the risk and capacity pathway) allows only that pathway's
  scripts, so a person at risk never gets words that walk out on them or tell them off;
- a colleague's behaviour gets the speak-up signpost;
- a relative or visitor gets words for them (else the client's words for that category);
- sexual behaviour gets the scripts written for what happened.

Among those, the exact ladder step comes first, then words for the client (words for a
supervisor are never first), then the setting's own script, then the general script before
a profession's (a profession's script answers a narrower question), then the tone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.library import Library, Script, Tone
from bot.content.situations import (
    Audience,
    Condition,
    OtherPerson,
    Pathway,
    SexualAct,
    situation_for,
)
from bot.content.taxonomy import Category, Profession, Setting, Step


@dataclass(frozen=True, slots=True)
class Suggestion:
    script: Script
    reason: str
    exact_step: bool
    situation: str = ""


def fits_person(script: Script, setting: Setting | None, profession: Profession | None) -> bool:
    """Written for this setting (or any) and this profession (or any). A profession's own
    script never reaches someone whose profession is unknown: they may be a nurse."""
    if setting is not None and script.settings and setting not in script.settings:
        return False
    return not script.professions or (profession is not None and profession in script.professions)


def candidates(
    library: Library, category: Category, act: SexualAct | None, condition: Condition | None,
    other: OtherPerson,
) -> list[Script]:
    scripts = library.scripts
    if condition is not None:
        risk = [s for s in scripts if s.pathway is Pathway.RISK and condition in s.conditions]
        if not risk:
            risk = [s for s in scripts if s.pathway is Pathway.RISK and Condition.UNSURE in s.conditions]
        same_category = [s for s in risk if category in s.categories]
        return same_category or risk
    boundary = [s for s in scripts if s.pathway is Pathway.BOUNDARY]
    if other is OtherPerson.COLLEAGUE:
        return [s for s in boundary if s.other_person is OtherPerson.COLLEAGUE]
    if other is OtherPerson.FAMILY:
        family = [s for s in boundary if s.other_person is OtherPerson.FAMILY and category in s.categories]
        if family:
            return family
    about_client = [s for s in boundary if s.other_person is OtherPerson.CLIENT and category in s.categories]
    if category is Category.SEXUAL and act is not None:
        return [s for s in about_client if act in s.acts]
    return about_client


def suggest(
    library: Library,
    category: Category,
    step: Step,
    setting: Setting,
    profession: Profession | None = None,
    tone: Tone | None = None,
    *,
    act: SexualAct | None = None,
    condition: Condition | None = None,
    other: OtherPerson = OtherPerson.CLIENT,
) -> list[Suggestion]:
    """Scripts that fit a situation, best first, each with a one-line reason.

    Deterministic: ties break on the script id. When no script is written for this exact
    step, the nearest lower step's are used (then the nearest higher).
    """
    situation = situation_for(category, act, condition, other)
    fitting = [s for s in candidates(library, category, act, condition, other) if fits_person(s, setting, profession)]
    if not fitting:
        return []

    def step_distance(script: Script) -> tuple[int, int]:
        below = [step - s for s in script.steps if s <= step]
        above = [s - step for s in script.steps if s > step]
        return (0, min(below)) if below else (1, min(above))

    preferred = _tone_order(step, tone)

    def rank(script: Script) -> tuple:
        return (
            step_distance(script),
            script.audience is Audience.SUPERVISOR,
            0 if script.settings else 1,
            bool(script.professions),
            preferred.index(script.tone),
            script.id,
        )

    ranked = sorted(fitting, key=rank)
    return [
        Suggestion(s, _reason(s, situation, step, setting, profession), step in s.steps, situation)
        for s in ranked
    ]


def _tone_order(step: Step, wanted: Tone | None) -> list[Tone]:
    default = [Tone.GENTLE, Tone.HUMOUR, Tone.FIRM] if step is Step.REDIRECT else [Tone.FIRM, Tone.GENTLE, Tone.HUMOUR]
    if wanted is None:
        return default
    return [wanted] + [t for t in default if t is not wanted]


def _reason(script: Script, situation: str, step: Step, setting: Setting, profession: Profession | None) -> str:
    from bot.content.situations import situation_label

    where = f"step {step.value}" if step in script.steps else f"the step nearest to {step.value}"
    reason = f"Written for: {situation_label(situation)}, at {where}"
    if script.settings:
        reason += f", {setting.label.lower()}"
    if script.professions and profession:
        reason += f", for {profession.value}s"
    return reason + f"; {script.tone.label} tone."
