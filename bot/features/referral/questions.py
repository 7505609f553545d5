"""A receiver's question back to the referrer before deciding, and the referrer's answer. Both
are sealed and read only in a private view by the two of them; the referral keeps waiting
(and its clock keeps running) meanwhile."""

from __future__ import annotations

from bot.features.referral import more_wording, wording
from bot.features.referral.access import for_referrer, pending
from bot.features.referral.steps import clean_reason
from bot.features.referral.storage import Referral, ReferralQuestion
from bot.machinery.outbox import notify
from bot.port.views import View
from bot.turn import Turn


async def ask(turn: Turn, value: str) -> list[View]:
    answer = await pending(turn, value, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    return [more_wording.ask_form(answer[0].id)]


async def submit_question(turn: Turn, values: dict, state: str) -> list[View]:
    answer = await pending(turn, state, "receiver", "offered")
    if isinstance(answer, list):
        return answer
    referral, _ = answer
    form = more_wording.ask_form(referral.id)
    question, errors = clean_reason(form, values, "question")
    if errors:
        return [more_wording.ask_form(referral.id, values, errors)]
    now = turn.clock.now()
    row = ReferralQuestion(referral_id=referral.id, asked_by=turn.person.id,
                           question_sealed=turn.sealer.seal(question), asked_at=now)
    turn.tx.session.add(row)
    await turn.tx.session.flush()
    await notify(turn.tx, f"ref:{referral.id}:question:{row.id}", referral.referrer_id,
                 more_wording.question_for_referrer(referral, turn.person, row.id), now)
    await turn.tx.audit.record(now, turn.person.id, "referral.question_asked", "referral", referral.id)
    return [more_wording.ASKED]


async def _question(turn: Turn, value: str):
    """(referral, question) for ``referral:question``, if this person asked it or made the referral."""
    referral_id, _, question_id = str(value).partition(":")
    found = await for_referrer(turn, referral_id)
    try:
        row = await turn.tx.session.get(ReferralQuestion, int(question_id))
    except ValueError:
        return None
    if row is None or str(row.referral_id) != referral_id:
        return None
    if found is None:
        referral = await turn.tx.session.get(Referral, row.referral_id)
        return (referral, row) if row.asked_by == turn.person.id else None
    return found, row


async def read(turn: Turn, value: str) -> list[View]:
    found = await _question(turn, value)
    if found is None:
        return [wording.NOT_FOUND]
    referral, row = found
    asker = await wording.name(turn.tx, row.asked_by)
    return [more_wording.question_dialog(referral, asker, turn.sealer.open(row.question_sealed),
                                         turn.sealer.open(row.answer_sealed))]


async def ask_answer(turn: Turn, value: str) -> list[View]:
    found = await _question(turn, value)
    if found is None or found[0].referrer_id != turn.person.id:
        return [wording.NOT_FOUND]
    referral, row = found
    if row.answered_at is not None:
        return [more_wording.already_answered(referral)]
    return [more_wording.answer_form(referral.id, row.id)]


async def submit_answer(turn: Turn, values: dict, state: str) -> list[View]:
    found = await _question(turn, state)
    if found is None or found[0].referrer_id != turn.person.id:
        return [wording.NOT_FOUND]
    referral, row = found
    if row.answered_at is not None:
        return [more_wording.already_answered(referral)]
    answer, errors = clean_reason(more_wording.answer_form(referral.id, row.id), values, "answer")
    if errors:
        return [more_wording.answer_form(referral.id, row.id, values, errors)]
    now = turn.clock.now()
    row.answer_sealed, row.answered_at = turn.sealer.seal(answer), now
    await notify(turn.tx, f"ref:{referral.id}:answer:{row.id}", row.asked_by,
                 more_wording.answered_for_asker(referral, turn.person, row.id), now)
    await turn.tx.audit.record(now, turn.person.id, "referral.question_answered", "referral", referral.id)
    return [more_wording.ANSWERED]
