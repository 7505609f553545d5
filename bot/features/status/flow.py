"""``status``: my open items and where each stands."""

from __future__ import annotations

from bot.content.taxonomy import Category, Setting, Step
from bot.features.chaperone import flow as chaperone
from bot.features.escalation import flow as escalation
from bot.features.referral import flow as referral
from bot.features.report.flow import reference
from bot.features.volunteer import flow as volunteer
from bot.port.views import Button, ButtonStyle, Card, Notice, View
from bot.turn import Turn

SHOWN = 10


async def show(turn: Turn, args: str = "") -> list[View]:
    views: list[View] = []
    for_me = await escalation.handler_cards(turn)
    if for_me:
        views.append(Notice(f"{len(for_me)} escalation{'s' if len(for_me) != 1 else ''} waiting for you or your colleagues:"))
        views.extend(for_me)
    views.extend(await chaperone.status_cards(turn))
    if volunteering := await volunteer.status_card(turn):
        views.append(volunteering)
    # Referrals: the ones I made, was asked to take, or am asked to approve.
    views.extend(await referral.status_views(turn))
    reports = await turn.tx.reports.by_author(turn.person.id)
    if not reports:
        views.append(Notice("You have no open reports. Type report to file one privately."))
        return views
    views.append(
        Notice(f"You have {len(reports)} open report{'s' if len(reports) != 1 else ''}, newest first.")
    )
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
                title=f"{reference(report)} · {Category(report.category).short}",
                facts=(
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
