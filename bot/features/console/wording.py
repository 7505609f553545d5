"""What the console feature says in chat, and the words its pages share with exports."""

from __future__ import annotations

from datetime import timedelta

from bot.org.policy import describe_duration
from bot.port.views import Button, ButtonStyle, Card, Notice

FEWER_THAN_5 = "fewer than 5"
HIDDEN = "hidden"  # a cell suppressed only so a smaller one cannot be worked out from totals


def link_card(url: str, lifetime: timedelta) -> Card:
    return Card(
        title="Your sign-in link for the console",
        paragraphs=(
            f"It works once, for you only, for the next {describe_duration(lifetime)}. Don't forward it: "
            "whoever opens it first is signed in as you.",
            "If it has expired, type console again for a new one.",
        ),
        buttons=(Button("Open the console", "console.open", url=url, style=ButtonStyle.PRIMARY),),
    )


def not_for_you() -> Notice:
    return Notice(
        "The console is for managers, admins and auditors, and you're not one of them in the "
        "organisation file. Everything you need is here in chat: type status to see your own items, "
        "or help for what I can do."
    )


AUDIT_ACTIONS = {
    "console.link_issued": "a one-time console sign-in link was sent in chat",
    "console.signed_in": "someone signed in to the console",
    "console.signed_out": "someone signed out of the console",
    "console.audit_viewed": "someone opened the audit log",
    "console.exported": "someone exported data (what and which dates are in the export record)",
    "console.org_previewed": "an admin checked a new organisation file (dry run)",
    "console.org_applied": "an admin applied a new organisation file",
}
