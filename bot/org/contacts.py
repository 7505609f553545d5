"""Which of the organisation's safety and support contacts to show, and how to say them.

Each situation names the roles that matter (a child: the safeguarding lead, always first; a
threat of self-harm: crisis services and the clinical team; a colleague: HR or the speak-up
route). A role the organisation has not named is still said, with a plain default, so the
clinician always has somewhere to turn.
"""

from __future__ import annotations

from bot.content.regions import Region
from bot.content.situations import COLLEAGUE, RISK_PREFIX, Condition

ROLE_LABELS = {
    "security": "Security or emergency",
    "safeguarding_lead": "Safeguarding lead",
    "crisis_line": "Crisis services",
    "clinical_team": "Clinical team or on-call",
    "speak_up": "HR or speak-up route",
    "employee_assistance": "Support for you",
}


def _defaults(region: Region | None) -> dict[str, str]:
    us = region is Region.US
    uk = region is not None and region is not Region.US and region is not Region.ANY
    emergency = "911" if us else "999" if uk else "your local emergency number (911 in the US, 999 in the UK)"
    crisis = ("the 988 Suicide & Crisis Lifeline (call or text 988)" if us
              else "Samaritans on 116 123, or NHS 111 for urgent mental-health help" if uk
              else "your local crisis line (988 in the US; Samaritans 116 123 in the UK)")
    return {
        "security": f"your security team, or {emergency} if anyone is in danger",
        "safeguarding_lead": "your organisation's safeguarding lead (ask your manager who it is today)",
        "crisis_line": crisis,
        "clinical_team": "the client's clinical team, or the on-call doctor out of hours",
        "speak_up": "HR, or your organisation's speak-up or whistleblowing route",
        "employee_assistance": "your employee assistance or occupational health service",
    }


def roles_for(situation: str, step: int) -> list[str]:
    """The contact roles that matter for a situation, most important first."""
    roles: list[str] = []
    if situation.startswith(RISK_PREFIX):
        condition = Condition(situation.removeprefix(RISK_PREFIX))
        roles = {
            Condition.SELF_HARM: ["crisis_line", "clinical_team"],
            Condition.CHILD: ["safeguarding_lead", "clinical_team"],
            Condition.LEARNING_DISABILITY: ["clinical_team", "safeguarding_lead"],
            Condition.MENTAL_HEALTH: ["clinical_team", "crisis_line"],
            Condition.COGNITIVE: ["clinical_team"],
            Condition.INTOXICATION: ["clinical_team", "security"],
            Condition.UNSURE: ["clinical_team"],
        }[condition]
    elif situation == COLLEAGUE:
        roles = ["speak_up", "employee_assistance"]
    if step >= 5 or situation in ("THREAT", "SEXUAL/touch", "FAMILY/THREAT"):
        roles = ["security", *[r for r in roles if r != "security"], "employee_assistance"]
    return list(dict.fromkeys(roles))


def contact_lines(contacts: dict[str, dict], roles: list[str], region: Region | None) -> list[str]:
    """One line per role: the organisation's named contact, else a plain default."""
    defaults = _defaults(region)
    lines = []
    for role in roles:
        contact = contacts.get(role)
        if contact:
            ways = ", ".join(contact[k] for k in ("phone", "email", "url") if contact.get(k))
            text = f"{contact['name']}: {ways}" + (f" ({contact['note']})" if contact.get("note") else "")
        else:
            text = defaults[role]
        lines.append(f"{ROLE_LABELS[role]}: {text}")
    return lines
