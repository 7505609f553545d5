"""Referral handoff: a clinician hands a client over to a colleague, or to a team's intake
pool, without abandoning the client.

The referrer fills in a form (reason, urgency, who, a minimum-necessary handoff note). If
the referrer's team policy asks for it, one of the team's managers approves or returns the
referral first. Then the receiver — or every member of the pool — is asked privately to
accept or decline; in a pool the first to accept takes it, exactly once. A decline goes
back to the referrer with the reason, and they can choose someone else. Nobody answers in
time: the receivers are reminded, then the referrer's managers are told through an
escalation. After acceptance both sides tick a short checklist until the referral is closed.

Only the referrer, the people asked to take it, and the managers asked to approve it can
see or act on a referral; to anyone else it does not exist. What people write (the note,
a decline or return reason) is sealed and shown only in a dialog; every read by someone
other than its author is audited.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.content.identifiers import describe, find_identifier_kinds
from bot.content.taxonomy import Category
from bot.features import escalation
from bot.features.referral.storage import Referral, ReferralOffer
from bot.machinery.outbox import notify
from bot.machinery.storage.models import Person, Team, TeamMember, Timer
from bot.machinery.storage.repos import Tx
from bot.org.policy import ReferralPolicy, describe_duration
from bot.port.forms import clean
from bot.port.views import (
    Button,
    ButtonStyle,
    Card,
    Dialog,
    Field,
    FieldKind,
    Form,
    Notice,
    Option,
    View,
)
from bot.turn import Turn

FORM_ID = "referral"
DECLINE_FORM = "referral.decline"
RETURN_FORM = "referral.return"
REROUTE_FORM = "referral.reroute"
TOLD_FORM = "referral.told"
REMIND = "referral.remind"
TELL_MANAGERS = "referral.tell_managers"
NOTE_MAX = 1000
REASON_MAX = 500

REASONS = {
    "boundary": "The boundary cannot be restored",
    "objectivity": "My objectivity is compromised",
    "safety": "Safety",
    "wellbeing": "My own wellbeing",
    "other": "Another reason",
}
URGENCIES = {"routine": "Routine", "urgent": "Urgent"}
TOLD_HOW = {"in_person": "In person", "phone": "By phone", "video": "By video call", "letter": "By letter or message"}
CHECKLIST = {
    "client_told": "Client told",
    "summary_handed": "Care summary handed over (outside the bot)",
    "appointment_booked": "First appointment with the new clinician booked",
}
STATUS_LABELS = {
    "awaiting_approval": "Waiting for a manager's approval",
    "returned": "Returned by a manager",
    "offered": "Waiting for an answer",
    "declined": "Declined: choose someone else",
    "accepted": "Accepted: checklist open",
    "closed": "Closed",
}
OPEN = ("awaiting_approval", "offered", "declined", "accepted")

# Said once to the referrer, in the first message about each referral.
SOUND_PRACTICE = (
    "Passing a client on when the working relationship can no longer stay professional is a "
    "sound clinical judgement that protects their care and you. It is not a failure."
)
NOT_FOUND = Notice("I can't find that referral among yours. Type status to see your referrals.")
NOTE_HELP = (
    "Only what the new clinician needs to pick up care safely. Encrypted, shown only in a "
    "private view, never posted in chat. Leave out names, phone numbers, addresses, dates of "
    "birth and record numbers."
)


def reference(referral: Referral) -> str:
    return f"F-{referral.id}"


class _At:
    """A clock stopped at one moment, for timer handlers calling clock-taking workflows."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


# --- who ------------------------------------------------------------------------------------


async def policy_for(tx: Tx, person_id: int) -> ReferralPolicy:
    """The referrer's team's policy (the team their escalations go to)."""
    team = await tx.people.home_team(person_id)
    return ReferralPolicy.from_json(team.referral_policy if team else None)


async def _approvers(tx: Tx, referrer: Person) -> list[Person]:
    team = await tx.people.home_team(referrer.id)
    if team is None:
        return []
    return list((await tx.session.scalars(
        select(Person).join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id == team.id, TeamMember.role == "manager", Person.active.is_(True),
               Person.id != referrer.id)
        .order_by(Person.display_name)
    )).all())


async def _pool(tx: Tx, team_id: int, referrer_id: int) -> list[Person]:
    """A team's intake pool: its active members, never the referrer."""
    return list((await tx.session.scalars(
        select(Person).join(TeamMember, TeamMember.person_id == Person.id)
        .where(TeamMember.team_id == team_id, TeamMember.role == "member", Person.active.is_(True),
               Person.id != referrer_id)
        .order_by(Person.display_name)
    )).all())


async def _receivers(tx: Tx, referral: Referral) -> list[Person]:
    if referral.receiver_id is not None:
        person = await tx.people.get(referral.receiver_id)
        return [person] if person is not None and person.active else []
    if referral.receiving_team_id is None:
        return []
    return await _pool(tx, referral.receiving_team_id, referral.referrer_id)


async def _to_label(tx: Tx, referral: Referral) -> str:
    if referral.receiver_id is not None:
        person = await tx.people.get(referral.receiver_id)
        return person.display_name if person else "a colleague"
    team = await tx.session.get(Team, referral.receiving_team_id) if referral.receiving_team_id else None
    return f"the {team.name} intake pool" if team else "a team's intake pool"


async def _name(tx: Tx, person_id: int | None) -> str:
    person = await tx.people.get(person_id) if person_id else None
    return person.display_name if person else "someone"


async def _offers(tx: Tx, referral: Referral, *, role: str = "receiver", current_round: bool = True) -> list[ReferralOffer]:
    query = select(ReferralOffer).where(ReferralOffer.referral_id == referral.id, ReferralOffer.role == role)
    if current_round:
        query = query.where(ReferralOffer.round == referral.round)
    return list((await tx.session.scalars(query.order_by(ReferralOffer.id))).all())


async def _find(turn: Turn, value: str) -> tuple[Referral, list[ReferralOffer]] | None:
    """The referral and this person's offers about it — if they are party to it.

    The referrer, whoever accepted it, and anyone asked to take or approve it are parties;
    to everyone else a referral that exists and one that doesn't look the same.
    """
    try:
        referral = await turn.tx.session.get(Referral, int(str(value).split(":")[0]))
    except (TypeError, ValueError):
        return None
    if referral is None:
        return None
    mine = list((await turn.tx.session.scalars(
        select(ReferralOffer).where(ReferralOffer.referral_id == referral.id,
                                    ReferralOffer.person_id == turn.person.id)
    )).all())
    if referral.referrer_id != turn.person.id and referral.accepted_by != turn.person.id and not mine:
        return None
    return referral, mine


def _open_offer(referral: Referral, mine: list[ReferralOffer], role: str) -> ReferralOffer | None:
    return next((o for o in mine if o.role == role and o.round == referral.round and o.status == "offered"), None)


# --- the form -------------------------------------------------------------------------------


async def _receiver_options(turn: Turn) -> tuple[Option, ...]:
    people = [p for p in await turn.tx.people.active() if p.id != turn.person.id and p.profession]
    teams = (await turn.tx.session.scalars(select(Team).order_by(Team.name))).all()
    options = [Option(f"person:{p.id}", p.display_name) for p in people]
    for team in teams:
        if await _pool(turn.tx, team.id, turn.person.id):
            options.append(Option(f"team:{team.id}", f"{team.name} intake pool (first to accept takes it)"))
    return tuple(options)


def _receiver_field(options: tuple[Option, ...]) -> Field:
    return Field("receiver", "Who should take over?", FieldKind.SINGLE_CHOICE, required=True, options=options,
                 help="A named colleague, or a team's intake pool: everyone in the pool is asked and "
                      "the first to accept takes it.")


async def _form(turn: Turn, values: dict | None = None) -> Form:
    policy = await policy_for(turn.tx, turn.person.id)
    reports = (await turn.tx.reports.by_author(turn.person.id))[:10]
    fields: list[Field] = []
    if reports:
        fields.append(Field(
            "report", "Which of your reports does this follow? (optional)", FieldKind.SINGLE_CHOICE,
            options=tuple(Option(str(r.id), f"R-{r.id} · {Category(r.category).short}, {turn.local_time(r.created_at)}")
                          for r in reports),
            help="Only you see the report; the receiver is not shown it."))
    fields += [
        Field("reason", "Why are you referring this client on?", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(k, v) for k, v in REASONS.items())),
        Field("urgency", "How soon?", FieldKind.SINGLE_CHOICE, required=True,
              options=tuple(Option(k, v) for k, v in URGENCIES.items()),
              help=f"Routine: an answer is expected within {policy.answer_within.describe()}; urgent: "
                   f"within {policy.urgent_within.describe()}."),
        _receiver_field(await _receiver_options(turn)),
        Field("note", "Handoff note", FieldKind.LONG_TEXT, required=True, max_length=NOTE_MAX, help=NOTE_HELP),
    ]
    intro = ("Hand this client over to a colleague or a team. Nothing is posted to a channel: only "
             "the people asked to take it over see that it exists.")
    if policy.approval_required:
        intro += " Your team asks for a manager's approval first: your managers see it before anyone else is asked."
    else:
        fields.append(Field("approval", "Ask my manager to approve it first? (optional)", FieldKind.YES_NO,
                            help="Your team does not require it; say yes if you would like them to look first."))
    return Form(form_id=FORM_ID, title="Refer a client to a colleague", intro=intro, fields=tuple(fields),
                submit_label="Send the referral", values=values or {})


async def start(turn: Turn, args: str = "") -> list[View]:
    """``refer`` (or the button after a report, with the report's id): the form."""
    wanted = args.strip().upper().removeprefix("R-").strip()
    report = await turn.tx.reports.get(int(wanted)) if wanted.isdigit() else None
    linked = report is not None and report.author_id == turn.person.id and report.status == "open"
    return [await _form(turn, {"report": str(report.id)} if linked else None)]


def _parse_receiver(value: str) -> tuple[str, int]:
    kind, _, number = value.partition(":")
    return kind, int(number)


async def submit(turn: Turn, raw: dict, state: str = "") -> list[View]:
    form = await _form(turn)
    values, errors = clean(form, raw)
    if kinds := find_identifier_kinds(values.get("note")):
        errors["note"] = (f"This seems to contain {describe(kinds)}. Please take it out: the new "
                          "clinician gets what they need from the care summary, not from the bot.")
    policy = await policy_for(turn.tx, turn.person.id)
    wants_approval = policy.approval_required or bool(values.get("approval"))
    approvers = await _approvers(turn.tx, turn.person) if wants_approval else []
    if wants_approval and not approvers:
        errors["receiver" if policy.approval_required else "approval"] = (
            "Approval needs a manager of your team, and I can't find one. Please ask your Boundary Bot admin.")
    if errors:
        return [form.with_errors(raw, errors)]

    kind, number = _parse_receiver(values["receiver"])
    now = turn.clock.now()
    report_id = int(values["report"]) if values.get("report") else None
    referral = Referral(
        referrer_id=turn.person.id, report_id=report_id, reason=values["reason"], urgency=values["urgency"],
        receiver_id=number if kind == "person" else None, receiving_team_id=number if kind == "team" else None,
        note_sealed=turn.sealer.seal(values["note"]), approval_required=wants_approval,
        status="awaiting_approval" if wants_approval else "offered", round=0, generation=1,
        created_at=now, updated_at=now,
    )
    turn.tx.session.add(referral)
    await turn.tx.session.flush()
    await turn.tx.audit.record(now, turn.person.id, "referral.created", "referral", referral.id)
    to = await _to_label(turn.tx, referral)
    if wants_approval:
        await _ask_approvers(turn.tx, referral, approvers, now)
        names = " and ".join(p.display_name for p in approvers)
        next_step = f"It has gone to {names} for approval first; once approved, {to} will be asked."
    else:
        asked = await _ask_receivers(turn.tx, referral, now)
        next_step = f"{_asked_line(asked, to)} I'll tell you when someone answers."
    return [Card(
        title=f"Referral {reference(referral)} started",
        paragraphs=(SOUND_PRACTICE, next_step,
                    "Until someone takes over, the client is still in your care: tell them what is "
                    "happening and who they will see next."),
        facts=await _facts(turn.tx, referral, turn.person),
        buttons=(Button("My referrals", "status.show"),),
    )]


def _asked_line(asked: list[Person], to: str) -> str:
    if len(asked) == 1:
        return f"{asked[0].display_name} has been asked to take over."
    return f"The {len(asked)} people in {to} have been asked; the first to accept takes it."


# --- asking people --------------------------------------------------------------------------


async def _facts(tx: Tx, referral: Referral, viewer: Person) -> tuple[tuple[str, str], ...]:
    facts = [
        ("Referral", reference(referral)),
        ("From", await _name(tx, referral.referrer_id)),
        ("To", await _to_label(tx, referral)),
        ("Reason", REASONS[referral.reason]),
        ("Urgency", URGENCIES[referral.urgency]),
        ("Status", STATUS_LABELS.get(referral.status, referral.status)),
    ]
    if referral.accepted_by:
        facts.append(("Accepted by", await _name(tx, referral.accepted_by)))
    return tuple(facts)


def _note_button(referral: Referral, label: str = "Read the handoff note") -> Button:
    return Button(label, "referral.note", str(referral.id), dialog=True)


async def _ask_approvers(tx: Tx, referral: Referral, approvers: list[Person], now: datetime) -> None:
    for person in approvers:
        key = f"ref:{referral.id}:approve:{person.id}"
        card = await _approval_card(tx, referral, person)
        if await notify(tx, key, person.id, card, now, tell_on_failure=referral.referrer_id):
            tx.session.add(ReferralOffer(referral_id=referral.id, person_id=person.id, role="approver",
                                         round=referral.round, notification_key=key, status="offered"))


async def _approval_card(tx: Tx, referral: Referral, viewer: Person) -> Card:
    value = str(referral.id)
    if referral.status == "awaiting_approval":
        return Card(
            title=f"Referral {reference(referral)} needs your approval",
            paragraphs=("A clinician in your team wants to hand a client over. Approve it to send it on, or "
                        "return it with a reason. The note opens in a private view.",),
            facts=await _facts(tx, referral, viewer),
            buttons=(Button("Approve", "referral.approve", value, ButtonStyle.PRIMARY),
                     Button("Return…", "referral.return", value), _note_button(referral)),
        )
    if referral.returned_by:
        outcome = f"Returned by {await _name(tx, referral.returned_by)}"
    else:
        outcome = f"Approved by {await _name(tx, referral.approved_by)}"
    return Card(title=f"Referral {reference(referral)}: {outcome}", facts=await _facts(tx, referral, viewer))


async def _ask_receivers(tx: Tx, referral: Referral, now: datetime) -> list[Person]:
    """Ask the receiver, or everyone in the pool; start the clock for an answer."""
    policy = await policy_for(tx, referral.referrer_id)
    org = await tx.org.get()
    receivers = await _receivers(tx, referral)
    referral.status, referral.offered_at, referral.reminded_at = "offered", now, None
    for person in receivers:
        key = f"ref:{referral.id}:offer:{person.id}:{referral.round}"
        card = await _offer_card(tx, referral, person, "offered", policy)
        if await notify(tx, key, person.id, card, now, tell_on_failure=referral.referrer_id):
            tx.session.add(ReferralOffer(referral_id=referral.id, person_id=person.id, role="receiver",
                                         round=referral.round, notification_key=key, status="offered"))
    due = policy.window(referral.urgency == "urgent").after(now, org.timezone if org else "UTC")
    await _schedule(tx, referral, REMIND, due, now)
    return receivers


async def _offer_card(tx: Tx, referral: Referral, viewer: Person, offer_status: str,
                      policy: ReferralPolicy | None = None) -> Card:
    value = str(referral.id)
    facts = await _facts(tx, referral, viewer)
    if offer_status == "offered":
        policy = policy or await policy_for(tx, referral.referrer_id)
        window = policy.window(referral.urgency == "urgent").describe()
        pool = referral.receiving_team_id is not None
        return Card(
            title=f"Referral {reference(referral)}: would you take over a client?",
            paragraphs=(
                ("You are in the intake pool: everyone in it has been asked, and the first to accept takes it. "
                 if pool else "") + f"Please answer within {window}.",
                "The handoff note opens in a private view; it is never posted in chat.",
            ),
            facts=facts,
            buttons=(Button("Accept", "referral.accept", value, ButtonStyle.PRIMARY),
                     Button("Decline…", "referral.decline", value), _note_button(referral)),
        )
    titles = {
        "accepted": f"Referral {reference(referral)}: you accepted it",
        "taken": f"Referral {reference(referral)}: taken by a colleague",
        "declined": f"Referral {reference(referral)}: you declined it",
        "withdrawn": f"Referral {reference(referral)}: no longer waiting for you",
    }
    buttons = (_note_button(referral),) if offer_status == "accepted" else ()
    shown = facts if offer_status in ("accepted", "declined") else ()
    return Card(title=titles[offer_status], facts=shown, buttons=buttons)


async def _update_card(tx: Tx, offer: ReferralOffer, card: Card, now: datetime) -> None:
    """Replace the card this offer's person was sent, in place; each update follows the
    previous one so they land in order."""
    referral = await tx.session.get(Referral, offer.referral_id)
    key = f"{offer.notification_key.split(':u')[0]}:u{referral.generation}"
    if await notify(tx, key, offer.person_id, card, now, updates=offer.notification_key):
        offer.notification_key = key


async def _schedule(tx: Tx, referral: Referral, kind: str, due: datetime, now: datetime) -> None:
    await tx.timers.schedule(
        f"ref:{referral.id}:{kind}:{referral.generation}", kind, "referral", referral.id, due, now,
        payload={"referral_id": referral.id, "generation": referral.generation},
    )


async def _tell_referrer(tx: Tx, referral: Referral, view: Card | Notice, now: datetime, what: str) -> None:
    await notify(tx, f"ref:{referral.id}:referrer:{what}:{referral.generation}", referral.referrer_id, view, now)


# --- approval ---------------------------------------------------------------------------------


async def approve(turn: Turn, value: str) -> list[View]:
    answer = await _pending(turn, value, "approver", "awaiting_approval")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    now = turn.clock.now()
    referral.approved_by, referral.approved_at, referral.updated_at = turn.person.id, now, now
    referral.generation += 1
    asked = await _ask_receivers(turn.tx, referral, now)
    await _settle_approvers(turn.tx, referral, "approved", turn.person, now)
    to = await _to_label(turn.tx, referral)
    await _tell_referrer(turn.tx, referral, Notice(
        f"{turn.person.display_name} approved referral {reference(referral)}. {_asked_line(asked, to)} "
        "I'll tell you when someone answers."), now, "approved")
    await turn.tx.audit.record(now, turn.person.id, "referral.approved", "referral", referral.id)
    return [Notice(f"You approved {reference(referral)}; it has gone to {to}. The referrer has been told.")]


async def _settle_approvers(tx: Tx, referral: Referral, outcome: str, by: Person, now: datetime) -> None:
    for offer in await _offers(tx, referral, role="approver", current_round=False):
        if offer.status != "offered":
            continue
        offer.status = outcome
        if offer.person_id == by.id:
            offer.responded_at = now
        viewer = await tx.people.get(offer.person_id)
        await _update_card(tx, offer, await _approval_card(tx, referral, viewer), now)


async def _pending(turn: Turn, value: str, role: str, status: str) -> tuple[Referral, ReferralOffer] | list[View]:
    """The referral and this person's open offer in ``role``, if the referral is still
    ``status``; otherwise the answer to give (not found, or where it stands now)."""
    found = await _find(turn, value)
    if found is None:
        return [NOT_FOUND]
    referral, mine = found
    offer = _open_offer(referral, mine, role)
    if offer is None or referral.status != status:
        return [Notice(await _where_it_stands(turn.tx, referral))]
    return referral, offer


def _reason_form(form_id: str, referral_id: int, title: str, label: str, intro: str, submit: str) -> Form:
    return Form(
        form_id=form_id, title=title, intro=intro, submit_label=submit, state=str(referral_id),
        fields=(Field("reason", label, FieldKind.LONG_TEXT, required=True, max_length=REASON_MAX,
                      help="Encrypted and shown only in a private view. Leave out anything that identifies the client."),),
    )


def return_form(referral_id: int) -> Form:
    return _reason_form(RETURN_FORM, referral_id, f"Return referral F-{referral_id}", "Why are you returning it?",
                        "The referrer can read your reason in a private view and start again.", "Return it")


async def ask_return(turn: Turn, value: str) -> list[View]:
    answer = await _pending(turn, value, "approver", "awaiting_approval")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    return [return_form(referral.id)]


async def return_it(turn: Turn, values: dict, state: str) -> list[View]:
    answer = await _pending(turn, state, "approver", "awaiting_approval")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    form = return_form(referral.id)
    reason, errors = _clean_reason(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    now = turn.clock.now()
    referral.status = "returned"
    referral.returned_by, referral.returned_at, referral.updated_at = turn.person.id, now, now
    referral.return_reason_sealed = turn.sealer.seal(reason)
    referral.generation += 1
    await _settle_approvers(turn.tx, referral, "returned", turn.person, now)
    await _tell_referrer(turn.tx, referral, Card(
        title=f"Referral {reference(referral)} was returned by {turn.person.display_name}",
        paragraphs=("Nobody else was asked. Their reason opens in a private view. You can start a new "
                    "referral when you are ready.",),
        facts=await _facts(turn.tx, referral, turn.person),
        buttons=(_note_button(referral, "Read why"),
                 Button("Start again", "referral.start", str(referral.report_id or ""))),
    ), now, "returned")
    await turn.tx.audit.record(now, turn.person.id, "referral.returned", "referral", referral.id)
    return [Notice(f"You returned {reference(referral)}. The referrer has been told.")]


def _clean_reason(form: Form, values: dict) -> tuple[str | None, dict[str, str]]:
    cleaned, errors = clean(form, values)
    if kinds := find_identifier_kinds(cleaned.get("reason")):
        errors["reason"] = f"This seems to contain {describe(kinds)}. Please take it out."
    return cleaned.get("reason"), errors


# --- accepting and declining ----------------------------------------------------------------


async def accept(turn: Turn, value: str) -> list[View]:
    found = await _find(turn, value)
    if found is None:
        return [NOT_FOUND]
    referral, mine = found
    offer = _open_offer(referral, mine, "receiver")
    if offer is None or referral.status != "offered":
        return [Notice(await _where_it_stands(turn.tx, referral))]
    now = turn.clock.now()
    # The first accept wins, exactly once: a conditional update that only one transaction
    # can make (on PostgreSQL a concurrent one waits for this row, then matches nothing).
    won = await turn.tx.session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == "offered", Referral.round == referral.round)
        .values(status="accepted", accepted_by=turn.person.id, accepted_at=now, updated_at=now,
                generation=Referral.generation + 1)
        .execution_options(synchronize_session=False)
    )
    await turn.tx.session.refresh(referral)
    if won.rowcount != 1:
        return [Notice(await _where_it_stands(turn.tx, referral))]
    await turn.tx.timers.cancel_for("referral", referral.id)
    for other in await _offers(turn.tx, referral):
        if other.id == offer.id:
            other.status, other.responded_at = "accepted", now
        elif other.status == "offered":
            other.status = "taken"
        else:
            continue
        viewer = await turn.tx.people.get(other.person_id)
        await _update_card(turn.tx, other, await _offer_card(turn.tx, referral, viewer, other.status), now)
    referrer = await turn.tx.people.get(referral.referrer_id)
    await _tell_referrer(turn.tx, referral, await checklist_card(
        turn.tx, referral, referrer, f"{turn.person.display_name} accepted referral {reference(referral)}"),
        now, "accepted")
    await escalation.settle_about(turn.tx, "referral", referral.id, now, f"{turn.person.display_name} accepted")
    await turn.tx.audit.record(now, turn.person.id, "referral.accepted", "referral", referral.id)
    return [await checklist_card(turn.tx, referral, turn.person, f"You accepted referral {reference(referral)}")]


def decline_form(referral_id: int) -> Form:
    return _reason_form(DECLINE_FORM, referral_id, f"Decline referral F-{referral_id}", "Why can't you take it?",
                        "A short reason helps the referrer find someone else. They read it in a private view.",
                        "Decline")


async def ask_decline(turn: Turn, value: str) -> list[View]:
    answer = await _pending(turn, value, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    return [decline_form(referral.id)]


async def decline(turn: Turn, values: dict, state: str) -> list[View]:
    answer = await _pending(turn, state, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    referral, offer = answer
    form = decline_form(referral.id)
    reason, errors = _clean_reason(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    now = turn.clock.now()
    offer.status, offer.responded_at = "declined", now
    offer.decline_reason_sealed = turn.sealer.seal(reason)
    referral.updated_at = now
    # Not a new generation yet: while others in the pool are still asked, the clock for an
    # answer keeps running.
    await _update_card(turn.tx, offer, await _offer_card(turn.tx, referral, turn.person, "declined"), now)
    await turn.tx.audit.record(now, turn.person.id, "referral.declined", "referral", referral.id)
    if any(o.status == "offered" for o in await _offers(turn.tx, referral)):
        return [Notice(f"You declined {reference(referral)}. Others in the pool can still take it.")]
    referral.status, referral.declined_at = "declined", now
    referral.generation += 1
    await turn.tx.timers.cancel_for("referral", referral.id)
    referrer = await turn.tx.people.get(referral.referrer_id)
    await _tell_referrer(turn.tx, referral, await _declined_card(turn.tx, referral, referrer), now, "declined")
    return [Notice(f"You declined {reference(referral)}. The referrer has been told and can choose someone else.")]


async def _declined_card(tx: Tx, referral: Referral, referrer: Person) -> Card:
    decliners = [await _name(tx, o.person_id) for o in await _offers(tx, referral) if o.status == "declined"]
    return Card(
        title=f"Referral {reference(referral)} was declined",
        paragraphs=("Their reason opens in a private view. You can choose someone else: the reason, urgency "
                    "and note stay as they are.",),
        facts=(*await _facts(tx, referral, referrer), ("Declined by", ", ".join(decliners) or "—")),
        buttons=(_note_button(referral, "Read the reason"),
                 Button("Choose someone else", "referral.reroute", str(referral.id), ButtonStyle.PRIMARY)),
    )


async def _reroute_form(turn: Turn, referral_id: int) -> Form:
    return Form(form_id=REROUTE_FORM, title=f"Choose someone else for referral F-{referral_id}",
                intro="They get the same referral and note; the people who declined are not asked again.",
                fields=(_receiver_field(await _receiver_options(turn)),), submit_label="Send it",
                state=str(referral_id))


async def ask_reroute(turn: Turn, value: str) -> list[View]:
    found = await _find(turn, value)
    if found is None or found[0].referrer_id != turn.person.id:
        return [NOT_FOUND]
    referral, _ = found
    if referral.status != "declined":
        return [Notice(await _where_it_stands(turn.tx, referral))]
    return [await _reroute_form(turn, referral.id)]


async def reroute(turn: Turn, values: dict, state: str) -> list[View]:
    found = await _find(turn, state)
    if found is None or found[0].referrer_id != turn.person.id:
        return [NOT_FOUND]
    referral, _ = found
    if referral.status != "declined":
        return [Notice(await _where_it_stands(turn.tx, referral))]
    form = await _reroute_form(turn, referral.id)
    cleaned, errors = clean(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    kind, number = _parse_receiver(cleaned["receiver"])
    now = turn.clock.now()
    referral.receiver_id = number if kind == "person" else None
    referral.receiving_team_id = number if kind == "team" else None
    referral.round += 1
    referral.updated_at = now
    referral.generation += 1
    asked = await _ask_receivers(turn.tx, referral, now)
    await turn.tx.audit.record(now, turn.person.id, "referral.rerouted", "referral", referral.id)
    return [Notice(f"Referral {reference(referral)}: {_asked_line(asked, await _to_label(turn.tx, referral))} "
                   "I'll tell you when someone answers.")]


# --- the note and reasons, in a dialog ------------------------------------------------------


async def view_note(turn: Turn, value: str) -> list[View]:
    """The note (and, for the referrer, why it was declined or returned): only in a dialog,
    only for a party still involved, every read of someone else's words audited."""
    found = await _find(turn, value)
    if found is None:
        return [NOT_FOUND]
    referral, mine = found
    is_referrer = referral.referrer_id == turn.person.id
    involved = (
        is_referrer or referral.accepted_by == turn.person.id
        or any(o.role == "approver" for o in mine)
        or _open_offer(referral, mine, "receiver") is not None
    )
    if not involved:
        return [Notice(await _where_it_stands(turn.tx, referral))]
    now = turn.clock.now()
    paragraphs = ["Shown only here, never posted in chat."
                  + ("" if is_referrer else " Your viewing has been recorded."),
                  f"Handoff note: {turn.sealer.open(referral.note_sealed)}"]
    if not is_referrer:
        await turn.tx.audit.record(now, turn.person.id, "referral.note_viewed", "referral", referral.id)
    else:
        reasons = []
        for offer in await _offers(turn.tx, referral, current_round=False):
            if offer.decline_reason_sealed:
                reasons.append(f"{await _name(turn.tx, offer.person_id)} declined: "
                               f"{turn.sealer.open(offer.decline_reason_sealed)}")
        if referral.return_reason_sealed:
            reasons.append(f"{await _name(turn.tx, referral.returned_by)} returned it: "
                           f"{turn.sealer.open(referral.return_reason_sealed)}")
        if reasons:
            paragraphs += reasons
            await turn.tx.audit.record(now, turn.person.id, "referral.reason_viewed", "referral", referral.id)
    return [Dialog(title=f"Referral {reference(referral)}", paragraphs=tuple(paragraphs),
                   facts=await _facts(turn.tx, referral, turn.person))]


# --- the checklist --------------------------------------------------------------------------


def _step_done(referral: Referral, step: str) -> tuple[datetime | None, int | None]:
    return getattr(referral, f"{step}_at"), getattr(referral, f"{step}_by")


async def checklist_card(tx: Tx, referral: Referral, viewer: Person, title: str | None = None) -> Card:
    org = await tx.org.get()
    zone = ZoneInfo(viewer.timezone or (org.timezone if org else None) or "UTC")

    def when(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%-d %b %Y, %H:%M")

    facts = list(await _facts(tx, referral, viewer))
    buttons: list[Button] = []
    value = str(referral.id)
    for step, label in CHECKLIST.items():
        at, by = _step_done(referral, step)
        if at:
            how = f" ({TOLD_HOW[referral.client_told_how].lower()})" if step == "client_told" and referral.client_told_how else ""
            facts.append((label, f"Done {when(at)} by {await _name(tx, by)}{how}"))
        else:
            facts.append((label, "Not yet"))
            if referral.status == "accepted":
                buttons.append(Button(f"{label}…" if step == "client_told" else f"Tick: {label}",
                                      "referral.told" if step == "client_told" else "referral.tick",
                                      value if step == "client_told" else f"{value}:{step}"))
    if referral.closed_at:
        facts.append(("Referral closed", f"{when(referral.closed_at)} by {await _name(tx, referral.closed_by)}"))
    elif referral.status == "accepted":
        buttons.append(Button("Close the referral", "referral.tick", f"{value}:closed", ButtonStyle.PRIMARY))
    buttons.append(_note_button(referral))
    paragraphs = ("Either of you can tick these. Each step is dated; close the referral when the client "
                  "is settled with their new clinician.",) if referral.status == "accepted" else ()
    return Card(title=title or f"Referral {reference(referral)} checklist", paragraphs=paragraphs,
                facts=tuple(facts), buttons=tuple(buttons))


async def _for_checklist(turn: Turn, value: str) -> Referral | None:
    found = await _find(turn, value)
    if found is None:
        return None
    referral, _ = found
    if turn.person.id not in (referral.referrer_id, referral.accepted_by):
        return None
    return referral


def told_form(referral_id: int) -> Form:
    return Form(form_id=TOLD_FORM, title=f"Referral F-{referral_id}: the client has been told",
                intro="How did the client hear about the handover?", submit_label="Tick it",
                fields=(Field("how", "How was the client told?", FieldKind.SINGLE_CHOICE, required=True,
                              options=tuple(Option(k, v) for k, v in TOLD_HOW.items())),),
                state=str(referral_id))


async def ask_told(turn: Turn, value: str) -> list[View]:
    referral = await _for_checklist(turn, value)
    if referral is None:
        return [NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await _where_it_stands(turn.tx, referral))]
    return [told_form(referral.id)]


async def told(turn: Turn, values: dict, state: str) -> list[View]:
    referral = await _for_checklist(turn, state)
    if referral is None:
        return [NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await _where_it_stands(turn.tx, referral))]
    form = told_form(referral.id)
    cleaned, errors = clean(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    if referral.client_told_at is None:
        referral.client_told_how = cleaned["how"]
    return await _tick(turn, referral, "client_told")


async def tick(turn: Turn, value: str) -> list[View]:
    """``id:step`` for a checklist step without details, or ``id:closed``."""
    referral = await _for_checklist(turn, value)
    step = str(value).partition(":")[2]
    if referral is None or step not in (*CHECKLIST, "closed") or step == "client_told":
        return [NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await _where_it_stands(turn.tx, referral))]
    return await _tick(turn, referral, step)


async def _tick(turn: Turn, referral: Referral, step: str) -> list[View]:
    done_at, done_by = _step_done(referral, step)
    if done_at is not None:  # a second press, or both parties at once: the first date stands
        return [Notice(f"That step of {reference(referral)} was already ticked by {await _name(turn.tx, done_by)}.")]
    now = turn.clock.now()
    setattr(referral, f"{step}_at", now)
    setattr(referral, f"{step}_by", turn.person.id)
    if step == "closed":
        referral.status = "closed"
    referral.updated_at = now
    referral.generation += 1
    other_id = referral.accepted_by if turn.person.id == referral.referrer_id else referral.referrer_id
    other = await turn.tx.people.get(other_id)
    label = "closed it" if step == "closed" else f"ticked “{CHECKLIST[step]}”"
    await notify(turn.tx, f"ref:{referral.id}:tick:{step}:{referral.generation}", other_id,
                 await checklist_card(turn.tx, referral, other,
                                      f"{turn.person.display_name} {label} on referral {reference(referral)}"), now)
    await turn.tx.audit.record(now, turn.person.id, f"referral.{'closed' if step == 'closed' else 'ticked'}",
                               "referral", referral.id)
    title = f"Referral {reference(referral)} is closed" if step == "closed" else None
    return [await checklist_card(turn.tx, referral, turn.person, title)]


# --- where things stand ---------------------------------------------------------------------


async def _where_it_stands(tx: Tx, referral: Referral) -> str:
    ref = reference(referral)
    match referral.status:
        case "accepted":
            return f"{ref} was already accepted by {await _name(tx, referral.accepted_by)}."
        case "closed":
            return f"{ref} is closed."
        case "returned":
            return f"{ref} was returned by {await _name(tx, referral.returned_by)}."
        case "awaiting_approval":
            return f"{ref} is waiting for a manager's approval."
        case "declined":
            return f"{ref} was declined; the referrer is choosing someone else."
        case _:
            return f"{ref} is no longer waiting for you."


async def status_views(turn: Turn) -> list[View]:
    """For ``status``: open referrals this person is party to, each as their card."""
    me = turn.person.id
    asked = select(ReferralOffer.referral_id).where(ReferralOffer.person_id == me, ReferralOffer.status == "offered")
    referrals = (await turn.tx.session.scalars(
        select(Referral).where(
            Referral.status.in_(OPEN),
            (Referral.referrer_id == me) | (Referral.accepted_by == me) | Referral.id.in_(asked),
        ).order_by(Referral.id.desc()).limit(10)
    )).all()
    views: list[View] = []
    for referral in referrals:
        mine = list((await turn.tx.session.scalars(
            select(ReferralOffer).where(ReferralOffer.referral_id == referral.id, ReferralOffer.person_id == me)
        )).all())
        if referral.status == "accepted" and me in (referral.referrer_id, referral.accepted_by):
            views.append(await checklist_card(turn.tx, referral, turn.person))
        elif _open_offer(referral, mine, "approver") and referral.status == "awaiting_approval":
            views.append(await _approval_card(turn.tx, referral, turn.person))
        elif _open_offer(referral, mine, "receiver") and referral.status == "offered":
            views.append(await _offer_card(turn.tx, referral, turn.person, "offered"))
        elif referral.referrer_id == me and referral.status == "declined":
            views.append(await _declined_card(turn.tx, referral, turn.person))
        elif referral.referrer_id == me:
            views.append(Card(title=f"Referral {reference(referral)} · {STATUS_LABELS[referral.status].lower()}",
                              facts=await _facts(turn.tx, referral, turn.person), buttons=(_note_button(referral),)))
    if views:
        count = len(views)
        views.insert(0, Notice(f"Referrals: {count} open referral{'s' if count != 1 else ''} you are part of."))
    return views


# --- timers ---------------------------------------------------------------------------------


async def _live(tx: Tx, timer: Timer) -> Referral | None:
    referral = await tx.session.get(Referral, timer.payload["referral_id"], with_for_update=True)
    if referral is None or referral.status != "offered":
        return None
    if referral.generation != timer.payload["generation"]:
        return None  # something changed since this timer was set: it is stale
    return referral


async def remind(tx: Tx, timer: Timer, now: datetime) -> None:
    """No answer within the window: remind whoever was asked, and tell the referrer."""
    referral = await _live(tx, timer)
    if referral is None:
        return
    referral.reminded_at = now
    referral.generation += 1
    waiting = [o for o in await _offers(tx, referral) if o.status == "offered"]
    for offer in waiting:
        person = await tx.people.get(offer.person_id)
        card = await _offer_card(tx, referral, person, "offered")
        await notify(tx, f"ref:{referral.id}:remind:{offer.person_id}:{referral.round}", offer.person_id,
                     Card(title=f"Reminder: {card.title}", paragraphs=card.paragraphs, facts=card.facts,
                          buttons=card.buttons), now)
    policy = await policy_for(tx, referral.referrer_id)
    after = policy.escalate_after(referral.urgency == "urgent")
    await _tell_referrer(tx, referral, Notice(
        f"Nobody has answered referral {reference(referral)} yet, so I've reminded "
        f"{await _to_label(tx, referral)}. If there is still no answer in {describe_duration(after)}, "
        "your managers will be told."), now, "reminded")
    await _schedule(tx, referral, TELL_MANAGERS, now + after, now)


async def tell_managers(tx: Tx, timer: Timer, now: datetime) -> None:
    """Still no answer after the reminder: the referrer's managers are told (metadata only)."""
    referral = await _live(tx, timer)
    if referral is None:
        return
    referral.generation += 1
    waited = describe_duration(now - (referral.offered_at or referral.created_at))
    summary = (f"Referral {reference(referral)} ({referral.urgency}) to {await _to_label(tx, referral)} "
               f"has had no answer for {waited}")
    referrer = await tx.people.get(referral.referrer_id)
    found, told = await escalation.start_about(tx, _At(now), referrer, "referral", "referral", referral.id, summary)
    if found is None:
        text = (f"Nobody has answered referral {reference(referral)}, and I couldn't find a manager to tell. "
                "Please contact the receiver or your manager directly.")
    else:
        referral.escalation_id = found.id
        names = " and ".join(p.display_name for p in told) or "your managers"
        text = (f"Nobody has answered referral {reference(referral)}, so {names} "
                f"{'has' if len(told) == 1 else 'have'} been told ({escalation.reference(found)}). "
                "The people asked can still accept it.")
    await _tell_referrer(tx, referral, Notice(text), now, "managers")


TIMER_HANDLERS = {REMIND: remind, TELL_MANAGERS: tell_managers}
