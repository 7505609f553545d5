"""One of every kind of record, written straight to the database, for tests that must
touch every table and every sealed column (key rotation, retention, privacy scans)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select, text

from bot.features.chaperone.storage import ChaperoneOffer, ChaperoneRequest
from bot.features.console.storage import ConsoleExport
from bot.features.escalation.storage import Escalation, EscalationNotice
from bot.features.referral.storage import Referral, ReferralOffer, ReferralQuestion
from bot.features.support.storage import SupportRequest
from bot.machinery.storage.models import FormDraft, PendingPress, Person, Report, Team

WORDS = {
    "reports.details_sealed": "he kept asking where I live",
    "reports.client_ref_sealed": "Blue heron",
    "escalations.resolution_sealed": "talked it through with the ward sister",
    "escalations.reporter_note_sealed": "the client now sees a colleague; you will not be asked to cover",
    "chaperone_requests.note_sealed": "client prefers the door open",
    "chaperone_requests.join_link_sealed": "https://meet.example.org/room-42",
    "referrals.note_sealed": "working on sleep and panic",
    "referrals.return_reason_sealed": "talk to me first about the safety plan",
    "referrals.referrer_note_sealed": "first session booked; the client is settling in",
    "referral_offers.decline_reason_sealed": "my list is full until spring",
    "referral_questions.question_sealed": "is the client happy to be seen at the other site",
    "referral_questions.answer_sealed": "yes, either site works for them",
    "support_requests.phone_sealed": "07700 900461",
    "support_requests.shared_sealed": "I keep replaying the moment he grabbed my arm",
    "console_exports.reason_sealed": "the board's review of case 2026-14",
    "form_drafts.values_sealed": '{"details": "he waited by the lift again"}',
    "pending_presses.payload_sealed": '{"text": "report he followed me to the car park"}',
    "people.directory_record_sealed": '{"userName": "asha.patel@demo.invalid", "title": "Staff nurse"}',
    "teams.directory_record_sealed": '{"displayName": "Ward 7 nursing"}',
}


async def one_of_everything(tx, sealer, now, author_key: str = "asha", other_key: str = "jordan") -> dict[str, int]:
    """A report with an escalation, a chaperone request and a referral linked to it, each with
    every sealed column filled. Returns the ids."""
    s = tx.session
    author = await s.scalar(select(Person).where(Person.key == author_key))
    other = await s.scalar(select(Person).where(Person.key == other_key))
    team = await s.scalar(select(Team).order_by(Team.id).limit(1))
    # As the directory would have sent them (the full SCIM record is kept sealed).
    author.directory_record_sealed = sealer.seal(WORDS["people.directory_record_sealed"])
    team.directory_record_sealed = sealer.seal(WORDS["teams.directory_record_sealed"])
    report = Report(author_id=author.id, category="ROMANTIC", setting="in_person", occurrence="repeated",
                    felt_unsafe=False, factors=[], step=2, status="open",
                    details_sealed=sealer.seal(WORDS["reports.details_sealed"]),
                    client_ref_sealed=sealer.seal(WORDS["reports.client_ref_sealed"]), created_at=now, updated_at=now)
    s.add(report)
    await s.flush()
    escalation = Escalation(report_id=report.id, team_id=team.id, reporter_id=author.id, reason="requested",
                            status="resolved", level=0, round=0, generation=1, created_at=now,
                            resolution_sealed=sealer.seal(WORDS["escalations.resolution_sealed"]),
                            reporter_note_sealed=sealer.seal(WORDS["escalations.reporter_note_sealed"]))
    s.add(escalation)
    await s.flush()
    s.add(EscalationNotice(escalation_id=escalation.id, person_id=other.id,
                           notification_key=f"esc:{escalation.id}:notice:{other.id}:0:0", level=0))
    request = ChaperoneRequest(requester_id=author.id, report_id=report.id, starts_at=now + timedelta(hours=2),
                               minutes=30, setting="telehealth", status="open", urgent=False,
                               note_sealed=sealer.seal(WORDS["chaperone_requests.note_sealed"]),
                               join_link_sealed=sealer.seal(WORDS["chaperone_requests.join_link_sealed"]),
                               wave=0, widened=False, generation=0, created_at=now, updated_at=now)
    s.add(request)
    await s.flush()
    s.add(ChaperoneOffer(request_id=request.id, volunteer_id=other.id, wave=0,
                         notification_key=f"chap:{request.id}:offer:{other.id}", status="offered"))
    referral = Referral(referrer_id=author.id, report_id=report.id, reason="boundary", urgency="routine",
                        receiver_id=other.id, status="offered", approval_required=False, round=0, generation=0,
                        note_sealed=sealer.seal(WORDS["referrals.note_sealed"]),
                        return_reason_sealed=sealer.seal(WORDS["referrals.return_reason_sealed"]),
                        referrer_note_sealed=sealer.seal(WORDS["referrals.referrer_note_sealed"]),
                        created_at=now, updated_at=now)
    s.add(referral)
    await s.flush()
    s.add(ReferralOffer(referral_id=referral.id, person_id=other.id, role="receiver", round=0,
                        notification_key=f"ref:{referral.id}:offer:{other.id}", status="declined",
                        decline_reason_sealed=sealer.seal(WORDS["referral_offers.decline_reason_sealed"])))
    s.add(ReferralQuestion(referral_id=referral.id, asked_by=other.id, asked_at=now, answered_at=now,
                           question_sealed=sealer.seal(WORDS["referral_questions.question_sealed"]),
                           answer_sealed=sealer.seal(WORDS["referral_questions.answer_sealed"])))
    support = SupportRequest(requester_id=author.id, status="open", how="phone", soon="today",
                             phone_sealed=sealer.seal(WORDS["support_requests.phone_sealed"]),
                             shared_sealed=sealer.seal(WORDS["support_requests.shared_sealed"]),
                             created_at=now, updated_at=now)
    s.add(support)
    s.add(ConsoleExport(person_id=other.id, kind="reports", file_format="csv", date_from=now, date_to=now,
                        narratives=True, reason_sealed=sealer.seal(WORDS["console_exports.reason_sealed"]),
                        via="console", rows=1, at=now))
    s.add(FormDraft(person_id=author.id, form_id="report", updated_at=now,
                    values_sealed=sealer.seal(WORDS["form_drafts.values_sealed"])))
    s.add(PendingPress(platform="slack", kind="command", received_at=now,
                       payload_sealed=sealer.seal(WORDS["pending_presses.payload_sealed"])))
    await s.flush()
    return {"report": report.id, "escalation": escalation.id, "chaperone": request.id, "referral": referral.id,
            "support": support.id, "author": author.id, "other": other.id}


async def all_rows(db) -> dict[str, list[dict]]:
    """Every row of every table, as the database holds it (for scans)."""
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        out = {}
        for name in names:
            if name == "alembic_version":
                continue
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            out[name] = [dict(row._mapping) for row in result]
        return out
