"""The dashboard's roll-up: read from stored periods when nothing moved, counted again exactly
where something did — a new report, an edit, a removal (one by one or in bulk, even by plain
SQL), someone moving team — and always equal to counting every report afresh."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, event, func, select, text, update

from bot.features.console import dashboard
from bot.features.console.filters import parse
from bot.features.console.rollup import RollupCell, RollupPeriod
from bot.machinery.storage.models import Report, Team, TeamMember
from bot.org import orgfile
from tests.console_seed import ORG, WEEK1, WEEK2, add_reports, seed_reports

TODAY = date(2025, 12, 14)


async def board(db, *, unit="week", team="all"):
    async with db.transaction() as tx:
        teams = list((await tx.session.scalars(select(Team).order_by(Team.name))).all())
        filters = parse({"unit": unit, "from": "2025-11-24", "to": "2025-12-14", "team": team}, teams, TODAY,
                        is_admin=True)
        return await dashboard.build(tx, filters)


def figures(built) -> dict:
    return {name: ({k: (c.count, c.shown) for k, c in table.cells.items()},
                   {k: (c.count, c.shown) for k, c in table.row_totals.items()}, (table.total.count, table.total.shown))
            for name, table in built.reports.items()}


async def afresh(db, **kwargs) -> dict:
    """The same dashboard with the roll-up emptied: every report counted again."""
    async with db.transaction() as tx:
        await tx.session.execute(delete(RollupCell))
        await tx.session.execute(delete(RollupPeriod))
    return figures(await board(db, **kwargs))


class Counting:
    """How many report breakdown queries (reads of the reports table) a block runs."""

    def __init__(self, db):
        self.engine, self.seen = db.engine.sync_engine, 0

    def __call__(self, conn, cursor, statement, *args):
        if "FROM reports" in statement and "GROUP BY" in statement:
            self.seen += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


async def setup(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    await seed_reports(db)


async def test_a_second_look_reads_the_roll_up_and_matches_a_fresh_count(db):
    await setup(db)
    first = figures(await board(db))
    with Counting(db) as counting:
        again = figures(await board(db))
    assert counting.seen == 0  # nothing moved: no report was read
    assert again == first == await afresh(db)
    assert first["category"][0][("2025-12-01", "ROMANTIC")] == (12, True)


async def test_a_new_report_recounts_only_its_own_week(db):
    await setup(db)
    await board(db)
    await add_reports(db, ["n1", "n2", "n3", "n4", "cli"], "GIFT", WEEK2)
    with Counting(db) as counting:
        now = figures(await board(db))
    assert counting.seen == 3  # the three breakdowns, over week 2 only
    assert now["category"][0][("2025-12-08", "GIFT")] == (5, True)
    assert now == await afresh(db)


async def test_edits_removals_and_plain_sql_are_all_seen(db):
    await setup(db)
    await board(db)
    async with db.transaction() as tx:  # an ORM edit of a counted field
        report = (await tx.session.scalars(select(Report).where(Report.category == "ROMANTIC").limit(1))).one()
        report.setting = "home_visit"
    assert figures(await board(db)) == await afresh(db)
    async with db.transaction() as tx:  # a bulk delete (as retention does)
        await tx.session.execute(delete(Report).where(Report.category == "OFFENSIVE"))
    built = figures(await board(db))
    assert built["category"][0][("2025-12-01", "OFFENSIVE")] == (0, True)
    assert built == await afresh(db)
    async with db.transaction() as tx:  # plain SQL
        await tx.session.execute(text("UPDATE reports SET step = 3 WHERE category = 'CONTACT'"))
    assert figures(await board(db)) == await afresh(db)


async def test_a_change_to_uncounted_fields_keeps_the_roll_up(db):
    await setup(db)
    await board(db)
    async with db.transaction() as tx:
        await tx.session.execute(update(Report).values(details_sealed=None, client_ref_sealed=None))
    with Counting(db) as counting:
        await board(db)
    assert counting.seen == 0


async def test_someone_moving_team_moves_their_reports(db):
    await setup(db)
    north = figures(await board(db))
    async with db.transaction() as tx:
        south = await tx.session.scalar(select(Team.id).where(Team.key == "south"))
        n1 = (await tx.people.by_key("n1")).id
        await tx.session.execute(update(TeamMember).where(TeamMember.person_id == n1, TeamMember.role == "member")
                                 .values(team_id=south))
    moved = figures(await board(db))
    assert moved == await afresh(db)
    async with db.transaction() as tx:
        south_only = parse({"unit": "week", "from": "2025-11-24", "to": "2025-12-14", "team": str(south)},
                           list((await tx.session.scalars(select(Team))).all()), TODAY, is_admin=True)
        built = await dashboard.build(tx, south_only)
    # n1's 3 romantic reports of week 1 now count for South.
    assert built.reports["category"].cell("2025-12-01", "ROMANTIC").count == 3
    assert north["category"][0][("2025-12-01", "ROMANTIC")][0] == 12


async def test_weeks_and_months_are_kept_apart(db):
    await setup(db)
    weeks = figures(await board(db))
    months = figures(await board(db, unit="month"))
    assert months["category"][0][("2025-12-01", "ROMANTIC")] == (15, True)
    assert figures(await board(db)) == weeks
    async with db.transaction() as tx:
        stored = dict((await tx.session.execute(
            select(RollupPeriod.unit, func.count()).group_by(RollupPeriod.unit))).all())
    assert stored == {"week": 3, "month": 2}
    assert WEEK1.date().isoformat() == "2025-12-01"


async def test_one_teams_view_reads_the_roll_up_but_counts_only_its_team(db):
    await setup(db)
    await board(db)  # the whole organisation: counted and kept
    async with db.transaction() as tx:
        north = await tx.session.scalar(select(Team.id).where(Team.key == "north"))
    with Counting(db) as counting:
        only_north = figures(await board(db, team=str(north)))
    assert counting.seen == 0
    await add_reports(db, ["n1", "n2", "n3", "n4", "cli"], "GIFT", WEEK2)
    with Counting(db) as counting:
        again = figures(await board(db, team=str(north)))
    assert counting.seen == 3  # week 2, North only
    assert again["category"][0][("2025-12-08", "GIFT")] == (5, True)
    assert again["category"][0][("2025-12-01", "ROMANTIC")] == only_north["category"][0][("2025-12-01", "ROMANTIC")]
    with Counting(db) as counting:
        await board(db)  # nothing was kept for week 2 by North's look: the whole organisation counts it
    assert counting.seen == 3
    assert again == await afresh(db, team=str(north))


async def test_everyday_changes_to_people_keep_the_roll_up(db):
    await setup(db)
    await board(db)
    async with db.transaction() as tx:  # a directory update: a new name, not a new team
        person = await tx.people.by_key("n2")
        person.name = "N Two-Renamed"
    with Counting(db) as counting:
        await board(db)
    assert counting.seen == 0
    async with db.transaction() as tx:  # a team renamed: home teams are chosen by name
        team = (await tx.session.scalars(select(Team).where(Team.key == "south"))).one()
        team.name = "A South"
    with Counting(db) as counting:
        renamed = figures(await board(db))
    assert counting.seen == 3
    assert renamed == await afresh(db)
