"""Escalation timings on the dashboard: the median and 90th percentile in minutes, worked out
by PostgreSQL's percentile_cont there and by Python on SQLite, must be the same figures, and
suppressed below 5 or when one person reported them all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.features.console import dashboard
from bot.features.console.filters import parse
from bot.features.console.timings import quantile
from bot.features.escalation.storage import Escalation
from bot.machinery.storage.models import Team
from bot.org import orgfile
from tests.console_seed import ORG, WEEK1
from tests.features.console.test_rollup import TODAY

ACK = [3.0, 7.5, 12.0, 1.0, 30.0, 18.0, 4.0]  # minutes to acknowledge, one escalation each
RESOLVED = [60.0, 95.0, 240.0, 20.0]  # only four resolved: too few to show


async def escalations(db, team_key: str, authors: list[str]) -> None:
    async with db.transaction() as tx:
        team = await tx.session.scalar(select(Team.id).where(Team.key == team_key))
        for index, minutes in enumerate(ACK):
            author = await tx.people.by_key(authors[index % len(authors)])
            start = WEEK1 + timedelta(hours=index)
            tx.session.add(Escalation(
                team_id=team, reporter_id=author.id, reason="requested", status="acknowledged",
                created_at=start, acknowledged_at=start + timedelta(minutes=minutes),
                resolved_at=start + timedelta(minutes=RESOLVED[index]) if index < len(RESOLVED) else None))


async def figures(db):
    async with db.transaction() as tx:
        teams = list((await tx.session.scalars(select(Team).order_by(Team.name))).all())
        filters = parse({"unit": "week", "from": "2025-11-24", "to": "2025-12-14"}, teams, TODAY, is_admin=True)
        return {f.team: f for f in (await dashboard.build(tx, filters)).escalations}


async def test_median_and_p90_of_acknowledging_match_on_every_database(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    await escalations(db, "north", ["n1", "n2", "n3"])
    north = (await figures(db))["North"]
    assert north.started.count == 7 and north.started.shown
    assert north.acknowledge.median == round(quantile(ACK, 0.5), 1) == 7.5
    assert north.acknowledge.p90 == round(quantile(ACK, 0.9), 1) == 22.8
    assert north.resolve.median is None and not north.resolve.count.shown  # four: "fewer than 5"


async def test_one_reporter_alone_is_never_shown(db):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG))
    await escalations(db, "south", ["s1"])
    south = (await figures(db))["South"]
    assert not south.started.shown and south.acknowledge.median is None and south.resolve.median is None
