"""``help``, and the short answer to a verb the bot does not know."""

from __future__ import annotations

import difflib

from bot.port.views import Card, Notice, View

VERBS: dict[str, str] = {
    "report": "tell me privately what happened; get words you could say and the next step",
    "script": "look up words to say (e.g. script asked for my number); nothing is saved",
    "chaperone": "ask for a colleague to be present at a session",
    "volunteer": "offer to be a chaperone, or pause (volunteer off)",
    "escalate": "send one of your reports to your manager now",
    "refer": "hand a client over to a colleague or a team's intake pool, with a checklist until it is done",
    "status": "your open reports and referrals, and where each stands",
    "help": "what the bot does and how your privacy is kept",
}

PRIVACY = (
    "Your reports are private to you. What you write, and any nickname you give the client, "
    "is encrypted and never posted in chat, logs or notifications. No one else reads a report "
    "unless you escalate it, and every such read is recorded.",
    "Never name the client: use a nickname of your own, not initials, a date of birth or a "
    "record number. The bot warns you if something looks like an identifier.",
)


async def show(turn: object = None, args: str = "") -> list[View]:
    return [
        Card(
            title="Boundary Bot",
            paragraphs=(
                "Support for the awkward moments: a client who flirts, asks for your number, "
                "sends a friend request, brings a gift, hugs you, makes an offensive joke or "
                "threatens you.",
                *PRIVACY,
            ),
            facts=tuple((verb, what) for verb, what in VERBS.items()),
        )
    ]


def unknown(verb: str) -> list[View]:
    close = difflib.get_close_matches(verb, VERBS, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    listed = ", ".join(VERBS)
    # The typed word is not echoed back: people sometimes type more than a verb.
    return [Notice(f"I don't know that command.{hint} Try one of: {listed}.")]


def not_yet(verb: str) -> list[View]:
    return [
        Notice(
            f"{verb} is not available in this version of Boundary Bot yet. "
            f"Try one of: {', '.join(VERBS)}."
        )
    ]
