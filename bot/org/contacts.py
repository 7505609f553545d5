"""The organisation's contacts (org file ``contacts``), as lines people read.

Employee assistance and crisis lines are shown wherever someone may be struggling; when the
organisation names none, a general line still points somewhere, so nobody meets a dead end.
"""

from __future__ import annotations

from bot.machinery.storage.models import Organisation

WELLBEING = ("employee_assistance", "crisis")
KIND_LABELS = {
    "employee_assistance": "Employee assistance",
    "crisis": "Crisis line",
    "safeguarding": "Safeguarding lead",
    "security": "Security",
    "speak_up": "Speak-up route",
    "other": "Also",
}
NO_CONTACTS = ("If you need to talk to someone now, your GP or a local crisis line can help; if you are in "
               "danger, call the emergency number.")


def contacts_of(org: Organisation | None, kinds: tuple[str, ...] = WELLBEING) -> list[dict]:
    return [c for c in (org.contacts or []) if c.get("kind") in kinds] if org else []


def describe(contact: dict) -> str:
    """``Employee Assistance Programme: 0800 123 456, https://… (24 hours)``."""
    how = ", ".join(x for x in (contact.get("phone"), contact.get("url")) if x)
    hours = f" ({contact['hours']})" if contact.get("hours") else ""
    return f"{contact['name']}: {how}{hours}"


def facts(org: Organisation | None, kinds: tuple[str, ...] = WELLBEING) -> tuple[tuple[str, str], ...]:
    """One fact per contact, labelled by kind; a general line when there are none."""
    found = contacts_of(org, kinds)
    if not found:
        return (("If you need someone now", NO_CONTACTS),)
    return tuple((KIND_LABELS.get(c["kind"], "Also"), describe(c)) for c in found)


def sentence(org: Organisation | None, kinds: tuple[str, ...] = WELLBEING) -> str:
    """The contacts in one paragraph."""
    found = contacts_of(org, kinds)
    if not found:
        return NO_CONTACTS
    return "If you need someone now: " + "; ".join(describe(c) for c in found) + "."
