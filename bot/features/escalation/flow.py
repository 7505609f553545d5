"""Escalation: a report climbs the team's ladder of managers until one acknowledges it,
then reminders run until it is resolved. The reporter is told of every change.

A manager acts from the notice itself (Acknowledge, Resolve, View details). Every copy of
the notice is updated in place when anything changes. Only people named anywhere in the
team's policy may act on, or see, an escalation; a narrative is only ever shown in a
dialog, never posted in chat, and every such read is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.content.taxonomy import Category, Factor, Occurrence, Setting, Step
from bot.features.escalation.storage import Escalation, EscalationNotice
from bot.machinery.clock import Clock
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Report, Team, TeamMember, Timer
from bot.machinery.storage.repos import Tx
from bot.org.policy import MANAGERS, Policy, describe_duration
from bot.port.views import Button, ButtonStyle, Card, Dialog, Field, FieldKind, Form, Notice, View
from bot.turn import Turn

CLIMB = "escalation.climb"
REMIND = "escalation.remind"
RESOLVE_FORM = "escalation.resolve"
OVERDUE_AFTER = timedelta(minutes=1)

REASONS = {
    "safety": "A safety concern (step 5, or the reporter felt unsafe)",
    "requested": "The reporter asked for it",
    "chaperone": "No chaperone accepted in time",
    "referral": "A referral was not answered in time",
}
SUBJECTS = {"chaperone": "an unfilled chaperone request", "referral": "an unanswered referral"}
STATUS_LABELS = {"open": "Waiting for a manager", "acknowledged": "Acknowledged", "resolved": "Resolved",
                 "cancelled": "Cancelled"}


def reference(escalation: Escalation) -> str:
    return f"E-{escalation.id}"


# --- who ------------------------------------------------------------------------------------


async def people_at(tx: Tx, team: Team, policy: Policy, level: int) -> list[Person]:
    who = policy.levels[min(level, len(policy.levels) - 1)].who
    if who == MANAGERS:
        query = (
            select(Person)
            .join(TeamMember, TeamMember.person_id == Person.id)
            .where(TeamMember.team_id == team.id, TeamMember.role == "manager")
        )
    else:
        query = select(Person).where(Person.key.in_(who))
    return list((await tx.session.scalars(query.where(Person.active.is_(True)).order_by(Person.display_name))).all())


async def handlers_of(tx: Tx, team: Team) -> dict[int, Person]:
    """Everyone the team's policy names, at any level: the people who may act."""
    policy = Policy.from_json(team.escalation_policy)
    found: dict[int, Person] = {}
    for level in range(len(policy.levels)):
        for person in await people_at(tx, team, policy, level):
            found[person.id] = person
    return found


# --- starting -------------------------------------------------------------------------------


async def current_for_report(tx: Tx, report_id: int) -> Escalation | None:
    return await tx.session.scalar(
        select(Escalation)
        .where(Escalation.report_id == report_id)
        .order_by(Escalation.id.desc())
        .limit(1)
    )


async def start(tx: Tx, clock: Clock, report: Report, reporter: Person, reason: str) -> tuple[Escalation | None, list[Person]]:
    """Escalate a report now. Returns the escalation and who was told; (None, []) when the
    reporter is in no team with anyone to tell. Starting twice returns the running one."""
    running = await current_for_report(tx, report.id)
    if running is not None and running.status in ("open", "acknowledged"):
        return running, []
    return await _open(tx, clock, reporter, reason, report=report)


async def start_about(
    tx: Tx, clock: Clock, person: Person, reason: str, subject_type: str, subject_id: int, summary: str,
) -> tuple[Escalation | None, list[Person]]:
    """Escalate something that is not a report (an unfilled chaperone request, an
    unanswered referral) to ``person``'s managers. ``summary`` is one line of metadata for
    the notice — never free text. Starting twice returns the running one."""
    running = await tx.session.scalar(
        select(Escalation).where(
            Escalation.subject_type == subject_type, Escalation.subject_id == subject_id,
            Escalation.status.in_(("open", "acknowledged")),
        )
    )
    if running is not None:
        return running, []
    return await _open(tx, clock, person, reason, subject=(subject_type, subject_id, summary))


async def _open(tx, clock, reporter, reason, *, report=None, subject=None):
    team = await tx.people.home_team(reporter.id)
    if team is None:
        return None, []
    policy = Policy.from_json(team.escalation_policy)
    recipients = [p for p in await people_at(tx, team, policy, 0) if p.id != reporter.id]
    if not recipients:
        return None, []
    now = clock.now()
    subject_type, subject_id, summary = subject or (None, None, None)
    escalation = Escalation(
        report_id=report.id if report else None, team_id=team.id, reporter_id=reporter.id, reason=reason,
        subject_type=subject_type, subject_id=subject_id, summary=summary,
        status="open", level=0, round=0, generation=1, created_at=now,
    )
    tx.session.add(escalation)
    await tx.session.flush()
    await _tell_level(tx, escalation, report, team, policy, recipients, now)
    await _schedule(tx, escalation, CLIMB, now + policy.wait_at(0), now)
    await tx.audit.record(now, reporter.id, "escalation.started", "escalation", escalation.id)
    return escalation, recipients


async def _schedule(tx: Tx, escalation: Escalation, kind: str, due: datetime, now: datetime) -> None:
    await tx.timers.schedule(
        f"esc:{escalation.id}:{kind}:{escalation.generation}", kind, "escalation", escalation.id, due, now,
        payload={"escalation_id": escalation.id, "generation": escalation.generation},
    )
    escalation.next_action_at = due


async def _tell_level(tx, escalation, report, team, policy, recipients, now) -> None:
    reporter = await tx.people.get(escalation.reporter_id)
    for person in recipients:
        key = f"esc:{escalation.id}:notice:{person.id}:{escalation.level}:{escalation.round}"
        card = notice_card(escalation, report, team, policy, reporter, person, now)
        if await notify(tx, key, person.id, card, now):
            tx.session.add(EscalationNotice(escalation_id=escalation.id, person_id=person.id,
                                            notification_key=key, level=escalation.level))


def _reporter_label(escalation: Escalation, report: Report | None, policy: Policy, reporter: Person | None) -> str:
    top = len(policy.levels) - 1
    if report is not None and report.confidential and escalation.level < top:
        return "Confidential (the reporter asked to stay unnamed below the top level)"
    return reporter.display_name if reporter else "unknown"


def _local(moment: datetime, person: Person, org_zone: str = "UTC") -> str:
    zone = person.timezone or org_zone
    return moment.astimezone(ZoneInfo(zone)).strftime("%-d %b %Y, %H:%M")


def notice_card(escalation, report, team, policy, reporter, viewer, now) -> Card:
    """The notice a manager gets (and its updates): metadata only, never the narrative."""
    facts = []
    if report is None and escalation.summary:
        facts.append(("What", escalation.summary))
    if report is not None:
        facts += [
            ("What", Category(report.category).label),
            ("Step", f"{report.step} — {Step(report.step).label}"),
            ("Where", Setting(report.setting).label),
            ("Reported", _local(report.created_at, viewer)),
        ]
    facts += [
        ("Reporter", _reporter_label(escalation, report, policy, reporter)),
        ("Team", team.name),
        ("Why escalated", REASONS.get(escalation.reason, escalation.reason)),
        ("Status", _status_line(escalation, viewer)),
    ]
    buttons: list[Button] = []
    value = str(escalation.id)
    if escalation.status == "open":
        buttons.append(Button("Acknowledge", "escalation.ack", value, ButtonStyle.PRIMARY))
    if escalation.status in ("open", "acknowledged"):
        buttons.append(Button("Resolve…", "escalation.resolve", value))
    if report is not None and escalation.status != "cancelled":
        buttons.append(Button("View details", "escalation.view", value, dialog=True))
    about = Category(report.category).short if report else SUBJECTS.get(escalation.subject_type, "a request")
    title = f"Escalation {reference(escalation)}: {about}"
    paragraphs = ()
    if escalation.status == "open":
        wait = describe_duration(policy.wait_at(escalation.level))
        paragraphs = (f"Please acknowledge within {wait}; otherwise it goes to the next level.",)
    return Card(title=title, paragraphs=paragraphs, facts=tuple(facts), buttons=tuple(buttons))


def _status_line(escalation: Escalation, viewer: Person) -> str:
    label = STATUS_LABELS[escalation.status]
    if escalation.status == "open":
        return f"{label} (level {escalation.level + 1})"
    if escalation.status == "acknowledged" and escalation.acknowledged_at:
        return f"{label} at {_local(escalation.acknowledged_at, viewer)}"
    if escalation.status == "resolved" and escalation.resolved_at:
        return f"{label} at {_local(escalation.resolved_at, viewer)}"
    return label


async def _refresh_notices(tx: Tx, escalation: Escalation, now: datetime) -> None:
    """Update every copy of this escalation's notice in place, in order."""
    report = await tx.reports.get(escalation.report_id) if escalation.report_id else None
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    reporter = await tx.people.get(escalation.reporter_id)
    notices = (await tx.session.scalars(
        select(EscalationNotice).where(EscalationNotice.escalation_id == escalation.id)
    )).all()
    for notice in notices:
        viewer = await tx.people.get(notice.person_id)
        card = notice_card(escalation, report, team, policy, reporter, viewer, now)
        key = f"{notice.notification_key.split(':u')[0]}:u{escalation.generation}"
        # Each update replaces the previous one, so they land in order.
        if await notify(tx, key, notice.person_id, card, now, updates=notice.notification_key):
            notice.notification_key = key


async def settle_about(tx: Tx, subject_type: str, subject_id: int, now: datetime, outcome: str) -> None:
    """What an escalation was about has been dealt with (an unfilled request was covered
    or cancelled, a referral was accepted): close it, stop its timers, and update every
    copy of its notice so managers see why."""
    running = (await tx.session.scalars(
        select(Escalation).where(
            Escalation.subject_type == subject_type, Escalation.subject_id == subject_id,
            Escalation.status.in_(("open", "acknowledged")),
        )
    )).all()
    for escalation in running:
        escalation.status, escalation.resolved_at = "resolved", now
        escalation.summary = f"{escalation.summary or ''} — since then: {outcome}"[:300]
        escalation.generation += 1
        escalation.next_action_at = None
        await tx.timers.cancel_for("escalation", escalation.id)
        await _refresh_notices(tx, escalation, now)
        await tx.audit.record(now, None, "escalation.settled", "escalation", escalation.id)


# --- acting on a notice -------------------------------------------------------------------


NOT_FOUND = Notice("I can't find that escalation among those you can act on.")


async def _for_handler(turn: Turn, value: str) -> tuple[Escalation, Team] | None:
    """The escalation, if the person pressing is named in its team's policy."""
    try:
        escalation = await turn.tx.session.get(Escalation, int(value))
    except (TypeError, ValueError):
        return None
    if escalation is None:
        return None
    team = await turn.tx.session.get(Team, escalation.team_id)
    if turn.person.id not in await handlers_of(turn.tx, team):
        return None
    return escalation, team


async def acknowledge(turn: Turn, value: str) -> list[View]:
    found = await _for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, team = found
    if escalation.status != "open":
        return [Notice(await _already(turn, escalation))]
    now = turn.clock.now()
    policy = Policy.from_json(team.escalation_policy)
    escalation.status = "acknowledged"
    escalation.acknowledged_at, escalation.acknowledged_by = now, turn.person.id
    escalation.generation += 1
    await turn.tx.timers.cancel_for("escalation", escalation.id)
    await _schedule(turn.tx, escalation, REMIND, now + policy.remind_every, now)
    await _refresh_notices(turn.tx, escalation, now)
    await _tell_reporter(turn.tx, escalation, f"{turn.person.display_name} has acknowledged", now)
    await turn.tx.audit.record(now, turn.person.id, "escalation.acknowledged", "escalation", escalation.id)
    return [Notice(
        f"You acknowledged {reference(escalation)}. The reporter has been told. I'll remind you every "
        f"{describe_duration(policy.remind_every)} until it is resolved."
    )]


async def _already(turn: Turn, escalation: Escalation) -> str:
    if escalation.status == "acknowledged":
        who = await turn.tx.people.get(escalation.acknowledged_by)
        return f"{reference(escalation)} was already acknowledged by {who.display_name if who else 'someone'}."
    if escalation.status == "resolved":
        who = await turn.tx.people.get(escalation.resolved_by)
        return f"{reference(escalation)} was already resolved by {who.display_name if who else 'someone'}."
    return f"{reference(escalation)} was cancelled."


def resolve_form(escalation_id: int, values=None, errors=None) -> Form:
    return Form(
        form_id=RESOLVE_FORM,
        title=f"Resolve escalation E-{escalation_id}",
        intro="Say briefly what was done. The note is encrypted and shown only in the escalation's details.",
        fields=(Field("note", "What was done", FieldKind.LONG_TEXT, required=True, max_length=1000,
                      help="Leave out anything that identifies the client."),),
        submit_label="Resolve",
        state=str(escalation_id),
        values=values or {},
        errors=errors or {},
    )


async def ask_resolve(turn: Turn, value: str) -> list[View]:
    found = await _for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, _ = found
    if escalation.status not in ("open", "acknowledged"):
        return [Notice(await _already(turn, escalation))]
    return [resolve_form(escalation.id)]


async def resolve(turn: Turn, values: dict, state: str) -> list[View]:
    from bot.content.identifiers import describe, find_identifier_kinds
    from bot.port.forms import clean

    found = await _for_handler(turn, state)
    if found is None:
        return [NOT_FOUND]
    escalation, _ = found
    if escalation.status not in ("open", "acknowledged"):
        return [Notice(await _already(turn, escalation))]
    form = resolve_form(escalation.id)
    cleaned, errors = clean(form, values)
    if kinds := find_identifier_kinds(cleaned.get("note")):
        errors["note"] = f"This seems to contain {describe(kinds)}. Please take it out."
    if errors:
        return [form.with_errors(values, errors)]
    now = turn.clock.now()
    escalation.status = "resolved"
    escalation.resolved_at, escalation.resolved_by = now, turn.person.id
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = now, turn.person.id
    escalation.resolution_sealed = turn.sealer.seal(cleaned["note"])
    escalation.generation += 1
    escalation.next_action_at = None
    await turn.tx.timers.cancel_for("escalation", escalation.id)
    await _refresh_notices(turn.tx, escalation, now)
    await _tell_reporter(turn.tx, escalation, f"{turn.person.display_name} has resolved", now)
    await turn.tx.audit.record(now, turn.person.id, "escalation.resolved", "escalation", escalation.id)
    return [Notice(f"{reference(escalation)} is resolved. The reporter has been told.")]


async def view_details(turn: Turn, value: str) -> list[View]:
    """The narrative, for someone the team's policy names: shown in a dialog, audited."""
    found = await _for_handler(turn, value)
    if found is None:
        return [NOT_FOUND]
    escalation, team = found
    report = await turn.tx.reports.get(escalation.report_id) if escalation.report_id else None
    if report is None:
        return [Notice("The report behind this escalation has been deleted by its author.")]
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
        ("Reporter", _reporter_label(escalation, report, policy, reporter)),
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
    return [Dialog(title=f"{reference(escalation)} details", paragraphs=tuple(paragraphs), facts=tuple(facts))]


async def _tell_reporter(tx: Tx, escalation: Escalation, what: str, now: datetime) -> None:
    subject = f"R-{escalation.report_id}" if escalation.report_id else SUBJECTS.get(escalation.subject_type, "a request")
    await notify(
        tx, f"esc:{escalation.id}:reporter:{escalation.generation}", escalation.reporter_id,
        Notice(f"{what} your escalation of {subject} ({reference(escalation)}). Type status to see where it stands."),
        now,
    )


# --- timers ---------------------------------------------------------------------------------


async def _live(tx: Tx, timer: Timer, wanted_status: str) -> Escalation | None:
    escalation = await tx.session.get(Escalation, timer.payload["escalation_id"], with_for_update=True)
    if escalation is None or escalation.status != wanted_status:
        return None
    if escalation.generation != timer.payload["generation"]:
        return None  # something changed since this timer was set: it is stale
    return escalation


async def climb(tx: Tx, timer: Timer, now: datetime) -> None:
    """Not acknowledged in time: tell the next level (or the last level again)."""
    escalation = await _live(tx, timer, "open")
    if escalation is None:
        return
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    if escalation.level + 1 < len(policy.levels):
        escalation.level += 1
    elif escalation.round < policy.repeat_last:
        escalation.round += 1
    else:
        escalation.generation += 1
        escalation.next_action_at = None
        await _tell_reporter(tx, escalation, "No manager has acknowledged", now)
        for admin in await tx.people.admins():
            await notify(tx, f"esc:{escalation.id}:exhausted:{admin.id}", admin.id, Notice(
                f"Escalation {reference(escalation)} in {team.name} went through every level of its policy "
                "without an acknowledgement. Please check the team's managers and policy."), now)
        return
    escalation.generation += 1
    await _refresh_notices(tx, escalation, now)  # earlier notices show the new level
    report = await tx.reports.get(escalation.report_id) if escalation.report_id else None
    recipients = [p for p in await people_at(tx, team, policy, escalation.level) if p.id != escalation.reporter_id]
    await _tell_level(tx, escalation, report, team, policy, recipients, now)
    await _schedule(tx, escalation, CLIMB, now + policy.wait_at(escalation.level), now)
    names = ", ".join(p.display_name for p in recipients) or "the next level"
    again = " again" if escalation.round else ""
    await _tell_reporter(tx, escalation, f"Not acknowledged yet, so {names} {'has' if len(recipients) == 1 else 'have'} been told{again} about", now)


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    """Acknowledged but not resolved: remind whoever acknowledged it."""
    escalation = await _live(tx, timer, "acknowledged")
    if escalation is None:
        return
    team = await tx.session.get(Team, escalation.team_id)
    policy = Policy.from_json(team.escalation_policy)
    escalation.generation += 1
    await notify(
        tx, f"esc:{escalation.id}:remind:{escalation.generation}", escalation.acknowledged_by,
        Card(
            title=f"Reminder: {reference(escalation)} is still open",
            paragraphs=("You acknowledged it; please resolve it when it has been dealt with.",),
            buttons=(Button("Resolve…", "escalation.resolve", str(escalation.id)),
                     Button("View details", "escalation.view", str(escalation.id), dialog=True)),
        ),
        now,
    )
    await _schedule(tx, escalation, REMIND, now + policy.remind_every, now)


TIMER_HANDLERS = {CLIMB: climb, REMIND: remind}


# --- the auditor ------------------------------------------------------------------------------


async def overdue(tx: Tx, now: datetime) -> list[Escalation]:
    """Live escalations whose next step should have happened over a minute ago."""
    return list((await tx.session.scalars(
        select(Escalation).where(
            Escalation.status.in_(("open", "acknowledged")),
            Escalation.next_action_at < now - OVERDUE_AFTER,
        )
    )).all())


async def audit_overdue(tx: Tx, now: datetime) -> int:
    """Tell the admins about each stuck escalation (once per stuck step)."""
    stuck = await overdue(tx, now)
    if not stuck:
        return 0
    admins = await tx.people.admins()
    for escalation in stuck:
        due = escalation.next_action_at.strftime("%Y-%m-%d %H:%M UTC")
        for admin in admins:
            await notify(tx, f"esc:{escalation.id}:stuck:{escalation.generation}:{admin.id}", admin.id, Notice(
                f"Escalation {reference(escalation)}'s next step was due at {due} and has not happened. "
                "The timer scheduler may be stuck: check /healthz and the logs."), now)
    return len(stuck)


# --- the reporter's side --------------------------------------------------------------------


async def escalate_report(turn: Turn, report: Report) -> list[View]:
    """The reporter asks for one of their reports to go to their manager now."""
    escalation, told = await start(turn.tx, turn.clock, report, turn.person, "requested")
    if escalation is None:
        return [NO_ONE_TO_TELL]
    if not told:
        return [Notice(f"R-{report.id} is already with your managers ({reference(escalation)}): "
                       f"{STATUS_LABELS[escalation.status].lower()}.")]
    names = ", ".join(p.display_name for p in told)
    return [Notice(f"R-{report.id} has gone to {names} now ({reference(escalation)}). "
                   "I'll tell you when it is acknowledged, and when it is resolved.")]


NO_ONE_TO_TELL = Notice(
    "You're not in a team with a manager I can alert, so I couldn't escalate this. Please contact "
    "your manager or security directly, and ask your Boundary Bot admin to add you to a team."
)


async def status_line(tx: Tx, report: Report, viewer: Person) -> str | None:
    escalation = await current_for_report(tx, report.id)
    if escalation is None:
        return None
    line = f"{reference(escalation)}: {_status_line(escalation, viewer)}"
    if escalation.status == "acknowledged" and escalation.acknowledged_by:
        who = await tx.people.get(escalation.acknowledged_by)
        line += f" by {who.display_name}"
    if escalation.status == "resolved" and escalation.resolved_by:
        who = await tx.people.get(escalation.resolved_by)
        line += f" by {who.display_name}"
    return line


async def for_handler(tx: Tx, person: Person) -> list[Escalation]:
    """Live escalations this person has been sent a notice about."""
    return list((await tx.session.scalars(
        select(Escalation)
        .join(EscalationNotice, EscalationNotice.escalation_id == Escalation.id)
        .where(EscalationNotice.person_id == person.id, Escalation.status.in_(("open", "acknowledged")))
        .distinct()
        .order_by(Escalation.id.desc())
    )).all())


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
                                 turn.person, turn.clock.now()))
    return cards

