"""Escalation: a report climbs the team's ladder of managers until one acknowledges it,
then reminders run until it is resolved. The reporter is told of every change.

A manager acts from the notice itself (Acknowledge, Resolve, View details). Every copy of
the notice is updated in place when anything changes. Only people named anywhere in the
team's policy may act on, or see, an escalation; a narrative is only ever shown in a
dialog, never posted in chat, and every such read is audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.content.taxonomy import Category, Factor, Occurrence, Setting
from bot.features.escalation import closure
from bot.features.escalation.access import find_for_handler
from bot.features.escalation.notices import (
    BEGIN,
    CLIMB,
    REMIND,
    due_after,
    first_notice_at,
    hours_of,
    recipients_at,
    refresh_notices,
    schedule,
    tell_level,
)
from bot.features.escalation.storage import LIVE, Escalation, current_for_report, for_handler
from bot.features.escalation.wording import (
    NO_ONE_TO_TELL,
    NOT_FOUND,
    STATUS_LABELS,
    already_done,
    notice_card,
    reference,
    remind_line,
    reporter_label,
    resolve_form,
    status_text,
    subject_label,
    waiting_card,
)
from bot.machinery.clock import Clock
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Report, Team
from bot.machinery.storage.repos import Tx
from bot.org.hours import when
from bot.org.policy import Policy
from bot.port.views import Dialog, Notice, View
from bot.turn import Turn


async def start(tx: Tx, clock: Clock, report: Report, reporter: Person, reason: str,
                *, urgent: bool = False) -> tuple[Escalation | None, list[Person]]:
    """Escalate a report. Returns the escalation and who was told (or, while it waits for
    working hours, who will be told); (None, []) when the reporter is in no team with anyone
    to tell. Starting twice returns the running one with nobody. Safety escalations, and
    reports where the reporter felt unsafe, never wait."""
    running = await current_for_report(tx, report.id)
    if running is not None and running.status in LIVE:
        return running, []
    urgent = urgent or reason == "safety" or report.felt_unsafe or report.step == 5
    return await _open(tx, clock, reporter, reason, urgent, report=report)


async def start_about(
    tx: Tx, clock: Clock, person: Person, reason: str, subject_type: str, subject_id: int, summary: str,
    *, urgent: bool = False,
) -> tuple[Escalation | None, list[Person]]:
    """Escalate something that is not a report (an unfilled chaperone request, an
    unanswered referral) to ``person``'s managers. ``summary`` is one line of metadata for
    the notice — never free text. Non-urgent ones wait for the team's working hours.
    Starting twice returns the running one."""
    running = await tx.session.scalar(
        select(Escalation).where(
            Escalation.subject_type == subject_type, Escalation.subject_id == subject_id,
            Escalation.status.in_(LIVE),
        )
    )
    if running is not None:
        return running, []
    return await _open(tx, clock, person, reason, urgent, subject=(subject_type, subject_id, summary))


async def _open(tx, clock, reporter, reason, urgent, *, report=None, subject=None):
    team = await tx.people.home_team(reporter.id)
    if team is None:
        return None, []
    policy = Policy.from_json(team.escalation_policy)
    now = clock.now()
    subject_type, subject_id, summary = subject or (None, None, None)
    escalation = Escalation(
        report_id=report.id if report else None, team_id=team.id, reporter_id=reporter.id, reason=reason,
        subject_type=subject_type, subject_id=subject_id, summary=summary, urgent=urgent, snoozes=0,
        status="open", level=0, round=0, generation=1, created_at=now,
    )
    tx.session.add(escalation)
    await tx.session.flush()
    due = first_notice_at(escalation, team, now)
    recipients = await recipients_at(tx, escalation, team, policy, 0, now, audit=due <= now)
    if not recipients:
        await tx.session.delete(escalation)
        await tx.session.flush()
        return None, []
    await tx.audit.record(now, reporter.id, "escalation.started", "escalation", escalation.id)
    if due > now:  # outside the team's working hours: the first notice waits
        escalation.status = "waiting"
        await schedule(tx, escalation, BEGIN, due, now)
        return escalation, [c.person for c in recipients]
    await schedule(tx, escalation, CLIMB, due_after(escalation, team, now, policy.wait_at(0)), now)
    await tell_level(tx, escalation, report, team, policy, recipients, now)
    return escalation, [c.person for c in recipients]


async def settle_about(tx: Tx, subject_type: str, subject_id: int, now: datetime, outcome: str) -> None:
    """What an escalation was about has been dealt with (an unfilled request was covered
    or cancelled, a referral was accepted): close it, stop its timers, and update every
    copy of its notice so managers see why."""
    running = (await tx.session.scalars(
        select(Escalation).where(
            Escalation.subject_type == subject_type, Escalation.subject_id == subject_id,
            Escalation.status.in_(LIVE),
        )
    )).all()
    for escalation in running:
        escalation.status, escalation.resolved_at = "resolved", now
        escalation.summary = f"{escalation.summary or ''} — since then: {outcome}"[:300]
        escalation.generation += 1
        escalation.next_action_at = None
        await tx.timers.cancel_for("escalation", escalation.id)
        await refresh_notices(tx, escalation, now)
        await tx.audit.record(now, None, "escalation.settled", "escalation", escalation.id)


async def acknowledge(turn: Turn, value: str) -> list[View]:
    found = await find_for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, team = found
    if escalation.status != "open":
        return [Notice(await already_done(turn, escalation))]
    now = turn.clock.now()
    policy = Policy.from_json(team.escalation_policy)
    escalation.status = "acknowledged"
    escalation.acknowledged_at, escalation.acknowledged_by = now, turn.person.id
    escalation.generation += 1
    await turn.tx.timers.cancel_for("escalation", escalation.id)
    await schedule(turn.tx, escalation, REMIND, due_after(escalation, team, now, policy.remind_every), now)
    await refresh_notices(turn.tx, escalation, now)
    await tell_reporter(turn.tx, escalation, f"{turn.person.display_name} has acknowledged", now)
    await turn.tx.audit.record(now, turn.person.id, "escalation.acknowledged", "escalation", escalation.id)
    zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
    return [Notice(
        f"You acknowledged {reference(escalation)}. The reporter has been told. "
        f"{remind_line(escalation.next_action_at, policy.remind_every, zone)}"
    )]


async def ask_resolve(turn: Turn, value: str) -> list[View]:
    found = await find_for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, _ = found
    if escalation.status not in ("open", "acknowledged"):
        return [Notice(await already_done(turn, escalation))]
    return [resolve_form(escalation.id)]


async def resolve(turn: Turn, values: dict, state: str) -> list[View]:
    from bot.content.identifiers import describe, find_identifier_kinds
    from bot.port.forms import clean

    found = await find_for_handler(turn, state)
    if found is None:
        return [NOT_FOUND]
    escalation, _ = found
    if escalation.status not in ("open", "acknowledged"):
        return [Notice(await already_done(turn, escalation))]
    form = resolve_form(escalation.id)
    cleaned, errors = clean(form, values)
    for name in ("note", "for_reporter"):
        if kinds := find_identifier_kinds(cleaned.get(name)):
            errors[name] = f"This seems to contain {describe(kinds)}. Please take it out."
    if errors:
        return [form.with_errors(values, errors)]
    now = turn.clock.now()
    escalation.status = "resolved"
    escalation.resolved_at, escalation.resolved_by = now, turn.person.id
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = now, turn.person.id
    escalation.resolution_sealed = turn.sealer.seal(cleaned["note"])
    escalation.reporter_note_sealed = turn.sealer.seal(cleaned.get("for_reporter"))
    escalation.generation += 1
    escalation.next_action_at = None
    await turn.tx.timers.cancel_for("escalation", escalation.id)
    await refresh_notices(turn.tx, escalation, now)
    await closure.tell_reporter_closed(turn.tx, escalation, turn.person, now)
    await turn.tx.audit.record(now, turn.person.id, "escalation.resolved", "escalation", escalation.id)
    shared = " what you wrote for them," if cleaned.get("for_reporter") else ""
    return [Notice(f"{reference(escalation)} is resolved. The reporter has been told,{shared} and asked whether "
                   "it is resolved for them.")]


async def view_details(turn: Turn, value: str) -> list[View]:
    """The narrative, for someone the team's policy names: shown in a dialog, audited."""
    found = await find_for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, team = found
    report = await turn.tx.reports.get(escalation.report_id) if escalation.report_id else None
    if report is None:
        return [Notice("The report behind this escalation has been deleted by its author.")]
    if report.status == "withdrawn":  # see access.py: the reporter's choice stands
        return [Notice(f"The reporter has withdrawn the report behind {reference(escalation)}, so its details "
                       "are no longer shown. You can still resolve the escalation; type status to see it.")]
    policy = Policy.from_json(team.escalation_policy)
    reporter = await turn.tx.people.get(escalation.reporter_id)
    now = turn.clock.now()
    await turn.tx.audit.record(now, turn.person.id, "report.viewed", "report", report.id)
    details = turn.sealer.open(report.details_sealed)
    resolution = turn.sealer.open(escalation.resolution_sealed)
    facts = [
        ("What", Category(report.category).label),
        ("Where", Setting(report.setting).label),
        ("Before?", Occurrence(report.occurrence).label),
        ("Felt unsafe", "Yes" if report.felt_unsafe else "No"),
        ("Reporter", reporter_label(escalation, report, policy, reporter)),
        ("Reported", turn.local_time(report.created_at)),
    ]
    if report.factors:
        facts.append(("Also", "; ".join(Factor(f).label for f in report.factors)))
    paragraphs = [
        "Shown only here, never posted in chat. Your viewing has been recorded.",
        f"In the reporter's words: {details}" if details else "The reporter did not write anything more.",
    ]
    if resolution:
        paragraphs.append(f"Resolution note: {resolution}")
    return [Dialog(title="What was reported", paragraphs=tuple(paragraphs), facts=tuple(facts))]


async def tell_reporter(tx: Tx, escalation: Escalation, what: str, now: datetime) -> None:
    subject = f"R-{escalation.report_id}" if escalation.report_id else subject_label(escalation)
    await notify(
        tx, f"esc:{escalation.id}:reporter:{escalation.generation}", escalation.reporter_id,
        Notice(f"{what} your escalation of {subject}. Type status to see where it stands."),
        now,
    )


async def escalate_report(turn: Turn, report: Report) -> list[View]:
    """The reporter asks for one of their reports to go to their manager now (or, outside
    their team's working hours for something not urgent, when the team is next working)."""
    escalation, told = await start(turn.tx, turn.clock, report, turn.person, "requested")
    if escalation is None:
        return [NO_ONE_TO_TELL]
    if told and escalation.status == "waiting":
        team = await turn.tx.session.get(Team, escalation.team_id)
        zone = turn.person.timezone or (turn.org.timezone if turn.org else None)
        return [waiting_card(report, escalation, told, hours_of(team), when(escalation.next_action_at, zone))]
    if not told:
        return [Notice(f"R-{report.id} is already with your managers ({reference(escalation)}): "
                       f"{STATUS_LABELS[escalation.status].lower()}.")]
    names = ", ".join(p.display_name for p in told)
    return [Notice(f"R-{report.id} has gone to {names} now. "
                   "I'll tell you when it is acknowledged, and when it is resolved.")]


async def status_line(tx: Tx, report: Report, viewer: Person) -> str | None:
    escalation = await current_for_report(tx, report.id)
    if escalation is None:
        return None
    org = await tx.org.get()
    line = f"{reference(escalation)}: {status_text(escalation, viewer, org.timezone if org else None)}"
    if escalation.status == "acknowledged" and escalation.acknowledged_by:
        who = await tx.people.get(escalation.acknowledged_by)
        line += f" by {who.display_name}"
    if escalation.status == "resolved" and escalation.resolved_by:
        who = await tx.people.get(escalation.resolved_by)
        line += f" by {who.display_name}"
    return line


async def section(turn: Turn) -> list[View]:
    """My part of ``status``: the escalations waiting for me or my colleagues."""
    cards = await handler_cards(turn)
    if not cards:
        return []
    s = "s" if len(cards) != 1 else ""
    return [Notice(f"{len(cards)} escalation{s} waiting for you or your colleagues:"), *cards]


async def handler_cards(turn: Turn) -> list[View]:
    cards: list[View] = []
    for escalation in await for_handler(turn.tx, turn.person):
        team = await turn.tx.session.get(Team, escalation.team_id)
        report = await turn.tx.reports.get(escalation.report_id) if escalation.report_id else None
        reporter = await turn.tx.people.get(escalation.reporter_id)
        cards.append(notice_card(escalation, report, team, Policy.from_json(team.escalation_policy), reporter,
                                 turn.person, turn.clock.now(), turn.org))
    return cards


async def reopen(turn: Turn, value: str) -> list[View]:
    """Not resolved for the reporter: a new escalation of the same thing, from the first level."""
    escalation = await closure.own(turn, value)
    if escalation is None:
        return [closure.NOT_YOURS]
    if refused := await closure.unanswerable(turn, escalation):
        return [refused]
    now = turn.clock.now()
    if escalation.report_id:
        report = await turn.tx.reports.get(escalation.report_id)
        if report is None:
            return [closure.NOT_YOURS]
        found, told = await start(turn.tx, turn.clock, report, turn.person, "reopened", urgent=escalation.urgent)
    else:
        found, told = await start_about(turn.tx, turn.clock, turn.person, "reopened", escalation.subject_type,
                                        escalation.subject_id, escalation.summary or "", urgent=escalation.urgent)
    await turn.tx.audit.record(now, turn.person.id, "escalation.reopened", "escalation", escalation.id)
    if found is None:
        return [Notice("I couldn't reopen it: you're not in a team with a manager. Please contact your "
                       "manager or security directly.")]
    names = ", ".join(p.display_name for p in told) or "your managers"
    return [Notice(f"Reopened. {names} {'has' if len(told) == 1 else 'have'} been told it is not resolved for "
                   "you. I'll tell you when someone answers.")]
