"""The closing question: when something a clinician started ends (an escalation resolved, a
referral closed), they are told who dealt with it, offered the note that person wrote for
them (it opens privately), and asked "Is this resolved for you?" [Yes] [No, reopen].
Each feature supplies its words and its own button ids."""

from __future__ import annotations

from bot.port.views import Button, ButtonStyle, Card


def closing_card(title: str, first: str, closer: str, has_note: bool, value: str, *,
                 read: str, confirm: str, reopen: str) -> Card:
    paragraphs = [first]
    buttons = []
    if has_note:
        paragraphs.append(f"{closer} wrote a note for you about what was done. It opens privately.")
        buttons.append(Button("What was done", read, value, ButtonStyle.PRIMARY, dialog=True))
    paragraphs.append("Is this resolved for you?")
    buttons += [Button("Yes", confirm, value), Button("No, reopen", reopen, value)]
    return Card(title=title, paragraphs=tuple(paragraphs), buttons=tuple(buttons))
