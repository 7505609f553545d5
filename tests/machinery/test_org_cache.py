"""The organisation cache (bot.machinery.storage.orgcache): people and the organisation row
come from memory while the organisation's version stands still, and every instance sees a
change at its next event after the change commits."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from bot.machinery.storage.db import Database
from bot.org import orgfile
from bot.port.events import Identity

ASHA = Identity("web", "demo", "asha")
ORG = """
organisation: {name: Cache Clinic, timezone: UTC, sites: [North], slack_workspaces: [T1]}
people:
  - {key: asha, name: Dr Asha Patel, identities: [{platform: web, user: asha}]}
  - {key: sam, name: Sam Okafor, identities: [{platform: web, user: sam}]}
"""


class Statements:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


async def version(db: Database) -> int:
    async with db.transaction() as tx:
        return (await tx.session.execute(text("SELECT version FROM organisation WHERE id = 1"))).scalar_one()


async def name_of(db: Database, identity: Identity) -> str | None:
    async with db.transaction() as tx:
        person = await tx.people.resolve(identity)
        return person.display_name if person is not None else None


async def test_a_known_person_and_the_organisation_cost_one_small_read(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    async with db.transaction() as tx:  # read and kept
        await tx.people.resolve(ASHA)
        await tx.org.get()
    statements = Statements(db)
    async with db.transaction() as tx:
        person = await tx.people.resolve(ASHA)
        org = await tx.org.get()
        assert (person.display_name, org.name, org.sites) == ("Dr Asha Patel", "Cache Clinic", ["North"])
        assert person in tx.session and org in tx.session  # copies of their own in this session
    assert statements.count == 1, "only the version is read"


async def test_another_instance_sees_a_deactivation_at_its_next_event(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.transaction() as tx:
            await orgfile.apply(tx, orgfile.parse(ORG))
        before = await version(first)
        assert await name_of(first, ASHA) == "Dr Asha Patel"
        async with second.transaction() as tx:  # the org file without Asha, applied elsewhere
            await orgfile.apply(tx, orgfile.parse(ORG.replace(
                "  - {key: asha, name: Dr Asha Patel, identities: [{platform: web, user: asha}]}\n", "")))
        assert await version(first) > before
        assert await name_of(first, ASHA) is None
        assert await name_of(first, Identity("web", "demo", "sam")) == "Sam Okafor"
    finally:
        await first.dispose()
        await second.dispose()


async def test_raw_sql_changes_are_announced_with_the_hook(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.transaction() as tx:
            await orgfile.apply(tx, orgfile.parse(ORG))
        assert await name_of(first, ASHA) == "Dr Asha Patel"
        async with second.transaction() as tx:  # e.g. a directory sync with its own SQL
            await tx.session.execute(text("UPDATE people SET display_name = 'Dr A. Patel' WHERE key = 'asha'"))
            await tx.org.changed()
        assert await name_of(first, ASHA) == "Dr A. Patel"
        async with second.engine.begin() as connection:  # behind the session's back entirely
            await connection.execute(text("UPDATE people SET display_name = 'Asha' WHERE key = 'asha'"))
        assert await name_of(first, ASHA) == "Dr A. Patel"  # nobody said so yet
        await second.org_changed()  # the same, after the fact
        assert await name_of(first, ASHA) == "Asha"
        async with second.transaction() as tx:  # plain SQL on a transaction's session is seen
            await tx.session.execute(text('update "people" set display_name = \'A. P.\' where key = \'asha\''))
        assert await name_of(first, ASHA) == "A. P."
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_change_rolled_back_never_reaches_the_cache(db, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    assert await name_of(db, ASHA) == "Dr Asha Patel"
    before = await version(db)
    try:
        async with db.transaction() as tx:
            person = await tx.people.resolve(ASHA)
            person.display_name = "Someone Else"
            await tx.session.flush()
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    assert await name_of(db, ASHA) == "Dr Asha Patel"
    assert await version(db) == before


async def test_using_the_bot_is_not_a_change_of_the_organisation(db, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    before = await version(db)
    for _ in range(2):  # read from the database, then from the cache
        async with db.transaction() as tx:
            await tx.people.resolve(ASHA)
            tx.people.seen(ASHA, clock.now())
    async with db.transaction() as tx:
        seen = (await tx.session.execute(text(
            "SELECT last_seen_at FROM identities WHERE user_id = 'asha'"))).scalar_one()
    assert seen is not None
    assert await version(db) == before
    async with db.transaction() as tx:  # a first contact links a new identity: not a change either
        await orgfile.apply(tx, orgfile.parse(ORG.replace("Dr Asha Patel,", "Dr Asha Patel, email: asha@x.invalid,")))
    linked = await version(db)
    async with db.transaction() as tx:
        assert await tx.people.resolve(Identity("slack", "T1", "U1", "asha@x.invalid")) is not None
    assert await version(db) == linked


async def test_a_transaction_older_than_a_change_does_not_fill_the_newer_cache(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: they cannot overlap")
    db, other = Database(database_url), Database(database_url)
    try:
        async with db.transaction() as tx:
            await orgfile.apply(tx, orgfile.parse(ORG))
        async with db.transaction() as old:
            assert await db.org_cache.check(old.session)  # reads the version before the change
            async with other.transaction() as tx:
                await tx.session.execute(text("UPDATE people SET display_name = 'Renamed' WHERE key = 'asha'"))
                await tx.org.changed()
            assert await name_of(db, Identity("web", "demo", "sam")) == "Sam Okafor"  # the cache moves on
            person = await old.people.resolve(ASHA)  # read now, but this transaction is older
            assert person.display_name == "Renamed"
        statements = Statements(db)
        assert await name_of(db, ASHA) == "Renamed"
        assert statements.count == 2, "not cached by the older transaction: read afresh"
    finally:
        await db.dispose()
        await other.dispose()


async def test_a_first_contact_rolled_back_leaves_no_identity_in_the_cache(db, clock):
    """Found by the PostgreSQL fuzz run: a link made by a transaction that then rolled back
    stayed cached, and a later turn's "last seen" update matched no row (StaleDataError)."""
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG.replace("Dr Asha Patel,", "Dr Asha Patel, email: asha@x.invalid,")))
    slack = Identity("slack", "T1", "U1", "asha@x.invalid")
    try:
        async with db.transaction() as tx:
            assert await tx.people.resolve(slack, clock.now()) is not None  # linked by email
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    clock.advance(hours=2)  # late enough that "last seen" is written again
    async with db.transaction() as tx:
        person = await tx.people.resolve(slack, clock.now())
        tx.people.seen(slack, clock.now())
    assert person is not None and person.display_name == "Dr Asha Patel"
    async with db.transaction() as tx:
        assert (await tx.session.execute(text(
            "SELECT count(*) FROM identities WHERE user_id = 'U1'"))).scalar_one() == 1
