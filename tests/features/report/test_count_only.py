"""Count-only reports: what the form says, what it refuses, and a scan of every column of
every table afterwards — no person id, no exact time."""

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.features.report import ReportTally, trends
from bot.machinery.storage.models import Base, Identity, Person, Report
from bot.org import orgfile
from bot.port.events import ButtonPressed, Command, FormSubmitted
from bot.port.events import Identity as Who
from bot.port.views import Card, Form
from tests.records_harness import all_rows
from tests.world import World, text_of

ASHA = Who("web", "demo", "asha")
COUNT = {"category": "OFFENSIVE", "setting": "telehealth", "occurrence": "first", "felt_unsafe": "no",
         "keep": "count_only"}


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return World(db, sealer, library, clock)


async def test_the_form_says_what_count_only_means_before_saving(world):
    [form] = await world.bot.handle(Command(ASHA, "report"))
    keep = next(f for f in form.fields if f.name == "keep")
    assert [o.label for o in keep.options][1] == "Count only — don't record who I am"
    for promise in ("not your name", "not the day or time", "Nobody can follow it up", "safety threat"):
        assert promise in keep.help
    # The nickname and pattern reference are optional details, added after the advice.
    [card] = await world.bot.handle(FormSubmitted(ASHA, "report", {"felt_unsafe": "no", "category": "GIFT"}))
    add = next(b for b in card.buttons if b.label == "Add details")
    [more] = await world.bot.handle(ButtonPressed(ASHA, add.action, add.value))
    nickname = next(f for f in more.fields if f.name == "client_ref")
    reference = next(f for f in more.fields if f.name == "pattern_ref")
    assert "nickname" in nickname.label.lower() and "Not the nickname above" in reference.help


@pytest.mark.parametrize("change, field, says", [
    ({"felt_unsafe": "yes"}, "keep", "A safety threat can't be a count only"),
    ({"category": "THREAT"}, "keep", "choose 'As my report'"),
    ({"details": "he swore at me on camera"}, "details", "A count-only report keeps no words"),
    ({"client_ref": "Grey owl"}, "client_ref", "keeps no words"),
    ({"pattern_ref": "AB 123456"}, "pattern_ref", "can't be linked to a client"),
])
async def test_what_count_only_cannot_carry_comes_back_explained(world, db, change, field, says):
    submitted = {**COUNT, **change}
    [form] = await world.bot.handle(FormSubmitted(ASHA, "report", submitted))
    assert isinstance(form, Form) and says in form.errors[field]
    assert form.values == submitted  # nothing typed is lost
    async with db.transaction() as tx:
        assert (await tx.session.scalars(select(ReportTally))).all() == []
        assert (await tx.session.scalars(select(Report))).all() == []


async def test_a_count_only_report_leaves_no_person_and_no_exact_time_anywhere(world, db, clock):
    clock.advance(days=12, hours=5, minutes=17, seconds=3)  # 17 Jan 2026, 14:17:03 UTC
    before = await all_rows(db)
    async with db.transaction() as tx:
        asha = await tx.people.by_key("asha")
        identity = (await tx.session.scalars(select(Identity).where(Identity.person_id == asha.id))).one()
        asha_id, seen_before = asha.id, identity.last_seen_at

    [card] = await world.bot.handle(FormSubmitted(ASHA, "report", COUNT, event_id="evt-count-1"))
    assert isinstance(card, Card) and card.title == "Counted, without your name"
    body = text_of(card)
    assert "Recommended step" in body and "Nobody can follow this up" in body and "R-" not in body
    again = await world.bot.handle(FormSubmitted(ASHA, "report", COUNT, event_id="evt-count-1"))
    assert again == []  # a platform's redelivery is still recognised, and counted once

    after = await all_rows(db)
    people_columns = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns
                      if any(fk.column.table.name == "people" for fk in c.foreign_keys)}
    added = {table: [row for row in rows if row not in before.get(table, [])] for table, rows in after.items()}
    assert {table for table, rows in added.items() if rows} == {"report_tallies", "inbound_events"}
    for table, rows in added.items():
        for row in rows:
            for column, value in row.items():
                assert not ((table, column) in people_columns and value == asha_id), f"{table}.{column}"
                assert "asha" not in str(value).lower(), f"{table}.{column} names the person"
                if isinstance(value, datetime) or (isinstance(value, str) and value[:4] == "2026" and len(value) > 7):
                    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
                    assert (moment.day, moment.hour, moment.minute, moment.second) == (1, 0, 0, 0), \
                        f"{table}.{column} holds an exact time: {value}"
    [tally] = added["report_tallies"]
    assert (tally["month"], tally["category"], tally["setting"], tally["count"]) == ("2026-01", "OFFENSIVE", "telehealth", 1)
    async with db.transaction() as tx:
        identity = (await tx.session.scalars(select(Identity).where(Identity.person_id == asha_id))).one()
        assert identity.last_seen_at == seen_before
        assert (await tx.session.scalars(select(Person).where(Person.id == asha_id))).one().key == "asha"


async def test_count_only_reports_feed_the_trends_with_small_numbers_suppressed(world, db):
    for _ in range(5):
        await world.bot.handle(FormSubmitted(ASHA, "report", COUNT))
    await world.bot.handle(FormSubmitted(ASHA, "report", {**COUNT, "keep": "mine"}))
    async with db.transaction() as tx:
        outpatients = (await tx.people.home_team((await tx.people.by_key("asha")).id)).id
        rows = await trends(tx, "2026-01", "2026-01")
    [row] = rows
    assert (row.month, row.team_id, row.category) == ("2026-01", outpatients, "OFFENSIVE")
    assert (row.count_only, row.named, row.total) == (5, None, 6)  # 1 named: fewer than 5, not shown
