"""The report feature's part of ``status``: my open reports, newest first."""

from __future__ import annotations

from bot.content.taxonomy import Category, Setting, Step
from bot.features import escalation
from bot.features.report.flow import reference
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

SHOWN = 10
NO_REPORTS = Notice("You have no open reports. Type report to file one privately.")


async def section(turn: Turn) -> list[View]:
    reports = await turn.tx.reports.by_author(turn.person.id)
    if not reports:
        return [NO_REPORTS]
    views: list[View] = [
        Notice(f"You have {len(reports)} open report{'s' if len(reports) != 1 else ''}, newest first.")
    ]
    for report in reports[:SHOWN]:
        step = Step(report.step)
        escalated = await escalation.status_line(turn.tx, report, turn.person)
        buttons = [Button("Words to say", "report.tone", f"{report.id}:0")]
        if escalated is None:
            buttons.append(Button("Escalate", "report.escalate", str(report.id)))
        buttons += [
            Button("Refer…", "referral.start", str(report.id)),
            Button("Withdraw", "report.withdraw", str(report.id)),
            Button("Delete…", "report.ask_delete", str(report.id), ButtonStyle.DANGER),
        ]
        views.append(
            Card(
                title=Category(report.category).short.capitalize(),
                facts=(
                    ("Reference", reference(report)),
                    ("Filed", turn.local_time(report.created_at)),
                    ("Where", Setting(report.setting).label),
                    ("Step", f"{step.value} — {step.label}"),
                    ("Status", escalated or "Open, private to you"),
                ),
                buttons=tuple(buttons),
            )
        )
    if len(reports) > SHOWN:
        views.append(Notice(f"…and {len(reports) - SHOWN} older open reports not shown."))
    return views
