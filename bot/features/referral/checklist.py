"""The checklist after acceptance: either side ticks each dated step, then closes the referral."""

from __future__ import annotations

from bot.features import escalation
from bot.features.referral import closure, wording
from bot.features.referral.access import for_checklist
from bot.features.referral.storage import Referral, step_done
from bot.machinery.outbox import notify
from bot.port.forms import clean
from bot.port.views import Notice, View
from bot.turn import Turn


async def ask_told(turn: Turn, value: str) -> list[View]:
    referral = await for_checklist(turn, value)
    if referral is None:
        return [wording.NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    return [wording.told_form(referral.id)]


async def told(turn: Turn, values: dict, state: str) -> list[View]:
    referral = await for_checklist(turn, state)
    if referral is None:
        return [wording.NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    form = wording.told_form(referral.id)
    cleaned, errors = clean(form, values)
    if errors:
        return [form.with_errors(values, errors)]
    if referral.client_told_at is None:
        referral.client_told_how = cleaned["how"]
    return await _tick(turn, referral, "client_told")


async def tick(turn: Turn, value: str) -> list[View]:
    """``id:step`` for a checklist step without details, or ``id:closed``."""
    referral = await for_checklist(turn, value)
    step = str(value).partition(":")[2]
    if referral is None or step not in (*wording.CHECKLIST, "closed") or step == "client_told":
        return [wording.NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    if step == "closed" and turn.person.id == referral.accepted_by:
        return [closure.close_form(referral.id)]  # with a note for the referrer, if they want
    return await _tick(turn, referral, step)


async def close(turn: Turn, values: dict, state: str) -> list[View]:
    """The receiver closing it, with what to tell the referrer (optional, sealed)."""
    referral = await for_checklist(turn, state)
    if referral is None or referral.accepted_by != turn.person.id:
        return [wording.NOT_FOUND]
    if referral.status != "accepted":
        return [Notice(await wording.where_it_stands(turn.tx, referral))]
    form = closure.close_form(referral.id)
    cleaned, errors = clean(form, values)
    errors = errors or closure.check_note(cleaned)
    if errors:
        return [closure.close_form(referral.id, values, errors)]
    referral.referrer_note_sealed = turn.sealer.seal(cleaned.get("for_referrer"))
    return await _tick(turn, referral, "closed")


async def _tick(turn: Turn, referral: Referral, step: str) -> list[View]:
    done_at, done_by = step_done(referral, step)
    if done_at is not None:  # a second press, or both parties at once: the first date stands
        return [Notice(f"That step of {wording.reference(referral)} was already ticked by {await wording.name(turn.tx, done_by)}.")]
    now = turn.clock.now()
    setattr(referral, f"{step}_at", now)
    setattr(referral, f"{step}_by", turn.person.id)
    if step == "closed":
        referral.status = "closed"
    referral.updated_at = now
    referral.generation += 1
    other_id = referral.accepted_by if turn.person.id == referral.referrer_id else referral.referrer_id
    other = await turn.tx.people.get(other_id)
    label = "closed it" if step == "closed" else f"ticked “{wording.CHECKLIST[step]}”"
    if step == "closed" and other_id == referral.referrer_id:
        await closure.tell_referrer_closed(turn.tx, referral, turn.person, now)
        await escalation.settle_about(turn.tx, "referral", referral.id, now, f"{turn.person.display_name} closed it")
    else:
        await notify(turn.tx, f"ref:{referral.id}:tick:{step}:{referral.generation}", other_id,
                     await wording.checklist_card(turn.tx, referral, other,
                                                  f"{turn.person.display_name} {label} on the referral"), now)
    await turn.tx.audit.record(now, turn.person.id, f"referral.{'closed' if step == 'closed' else 'ticked'}",
                               "referral", referral.id)
    title = "The referral is closed" if step == "closed" else None
    return [await wording.checklist_card(turn.tx, referral, turn.person, title)]
