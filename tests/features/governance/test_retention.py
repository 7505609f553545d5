"""Retention: a report past its period is gone from every table and the managers' notices
say so; one on legal hold stays; narratives go before metadata; the audit chain's start
moves and stays verifiable."""


import pytest
from sqlalchemy import text

from bot.features import governance
from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
from bot.machinery.storage.audit_verify import verify
from bot.org import orgfile
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from bot.port.views import Notice
from tests.cli_harness import invoke
from tests.records_harness import all_rows, one_of_everything
from tests.world import World, text_of

ASHA, MORGAN = Identity("web", "demo", "asha"), Identity("web", "demo", "morgan")
UNSAFE = {"setting": "in_person", "occurrence": "repeated", "felt_unsafe": "yes"}
WORDS = {"ROMANTIC": "asked me out after every session", "GIFT": "left an expensive watch on my desk",
         "SOCIAL_MEDIA": "found my private account"}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return World(db, sealer, library, clock)


async def file(world, category):
    [card] = await world.bot.handle(FormSubmitted(ASHA, "report", {
        **UNSAFE, "category": category, "details": WORDS[category], "client_ref": "Blue heron",
        "pattern_ref": "ZX 123456"}))
    # The safety card names the report once, in a small "Reference" fact, for quoting later.
    report_id = int(dict(card.facts)["Reference"].removeprefix("R-"))
    await world.settle()
    return report_id


async def run_retention(world):
    """What the server does: the watchdog schedules today's purge, the scheduler runs it."""
    async with world.db.transaction() as tx:
        await world.bot.features.watchdogs["governance.retention"](tx, world.clock.now())
    await world.settle()


async def test_a_report_past_retention_is_gone_everywhere_and_its_notices_say_so(world, db, sealer):
    gone = await file(world, "ROMANTIC")
    await world.bot.handle(ButtonPressed(MORGAN, "escalation.ack", "1"))
    await world.bot.handle(FormSubmitted(MORGAN, "escalation.resolve", {"note": "spoke with the client"}, state="1"))
    await world.settle()
    await world.later(days=30)
    held = await file(world, "GIFT")
    async with db.transaction() as tx:
        alex = await tx.people.by_key("alex")
        await governance.place(tx, held, alex, world.clock.now())
    before = await all_rows(db)
    sealed = {bytes(r["details_sealed"]) for r in before["reports"] if r["id"] == gone}
    notices_before = len(world.updates("morgan"))

    world.clock.advance(days=3 * 365 + 5)
    await run_retention(world)

    after = await all_rows(db)
    assert [r["id"] for r in after["reports"]] == [held]
    assert [r["report_id"] for r in after["escalations"]] == [held]
    for table, rows in after.items():
        if table == "audit_log":
            continue  # ids and actions only, kept for its own (longer) period
        for row in rows:
            for column, value in row.items():
                if column == "report_id" or (column == "subject_id" and row.get("subject_type") == "report"):
                    assert value != gone, f"{table}.{column} still refers to R-{gone}"
                if isinstance(value, bytes | memoryview):
                    assert bytes(value) not in sealed, f"{table}.{column} still holds the sealed text"
                as_text = str(value)
                assert WORDS["ROMANTIC"] not in as_text and "Romantic" not in as_text, f"{table}.{column}: {as_text[:80]}"
    # Morgan's notice about the removed report now says so, in place; the held one is untouched.
    latest = world.updates("morgan")[notices_before:]
    removed = [v for v in latest if isinstance(v, Notice) and v.text.startswith("Removed:")]
    # The messages about R-{gone}, each in its latest version: the escalation notice and the
    # unanswered safety check-in (the report said the reporter felt unsafe).
    assert len(removed) == 2
    assert not any("Romantic" in text_of(v) for v in latest)
    async with db.transaction() as tx:
        actions = [(e.action, e.subject_id) for e in await tx.audit.entries()]
        report = await tx.reports.get(held)
        assert sealer.open(report.details_sealed) == WORDS["GIFT"]  # on hold: even the narrative stays
        assert (await verify(tx, sealer.signer(SIGNING_PURPOSE))).ok
    assert ("retention.report_removed", gone) in actions and ("retention.hold_placed", held) in actions
    assert not any(a == "retention.report_removed" and s == held for a, s in actions)


async def test_narratives_go_first_then_the_hold_is_released(world, db, sealer):
    report_id = await file(world, "SOCIAL_MEDIA")
    await world.bot.handle(FormSubmitted(MORGAN, "escalation.resolve", {"note": "agreed a plan"}, state="1"))
    await world.later(days=400)  # past narratives (365d), not metadata (1095d)
    await run_retention(world)
    async with db.transaction() as tx:
        report = await tx.reports.get(report_id)
        assert report is not None and report.category == "SOCIAL_MEDIA"
        assert report.details_sealed is None and report.client_ref_sealed is None
        row = (await tx.session.execute(text("SELECT resolution_sealed FROM escalations"))).one()
        assert row[0] is None


async def test_a_short_audit_retention_trims_the_chain_from_its_start(db, sealer, library, clock):
    short = orgfile.parse("""
organisation: {name: Short Memory, retention: {audit_entries: 30d, report_narratives: 30d, report_metadata: 30d}}
people: [{key: alex, name: Alex, admin: true, identities: [{platform: web, user: alex}]}]
""")
    world = World(db, sealer, library, clock)
    async with db.transaction() as tx:
        await orgfile.apply(tx, short)
        for n in range(3):
            await tx.audit.record(clock.now(), None, "report.viewed", "report", n)
    async with db.transaction() as tx:
        old_anchor = (await verify(tx, sealer.signer(SIGNING_PURPOSE))).anchor()
    clock.advance(days=31)
    await run_retention(world)
    async with db.transaction() as tx:
        report = await verify(tx, sealer.signer(SIGNING_PURPOSE), [old_anchor])
        entries = await tx.audit.entries()
    assert report.ok, report.problem
    assert [e.action for e in entries] == ["retention.audit_trimmed"] and entries[0].subject_id == 3
    assert report.anchors_checked == 1  # the anchor at the old head is the new start: still provable


def test_holds_from_the_command_line(tmp_path, database_url):
    import asyncio

    from bot.machinery.crypto import load_sealer
    from bot.machinery.storage.db import Database
    from bot.machinery.storage.models import Report

    key_file = tmp_path / "bot.key"
    load_sealer(None, str(key_file), create_if_missing=True)

    async def seed():
        db = Database(database_url)
        async with db.transaction() as tx:
            await orgfile.apply(tx, orgfile.demo())
            asha = await tx.people.by_key("asha")
            from datetime import UTC, datetime
            now = datetime.now(UTC)
            tx.session.add(Report(author_id=asha.id, category="GIFT", setting="other", occurrence="first",
                                  felt_unsafe=False, factors=[], step=1, created_at=now, updated_at=now))
        await db.dispose()

    asyncio.run(seed())
    env = dict(DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY_FILE=str(key_file))
    assert "no reports are on legal hold" in invoke(["retention", "holds"], **env).output
    placed = invoke(["retention", "hold", "R-1", "--by", "alex"], **env)
    assert placed.exit_code == 0 and "R-1 is on legal hold" in placed.output
    assert "R-1: held by Alex Kim since" in invoke(["retention", "holds"], **env).output
    twice = invoke(["retention", "hold", "R-1", "--by", "alex"], **env)
    assert twice.exit_code == 1 and "already on legal hold" in twice.stderr
    not_admin = invoke(["retention", "hold", "R-1", "--by", "asha"], **env)
    assert not_admin.exit_code == 1 and "Only an admin" in not_admin.stderr
    assert "not a report number" in invoke(["retention", "hold", "twelve", "--by", "alex"], **env).stderr
    released = invoke(["retention", "release", "1", "--by", "alex"], **env)
    assert released.exit_code == 0 and "released" in released.output
    ran = invoke(["retention", "run"], **env)
    assert ran.exit_code == 0 and "nothing was past retention" in ran.output
    checked = invoke(["audit", "verify"], **env)
    assert checked.exit_code == 0 and "2 entries" in checked.output, checked.output + checked.stderr


async def test_peer_support_records_go_after_their_period_and_leave_only_a_count(world, db, sealer):
    """Who asked for support must not be traceable, even by id: the purge is audited as a
    count per run, and the support request, its offers and what was shared are gone."""
    async with db.transaction() as tx:
        ids = await one_of_everything(tx, sealer, world.clock.now())
    world.clock.advance(days=181)
    await run_retention(world)
    after = await all_rows(db)
    assert after["support_requests"] == [] and after["support_offers"] == []
    assert [r["id"] for r in after["reports"]] == [ids["report"]]  # reports keep their own, longer period
    async with db.transaction() as tx:
        entries = [(e.action, e.subject_type, e.subject_id) for e in await tx.audit.entries()]
    assert ("retention.support_removed", "support_batch", 1) in entries
    assert not any(subject == "support" for _, subject, _ in entries)
