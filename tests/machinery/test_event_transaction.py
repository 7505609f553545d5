"""An event's transaction (bot.app, Database.transaction(event=…)): it uses the organisation
cache as it stands and records the event as its last statement, checking the version there.
On PostgreSQL a turn that wrote nothing else (``help``) is that one statement, outside any
transaction; a turn that writes records the event in its own transaction. A redelivery has
no second effect, a change of the organisation by another instance meanwhile makes the turn
run again on fresh data, and a turn that is refused or slowed leaves no record."""

from __future__ import annotations

from sqlalchemy import event, text

from bot.app import BoundaryBot
from bot.machinery.storage.db import Database
from bot.port.events import Command, Identity

ASHA = Identity("web", "demo", "asha")


class Statements:
    """Every statement sent, on the engine and its autocommit sibling (they share events)."""

    def __init__(self, db: Database) -> None:
        self.sent: list[str] = []
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)
        self._db = db

    def _seen(self, _conn, _cursor, statement, *_rest) -> None:
        self.sent.append(statement.split()[0].upper())

    def stop(self) -> None:
        event.remove(self._db.engine.sync_engine, "before_cursor_execute", self._seen)


async def records(db: Database) -> int:
    async with db.transaction() as tx:
        return (await tx.session.execute(text("SELECT count(*) FROM inbound_events"))).scalar_one()


def help_from(identity: Identity, event_id: str) -> Command:
    return Command(identity, "help", "", event_id=event_id)


async def test_help_is_one_statement_and_a_redelivery_does_nothing(demo_bot: BoundaryBot, db, database_url):
    await demo_bot.handle(help_from(ASHA, "warm"))  # the cache is filled
    before = await records(db)
    statements = Statements(db)
    views = await demo_bot.handle(help_from(ASHA, "e1"))
    statements.stop()
    assert views and views[0].title == "Boundary Bot"
    if database_url.startswith("postgresql"):
        # One statement of its own, straight through asyncpg (bot.machinery.storage.direct):
        # nothing through the session, so no BEGIN or COMMIT.
        assert statements.sent == [], statements.sent
    else:
        assert statements.sent.count("INSERT") == 1 and "UPDATE" not in statements.sent
    assert await records(db) == before + 1
    assert await demo_bot.handle(help_from(ASHA, "e1")) == []  # the same event again
    assert await records(db) == before + 1


async def test_a_turn_that_writes_records_the_event_with_its_effect(demo_bot: BoundaryBot, db, clock):
    await demo_bot.handle(help_from(ASHA, "warm"))
    clock.advance(hours=2)  # "last seen" is due: this turn writes
    before = await records(db)
    await demo_bot.handle(help_from(ASHA, "e2"))
    async with db.transaction() as tx:
        seen = (await tx.session.execute(text(
            "SELECT last_seen_at FROM identities WHERE user_id = 'asha' AND platform = 'web'"))).scalar_one()
    assert seen is not None and await records(db) == before + 1
    assert await demo_bot.handle(help_from(ASHA, "e2")) == []


async def test_a_change_by_another_instance_meanwhile_runs_the_turn_again(demo_bot: BoundaryBot, db, database_url):
    await demo_bot.handle(help_from(ASHA, "warm"))  # this instance caches Asha as active
    other = Database(database_url)
    try:
        async with other.transaction() as tx:  # another instance deactivates her
            await tx.session.execute(text("UPDATE people SET active = false WHERE key = 'asha'"))
            await tx.org.changed()
    finally:
        await other.dispose()
    before = await records(db)
    views = await demo_bot.handle(help_from(ASHA, "e3"))
    assert "no longer active" in views[0].text  # not the help her cached self would get
    assert await records(db) == before + 1  # recorded once, by the second run


async def test_a_slowed_turn_is_not_recorded_so_it_counts_as_new_later(demo_bot: BoundaryBot, db, clock):
    await demo_bot.handle(help_from(ASHA, "warm"))
    before = await records(db)
    slowed = []
    for n in range(40):  # far faster than a person acts
        answer = await demo_bot.handle(help_from(ASHA, f"burst-{n}"))
        if "faster than I can keep up" in getattr(answer[0], "text", ""):
            slowed.append(f"burst-{n}")
    assert slowed, "the burst was slowed down"
    assert await records(db) == before + 40 - len(slowed)
    clock.advance(minutes=5)  # the wait is over: the same event, sent again, is done
    views = await demo_bot.handle(help_from(ASHA, slowed[0]))
    assert views and views[0].title == "Boundary Bot"


async def test_this_instance_does_not_assume_a_version_it_has_just_moved_on(demo_bot: BoundaryBot, db):
    """Found by the PostgreSQL run: after this instance removed a row the cache held, its next
    event ran on the old copy (a DELETE matching no row) before the version check sent it
    round again. A change committed here now empties the cache at once."""
    await demo_bot.handle(help_from(ASHA, "warm"))
    assert db.org_cache.version is not None
    async with db.transaction() as tx:
        await tx.session.execute(text("UPDATE people SET active = false WHERE key = 'asha'"))
        await tx.org.changed()
    assert db.org_cache.version is None  # forgotten: the next event reads the version first
    views = await demo_bot.handle(help_from(ASHA, "e4"))
    assert "no longer active" in views[0].text
