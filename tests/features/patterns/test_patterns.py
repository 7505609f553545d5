"""Same-client pattern alerts: only a keyed fingerprint is kept; two colleagues reporting the
same client tell their managers once — also when two instances take both reports at the same
moment — without names and without the reference."""

import asyncio

import pytest
from sqlalchemy import select

from bot.app import PATTERN_PURPOSE, BoundaryBot
from bot.features import patterns
from bot.features.patterns import ClientMark
from bot.machinery.storage.db import Database
from bot.machinery.storage.models import Notification
from bot.org import orgfile
from bot.port.events import FormSubmitted, Identity
from bot.port.views import Card, Form
from tests.records_harness import all_rows
from tests.world import World, text_of

REPORT = {"category": "ROMANTIC", "setting": "in_person", "occurrence": "repeated", "felt_unsafe": "no"}
NAMES = ("Asha", "Jordan", "Sam", "Priya", "Patel", "Lee")


def who(key):
    return Identity("web", "demo", key)


@pytest.fixture
async def world(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    return World(db, sealer, library, clock)


async def report(bot, key, reference):
    return await bot.handle(FormSubmitted(who(key), "report", {**REPORT, "pattern_ref": reference}))


async def alerts(db) -> list[Notification]:
    async with db.transaction() as tx:
        return list((await tx.session.scalars(select(Notification).where(Notification.key.like("pattern:%")))).all())


def test_the_core_and_the_feature_fingerprint_with_the_same_purpose():
    assert PATTERN_PURPOSE == patterns.PURPOSE


async def test_two_colleagues_about_one_client_tell_the_manager_once(world, db):
    await report(world.bot, "asha", "AB 123456")
    await report(world.bot, "asha", "ab-123456")  # the same reporter again: no pattern yet
    assert await alerts(db) == []
    [card] = await report(world.bot, "jordan", "Ab123456")  # same client, written differently
    assert isinstance(card, Card) and "same client" not in text_of(card) and "pattern" not in text_of(card).lower()
    await report(world.bot, "sam", "AB123456")  # a third: the managers already know
    await world.settle()

    [alert] = world.inbox("morgan")
    body = text_of(alert)
    assert alert.title == "Several colleagues have reported the same client"
    assert "3 colleagues in Outpatients" not in body and "2 colleagues in Outpatients" in body
    assert not any(name in body for name in NAMES) and "123456" not in body
    assert all(not world.inbox(k) for k in ("asha", "jordan", "sam", "chris"))
    assert len(await alerts(db)) == 1


async def test_only_the_fingerprint_is_stored(world, db):
    await report(world.bot, "asha", "QX 998877")
    rows = await all_rows(db)
    for table, found in rows.items():
        for row in found:
            for value in row.values():
                text = str(value).upper().replace(" ", "")
                assert "QX998877" not in text and "998877" not in text, table
    [mark] = rows["client_marks"]
    assert len(mark["digest"]) == 64 and mark["secret_id"]


async def test_a_new_alert_after_the_window_and_short_references_refused(world, db, clock):
    await report(world.bot, "asha", "CD 445566")
    await report(world.bot, "jordan", "CD 445566")
    clock.advance(days=91)
    await report(world.bot, "priya", "CD 445566")  # the earlier two are outside the window
    assert len(await alerts(db)) == 1
    await report(world.bot, "sam", "CD 445566")
    assert len(await alerts(db)) == 2
    [form] = await report(world.bot, "asha", "A1")
    assert isinstance(form, Form) and "too short" in form.errors["pattern_ref"]
    assert form.values["pattern_ref"] == "A1"


async def test_two_instances_taking_both_reports_at_once_raise_exactly_one_alert(database_url, sealer, library, clock):
    """Two bots on two engines (two instances), two reporters pressing submit together, for
    ten different clients in a row. Each client was reported once before, outside the window,
    so the pattern's row exists already: without its lock each report would see only itself
    and nobody would be told."""
    first = Database(database_url)
    async with first.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    second = Database(database_url)
    bots = [BoundaryBot(first, sealer, library, clock), BoundaryBot(second, sealer, library, clock)]
    try:
        await asyncio.gather(first.ping(), second.ping())  # both pools connected: a fair start
        for n in range(10):
            reference = f"ZZ {n:06d}"
            await report(bots[0], "asha", reference)
            clock.advance(days=91)
            await asyncio.gather(report(bots[0], "jordan", reference), report(bots[1], "priya", reference))
        found = await alerts(first)
        async with first.transaction() as tx:
            marks = (await tx.session.scalars(select(ClientMark))).all()
    finally:
        await first.dispose()
        await second.dispose()
    assert len(marks) == 30
    assert len(found) == 10, sorted(n.key for n in found)
    assert len({n.key.split(":")[1] for n in found}) == 10
