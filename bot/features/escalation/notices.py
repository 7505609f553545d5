"""Sending and keeping current the notices managers get, and when each next step falls due.

Who is told at a level is the team's policy, with anyone away replaced by whoever stands in
for them (the away feature's ``route``, audited there). When the next step falls due depends
on the escalation: urgent ones (safety, or the reporter said it can't wait) count plain time;
others count the team's working hours, so a 15-minute wait raised on Friday evening ends on
Monday morning, not at 3 am.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.features import away
from bot.features.escalation.access import people_at
from bot.features.escalation.storage import Escalation, EscalationNotice
from bot.features.escalation.wording import notice_card
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Team
from bot.machinery.storage.repos import Tx
from bot.org.hours import WorkingHours, after, wait_until
from bot.org.policy import Policy

CLIMB = "escalation.climb"
REMIND = "escalation.remind"
BEGIN = "escalation.begin"  # a non-urgent escalation raised outside working hours goes out


def urgent(escalation: Escalation) -> bool:
    """Safety escalations never wait, whatever else is recorded."""
    return escalation.urgent or escalation.reason == "safety"


def hours_of(team: Team | None) -> WorkingHours | None:
    return WorkingHours.from_json(team.working_hours) if team else None


def due_after(escalation: Escalation, team: Team, now: datetime, wait: timedelta) -> datetime:
    """When a wait that starts now ends: plain time if urgent, else working time."""
    return now + wait if urgent(escalation) else after(hours_of(team), now, wait)


def first_notice_at(escalation: Escalation, team: Team, now: datetime) -> datetime:
    return now if urgent(escalation) else wait_until(hours_of(team), now)


async def schedule(tx: Tx, escalation: Escalation, kind: str, due: datetime, now: datetime) -> None:
    await tx.timers.schedule(
        f"esc:{escalation.id}:{kind}:{escalation.generation}", kind, "escalation", escalation.id, due, now,
        payload={"escalation_id": escalation.id, "generation": escalation.generation},
    )
    escalation.next_action_at = due


async def recipients_at(tx: Tx, escalation: Escalation, team: Team, policy: Policy, level: int, now: datetime,
                        *, audit: bool = True) -> list[away.Cover]:
    """Who is told at ``level`` now: the policy's people (never the reporter), each replaced by
    their deputy while away."""
    people = [p for p in await people_at(tx, team, policy, level) if p.id != escalation.reporter_id]
    return await away.route(tx, people, now, "escalation", escalation.id,
                            exclude=frozenset({escalation.reporter_id}), audit=audit)


async def tell_level(tx, escalation, report, team, policy, recipients: list[away.Cover], now) -> None:
    reporter = await tx.people.get(escalation.reporter_id)
    org = await tx.org.get()
    for cover in recipients:
        person = cover.person
        key = f"esc:{escalation.id}:notice:{person.id}:{escalation.level}:{escalation.round}"
        card = notice_card(escalation, report, team, policy, reporter, person, now, org, cover.for_whom)
        if await notify(tx, key, person.id, card, now):
            tx.session.add(EscalationNotice(escalation_id=escalation.id, person_id=person.id, notification_key=key,
                                            level=escalation.level,
                                            on_behalf_of=cover.for_whom.id if cover.for_whom else None))


async def refresh_notices(tx: Tx, escalation: Escalation, now: datetime) -> None:
    """Update every copy of this escalation's notice in place, in order."""
    report = await tx.reports.get(escalation.report_id) if escalation.report_id else None
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    reporter = await tx.people.get(escalation.reporter_id)
    org = await tx.org.get()
    notices = (await tx.session.scalars(
        select(EscalationNotice).where(EscalationNotice.escalation_id == escalation.id)
    )).all()
    for notice in notices:
        viewer = await tx.people.get(notice.person_id)
        absent = await tx.people.get(notice.on_behalf_of) if notice.on_behalf_of else None
        card = notice_card(escalation, report, team, policy, reporter, viewer, now, org, absent)
        key = f"{notice.notification_key.split(':u')[0]}:u{escalation.generation}"
        # Each update replaces the previous one, so they land in order.
        if await notify(tx, key, notice.person_id, card, now, updates=notice.notification_key):
            notice.notification_key = key
