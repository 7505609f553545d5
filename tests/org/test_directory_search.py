"""Searching the organisation as someone types: the index follows the people table (a person
added, deactivated or renamed by anyone), folds accents and punctuation, and ranks whole-name
matches first."""

from __future__ import annotations

from sqlalchemy import update

from bot.machinery.storage.models import Person
from bot.org import directory_index, orgfile
from bot.org import directory_search as directory

ANYONE = directory.Rule()


async def names(db, typed: str, rule=ANYONE) -> list[str]:
    async with db.transaction() as tx:
        return [f.name for f in await directory.people(tx.session, typed, rule, 20)]


async def test_people_are_found_by_any_word_and_by_team(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    assert await names(db, "lena") == ["Dr Lena Ruiz"]
    assert await names(db, "ru le") == ["Dr Lena Ruiz"]  # words in any order, by their start
    assert set(await names(db, "community")) == {"Dr Chris Osei (clinical lead)", "Dr Lena Ruiz", "Tom Brennan"}
    assert (await names(db, "dr"))[:1] == ["Dr Asha Patel"]  # the whole name starting with it first
    assert await names(db, "%") == await names(db, "")  # no wildcard reaches the database
    assert await names(db, "nobody here") == []


async def test_the_index_follows_changes_made_anywhere(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
    assert await names(db, "zoë") == []
    async with db.transaction() as tx:
        tx.session.add(Person(key="zoe", display_name="Zoë O'Neil-Smith", email="zoe@demo.invalid", active=True))
    assert await names(db, "zoe oneil") == ["Zoë O'Neil-Smith"]  # added: seen at the next keystroke
    assert await names(db, "smith") == ["Zoë O'Neil-Smith"]
    async with db.transaction() as tx:
        await tx.session.execute(update(Person).where(Person.key == "zoe").values(active=False))
    assert await names(db, "zoe") == []  # deactivated: never offered again
    async with db.transaction() as tx:
        await tx.session.execute(update(Person).where(Person.key == "tom").values(display_name="Thomas Brennan"))
    assert await names(db, "brennan") == ["Thomas Brennan"]  # the page is re-read: current names
    directory_index.forget()
    assert await names(db, "thomas") == ["Thomas Brennan"]


async def test_rules_keep_to_who_may_be_picked(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo())
        me = await tx.people.by_key("sam")
    volunteers = await names(db, "", directory.Rule(volunteers_only=True))
    assert set(volunteers) == {"Sam Okafor", "Priya Nair"}
    assert "Sam Okafor" not in await names(db, "sam", directory.Rule(not_id=me.id))
    clinicians = await names(db, "", directory.Rule(clinicians_only=True))
    assert "Alex Kim" not in clinicians and "Dr Asha Patel" in clinicians
