"""Storage on a real database: migrations, time zones, identities."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database, DatabaseUnavailable
from bot.machinery.storage.models import Base, Report
from bot.org import orgfile
from bot.port.events import Identity


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names())) - {"alembic_version"}


async def test_stairway_every_revision_up_down_and_up_again(fresh_database_url):
    db = Database(fresh_database_url)
    try:
        revisions = migrate.revisions()
        assert revisions, "no migrations found"
        previous = "base"
        for revision in revisions:
            await migrate.upgrade(db.engine, revision)
            await migrate.downgrade(db.engine, previous)
            await migrate.upgrade(db.engine, revision)
            previous = revision
        assert await _tables(db) == set(Base.metadata.tables)
        assert await migrate.pending(db.engine) == []
        await migrate.downgrade(db.engine, "base")
        assert await _tables(db) == set()
    finally:
        await db.dispose()


async def test_the_models_match_the_migrations(db):
    """Autogenerate finds nothing to do: a model change without a migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def diff(sync):
        return compare_metadata(MigrationContext.configure(sync, opts={"compare_type": False}), Base.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_unreachable_database_is_named_without_its_password():
    db = Database("postgresql+asyncpg://someone:s3cret@127.0.0.1:1/nowhere")
    with pytest.raises(DatabaseUnavailable) as caught:
        await db.ping()
    await db.dispose()
    assert "DATABASE_URL" in str(caught.value)
    assert "s3cret" not in str(caught.value)


async def test_times_come_back_in_utc(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        author = await tx.people.by_key("asha")
        moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
        report = await tx.reports.add(
            Report(author_id=author.id, category="GIFT", setting="other", occurrence="first",
                   felt_unsafe=False, factors=[], step=1, created_at=moment, updated_at=moment)
        )
        report_id = report.id
    async with db.transaction() as tx:
        loaded = await tx.reports.get(report_id)
        assert loaded.created_at == moment and loaded.created_at.tzinfo is not None


async def test_a_new_platform_identity_links_by_email_once(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    slack = Identity("slack", "T1", "U1", email="ASHA@demo.invalid")
    async with db.transaction() as tx:
        person = await tx.people.resolve(slack)
        assert person.key == "asha"
    async with db.transaction() as tx:
        # now linked by id: no email needed
        assert (await tx.people.resolve(Identity("slack", "T1", "U1"))).key == "asha"
        assert await tx.people.resolve(Identity("slack", "T1", "U2")) is None
        assert await tx.people.resolve(Identity("slack", "T1", "U3", email="nobody@x.org")) is None


async def test_managers_of_a_member(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        asha = await tx.people.by_key("asha")
        morgan = await tx.people.by_key("morgan")
        assert [m.key for m in await tx.people.managers_of(asha.id)] == ["morgan"]
        assert await tx.people.managers_of(morgan.id) == []


async def test_a_new_user_s_first_two_events_at_once_link_one_identity(db):
    import asyncio

    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    slack = Identity("slack", "T1", "U9", email="sam@demo.invalid")

    async def resolve():
        async with db.transaction() as tx:
            return (await tx.people.resolve(slack)).key

    assert await asyncio.gather(*(resolve() for _ in range(4))) == ["sam"] * 4
