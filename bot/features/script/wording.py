"""What a clinician reads about a script: the words, who they are for, the next step and why,
the notes for their setting and profession, who to contact, and the sources that apply where
they work. Used by the ``script`` verb and by the report's advice card."""

from __future__ import annotations

from bot.content.library import Script
from bot.content.regions import Region
from bot.content.situations import (
    COLLEAGUE,
    CONDITION_SHORT,
    RISK_PREFIX,
    Audience,
    Condition,
    Pathway,
)
from bot.content.taxonomy import Profession, Setting
from bot.org.contacts import contact_lines, roles_for

RISK_INTRO = (
    "This may come from the client's condition or age ({what}). The advice is calm and "
    "non-punitive: you stay safe, and the person is not left without help."
)
COLLEAGUE_INTRO = (
    "A colleague's behaviour is outside what this bot handles, but you don't have to deal with "
    "it alone. These people can help, in confidence:"
)
NOTHING_REVIEWED = (
    "Your organisation shows only scripts its clinical lead has signed off, and none signed off "
    "yet fits this situation. You can still act now: note what happened, and talk to your "
    "manager or the contacts below."
)


def script_paragraphs(
    script: Script,
    situation: str,
    *,
    setting: Setting | None,
    profession: Profession | None,
    region: Region | None,
    contacts: dict[str, dict],
    step: int = 1,
) -> list[str]:
    out: list[str] = []
    contacts_for = situation
    if script.pathway is Pathway.RISK:
        condition = (Condition(situation.removeprefix(RISK_PREFIX)) if situation.startswith(RISK_PREFIX)
                     else script.conditions[0])
        out.append(RISK_INTRO.format(what=CONDITION_SHORT[condition]))
        contacts_for = RISK_PREFIX + condition.value
    if situation == COLLEAGUE:
        out.append(COLLEAGUE_INTRO)
    heading = script.audience.heading
    out += [f"{heading} ({script.tone.label}):", f"> {script.say}"]
    if script.audience is Audience.SUPERVISOR and situation != COLLEAGUE:
        out.append("These words are for your supervisor or manager, not for the client.")
    out.append(f"Next: {script.next_step.label}. {script.why}")
    notes = dict(script.setting_notes)
    shown = [setting] if setting is not None else list(notes)
    for where in shown:
        if (note := script.note_for(notes.get(where), region)) is not None:
            out.append(f"{where.label}: {note}")
    if profession and (note := script.note_for(script.profession_notes.get(profession), region)):
        out.append(f"For {profession.value}s: {note}")
    roles = roles_for(contacts_for, step)
    if roles:
        out.append("Who to contact:")
        out += [f"- {line}" for line in contact_lines(contacts, roles, region)]
    if sources := script.sources_for(region):
        labelled = region is None or region is Region.ANY
        out.append("Based on: " + "; ".join(f"{s.code} ({s.region_label})" if labelled else s.code
                                            for s in sources) + ".")
    return out


def plain_paragraphs(script: Script, situation: str, *, contacts: dict[str, dict], region: Region | None,
                     step: int = 1) -> list[str]:
    """The plain card: who to contact first when it matters (a child, a risk), the words to
    say, and one line on why. The step, notes and sources are behind "Why this advice?"."""
    out: list[str] = []
    contacts_for = situation
    if script.pathway is Pathway.RISK:
        condition = (Condition(situation.removeprefix(RISK_PREFIX)) if situation.startswith(RISK_PREFIX)
                     else script.conditions[0])
        contacts_for = RISK_PREFIX + condition.value
        out.append(RISK_INTRO.format(what=CONDITION_SHORT[condition]))
    if situation == COLLEAGUE:
        out.append(COLLEAGUE_INTRO)
    if script.pathway is Pathway.RISK or situation == COLLEAGUE:
        # For a child, a risk of harm or a colleague, who to tell comes before what to say
        # (security, when it matters, is already first on the safety card and line).
        roles = [r for r in roles_for(contacts_for, 1) if r != "security"] or roles_for(contacts_for, 1)
        out += ["Who to tell first:", *[f"- {line}" for line in contact_lines(contacts, roles, region)]]
    out += [f"{script.audience.heading}:", f"> {script.say}"]
    if script.audience is Audience.SUPERVISOR and situation != COLLEAGUE:
        out.append("These words are for your supervisor or manager, not for the client.")
    out.append(f"Why: {script.why}")
    out.append(f"Next: {script.next_step.label}.")
    return out


def why_paragraphs(script: Script, situation: str, *, setting: Setting | None, profession: Profession | None,
                   region: Region | None, contacts: dict[str, dict], step: int, reason: str = "") -> list[str]:
    """Behind "Why this advice?": the step on the ladder and why, the next step, the notes
    for the setting and profession, who to contact, and the sources."""
    full = script_paragraphs(script, situation, setting=setting, profession=profession, region=region,
                             contacts=contacts, step=step)
    quote = next((i for i, p in enumerate(full) if p.startswith("> ")), -1)
    rest = full[quote + 1:] if quote >= 0 else full
    intro = [f"Step {step} of 5 on the ladder (from steering back to the work, to getting safe)."
             + (f" What decided it: {reason}." if reason else "")]
    return intro + rest


def fallback_paragraphs(situation: str, *, region: Region | None, contacts: dict[str, dict], step: int) -> list[str]:
    """When no signed-off script fits: never a dead end."""
    roles = roles_for(situation, step) or ["clinical_team", "employee_assistance"]
    return [NOTHING_REVIEWED, "Who to contact:", *[f"- {line}" for line in contact_lines(contacts, roles, region)]]
