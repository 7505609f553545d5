"""``escalate``: send one of my reports to my managers, from the verb or the card's button."""

from __future__ import annotations

from bot.content.taxonomy import Category
from bot.features import escalation
from bot.features.report.flow import NOT_YOURS, own_report, reference
from bot.port.views import Button, Card, Notice, View
from bot.turn import Turn


async def escalate_verb(turn: Turn, args: str = "") -> list[View]:
    """``escalate`` lists my open reports to choose from; ``escalate R-3`` sends that one."""
    wanted = args.strip().upper().removeprefix("R-").strip()
    if wanted:
        report = await own_report(turn, wanted)
        if report is None or report.status != "open":
            return [Notice("I can't find an open report of yours with that number. Type escalate to choose one.")]
        return await escalation.escalate_report(turn, report)
    reports = await turn.tx.reports.by_author(turn.person.id)
    if not reports:
        return [Notice("You have no open reports to escalate. Type report to file one.")]
    zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
    told = await escalation.who_and_when(turn.tx, turn.person, turn.clock.now(), urgent=False, zone=zone)
    who = f"It goes to {told}." if told else "You're not in a team with a manager, so I can't send it."
    return [
        Card(
            title="Which report should go to your manager?",
            paragraphs=(who, "They see what kind of situation it was and when, and can open "
                        "what you wrote in a private view. Every time they do is recorded.",),
            facts=tuple((reference(r), f"{Category(r.category).short}, {turn.local_time(r.created_at)}") for r in reports[:10]),
            buttons=tuple(Button(f"Escalate {reference(r)}", "report.escalate", str(r.id)) for r in reports[:10]),
        )
    ]


async def escalate_button(turn: Turn, value: str) -> list[View]:
    report = await own_report(turn, value)
    if report is None or report.status != "open":
        return [NOT_YOURS]
    return await escalation.escalate_report(turn, report)
