"""What people are told about retention and legal holds."""

from __future__ import annotations

from bot.port.views import Notice

REMOVED = Notice(
    "Removed: this message was about a record your organisation no longer keeps. Its retention "
    "period has passed, so the record and what this message showed have been deleted."
)


def hold_placed(reference: str) -> str:
    return (f"{reference} is on legal hold: retention will not remove it until the hold is released. "
            "The hold is recorded in the audit log.")


def hold_released(reference: str) -> str:
    return f"The legal hold on {reference} is released: retention applies to it again. Recorded in the audit log."


NOT_ADMIN = "Only an admin (admin: true in the organisation file) can place or release a legal hold."
NO_REPORT = "There is no report with that number (it may have been deleted)."
NOT_HELD = "That report is not on legal hold."
ALREADY_HELD = "That report is already on legal hold."
