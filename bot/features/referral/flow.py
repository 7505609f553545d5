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

from sqlalchemy import update

from bot.content.identifiers import find_identifier_kinds
from bot.features import escalation
from bot.features.referral import closure, more_wording, wording
from bot.features.referral.access import (
    approvers,
    find,
    for_referrer,
    may_read_note,
    open_offer,
    pending,
)
from bot.features.referral.steps import (
    APPROVAL_REMIND,
    REMIND,
    TELL_MANAGERS,
    approve_by,
    ask_approvers,
    ask_receivers,
    clean_reason,
    schedule,
    tell_referrer,
    update_card,
)
from bot.features.referral.storage import Referral, offers, offers_to, open_for, policy_for
from bot.pickers import with_choices
from bot.port.forms import clean
from bot.port.views import Dialog, Form, Notice, View
from bot.turn import Turn

__all__ = ["REMIND", "TELL_MANAGERS"]  # the timer kinds, for tests and timers


# --- the form -------------------------------------------------------------------------------


async def _form(turn: Turn, values: dict | None = None) -> Form:
    policy = await policy_for(turn.tx, turn.person.id)
    reports = (await turn.tx.reports.by_author(turn.person.id))[:10]
    return wording.referral_form(turn, policy, reports, values)


async def form_as_shown(turn: Turn) -> Form:
    return await _form(turn)


async def reroute_form_as_shown(turn: Turn, state: str) -> Form | None:
    return wording.reroute_form(int(state)) if state.isdigit() else None


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
    form = await with_choices(turn, await _form(turn), raw)
    values, errors = clean(form, raw)
    if kinds := find_identifier_kinds(values.get("note")):
        errors["note"] = wording.identifiers_in_note(kinds)
    policy = await policy_for(turn.tx, turn.person.id)
    wants_approval = policy.approval_required or bool(values.get("approval"))
    asked_to_approve = await approvers(turn.tx, turn.person) if wants_approval else []
    if wants_approval and not asked_to_approve:
        errors["receiver" if policy.approval_required else "approval"] = wording.NO_APPROVER
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
    to = await wording.to_label(turn.tx, referral)
    if wants_approval:
        asked_to_approve = await ask_approvers(turn.tx, referral, asked_to_approve, now)
        due = await approve_by(turn.tx, referral, now, policy)
        await schedule(turn.tx, referral, APPROVAL_REMIND, due, now)
        next_step = wording.gone_for_approval(asked_to_approve, to, due, wording.zone(turn.person, turn.org))
    else:
        asked = await ask_receivers(turn.tx, referral, now)
        next_step = wording.gone_to_receivers(asked, to)
    return [await wording.started_card(turn.tx, referral, turn.person, next_step)]


# --- accepting and declining ----------------------------------------------------------------


async def accept(turn: Turn, value: str) -> list[View]:
    found = await find(turn, value)
    if found is None:
        return [wording.NOT_FOUND]
    referral, mine = found
    offer = open_offer(referral, mine, "receiver")
    if offer is None or referral.status != "offered":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
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
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    await turn.tx.timers.cancel_for("referral", referral.id)
    for other in await offers(turn.tx, referral):
        if other.id == offer.id:
            other.status, other.responded_at = "accepted", now
        elif other.status == "offered":
            other.status = "taken"
        else:
            continue
        viewer = await turn.tx.people.get(other.person_id)
        await update_card(turn.tx, other, await wording.offer_card(turn.tx, referral, viewer, other.status), now)
    referrer = await turn.tx.people.get(referral.referrer_id)
    await tell_referrer(turn.tx, referral, await wording.checklist_card(
        turn.tx, referral, referrer, f"{turn.person.display_name} accepted your referral"),
        now, "accepted")
    await escalation.settle_about(turn.tx, "referral", referral.id, now, f"{turn.person.display_name} accepted")
    await turn.tx.audit.record(now, turn.person.id, "referral.accepted", "referral", referral.id)
    return [await wording.checklist_card(turn.tx, referral, turn.person, "You accepted the referral")]


async def ask_decline(turn: Turn, value: str) -> list[View]:
    answer = await pending(turn, value, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    return [wording.decline_form(referral.id)]


async def decline(turn: Turn, values: dict, state: str) -> list[View]:
    answer = await pending(turn, state, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    referral, offer = answer
    form = wording.decline_form(referral.id)
    reason, errors = clean_reason(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    now = turn.clock.now()
    offer.status, offer.responded_at = "declined", now
    offer.decline_reason_sealed = turn.sealer.seal(reason)
    referral.updated_at = now
    # Not a new generation yet: while others in the pool are still asked, the clock for an
    # answer keeps running.
    await update_card(turn.tx, offer, await wording.offer_card(turn.tx, referral, turn.person, "declined"), now)
    await turn.tx.audit.record(now, turn.person.id, "referral.declined", "referral", referral.id)
    if any(o.status == "offered" for o in await offers(turn.tx, referral)):
        return [Notice("You declined the referral. Others in the pool can still take it.")]
    referral.status, referral.declined_at = "declined", now
    referral.generation += 1
    await turn.tx.timers.cancel_for("referral", referral.id)
    referrer = await turn.tx.people.get(referral.referrer_id)
    card = await closure.with_question(turn.tx, await wording.declined_card(turn.tx, referral, referrer), referral,
                                       referrer, now)
    await tell_referrer(turn.tx, referral, card, now, "declined")
    return [Notice("You declined the referral. The referrer has been told and can choose someone else.")]


async def ask_reroute(turn: Turn, value: str) -> list[View]:
    referral = await for_referrer(turn, value)
    if referral is None:
        return [wording.NOT_FOUND]
    if referral.status != "declined":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    return [wording.reroute_form(referral.id)]


async def reroute(turn: Turn, values: dict, state: str) -> list[View]:
    referral = await for_referrer(turn, state)
    if referral is None:
        return [wording.NOT_FOUND]
    if referral.status != "declined":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    form = await with_choices(turn, wording.reroute_form(referral.id), values)
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
    asked = await ask_receivers(turn.tx, referral, now)
    await turn.tx.audit.record(now, turn.person.id, "referral.rerouted", "referral", referral.id)
    return [wording.rerouted(referral, asked, await wording.to_label(turn.tx, referral))]


# --- the note and reasons, in a dialog ------------------------------------------------------


async def view_note(turn: Turn, value: str) -> list[View]:
    """The note (and, for the referrer, why it was declined or returned): only in a dialog,
    only for a party still involved, every read of someone else's words audited."""
    found = await find(turn, value)
    if found is None:
        return [wording.NOT_FOUND]
    referral, mine = found
    is_referrer = referral.referrer_id == turn.person.id
    if not may_read_note(referral, mine, turn.person):
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    now = turn.clock.now()
    paragraphs = wording.note_paragraphs(turn.sealer.open(referral.note_sealed), is_referrer)
    if not is_referrer:
        await turn.tx.audit.record(now, turn.person.id, "referral.note_viewed", "referral", referral.id)
    else:
        reasons = []
        for offer in await offers(turn.tx, referral, current_round=False):
            if offer.decline_reason_sealed:
                reasons.append(f"{await wording.name(turn.tx, offer.person_id)} declined: "
                               f"{turn.sealer.open(offer.decline_reason_sealed)}")
        if referral.return_reason_sealed:
            reasons.append(f"{await wording.name(turn.tx, referral.returned_by)} returned it: "
                           f"{turn.sealer.open(referral.return_reason_sealed)}")
        if reasons:
            paragraphs += reasons
            await turn.tx.audit.record(now, turn.person.id, "referral.reason_viewed", "referral", referral.id)
    return [Dialog(title="About this referral", paragraphs=tuple(paragraphs),
                   facts=await wording.facts(turn.tx, referral, turn.person))]


# --- where things stand ---------------------------------------------------------------------


async def status_views(turn: Turn) -> list[View]:
    """For ``status``: open referrals this person is party to, each as their card."""
    me = turn.person.id
    views: list[View] = []
    for referral in await open_for(turn.tx, me):
        mine = await offers_to(turn.tx, referral.id, me)
        if referral.status == "accepted" and me in (referral.referrer_id, referral.accepted_by):
            views.append(await wording.checklist_card(turn.tx, referral, turn.person))
        elif open_offer(referral, mine, "approver") and referral.status == "awaiting_approval":
            views.append(await more_wording.approval_card(turn.tx, referral, turn.person))
        elif open_offer(referral, mine, "receiver") and referral.status == "offered":
            views.append(await wording.offer_card(turn.tx, referral, turn.person, "offered"))
        elif referral.referrer_id == me and referral.status == "declined":
            views.append(await closure.with_question(turn.tx, await wording.declined_card(turn.tx, referral, turn.person),
                                                     referral, turn.person, turn.clock.now()))
        elif referral.referrer_id == me:
            views.append(await wording.status_card(turn.tx, referral, turn.person))
    if views:
        count = len(views)
        views.insert(0, Notice(f"Referrals: {count} open referral{'s' if count != 1 else ''} you are part of."))
    return views
