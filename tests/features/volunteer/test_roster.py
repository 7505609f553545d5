"""Importing the volunteer roster from CSV: checked row by row, applied all or nothing."""

import asyncio

import pytest

from bot.features.volunteer import roster
from bot.features.volunteer.storage import VolunteerProfile
from bot.org import orgfile
from tests.cli_harness import run

GOOD = """key,active,settings,sites,professions,windows,unavailable,timezone
sam,yes,in_person;telehealth,Main building,nurse,Mon-Fri 08:00-18:00; Sat 09:00-12:00,2026-12-25,Europe/London
priya,no,,,,,,
"""


def test_every_problem_names_the_line_and_column():
    text = "key,active,settings,windows,colour\nsam,maybe,flying,Mon 9-5,red\n,yes,,,\nsam,yes,,,\n"
    result = roster.parse(text, "r.csv")
    assert result.rows == []
    assert result.problems == [
        "r.csv: line 1: unknown column(s) colour (known: key, active, settings, sites, professions, windows, unavailable, timezone)",
        "r.csv: line 2: active: 'maybe' is not yes or no",
        "r.csv: line 2: settings: flying (use in_person, telehealth, home_visit)",
        "r.csv: line 2: windows: 'Mon 9-5' is not like 'Mon-Fri 08:00-18:00'",
        "r.csv: line 3: key: empty",
        "r.csv: line 4: key: 'sam' is also on line 2",
    ]
    assert roster.parse("name\nsam\n", "r.csv").problems[0].endswith("with at least 'key'")


async def test_apply_creates_and_updates_and_refuses_unknown_people(db, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.demo(), now=clock.now())  # sam and priya start with defaults
    parsed = roster.parse(GOOD, "r.csv")
    assert parsed.problems == []
    async with db.transaction() as tx:
        created, updated, problems = await roster.apply(tx, parsed.rows, clock.now(), "r.csv")
    assert (created, updated, problems) == (0, 2, [])
    async with db.transaction() as tx:
        sam = await tx.session.get(VolunteerProfile, (await tx.people.by_key("sam")).id)
        assert sam.settings == ["in_person", "telehealth"] and sam.sites == ["Main building"]
        assert [w["day"] for w in sam.windows] == [0, 1, 2, 3, 4, 5] and sam.unavailable == ["2026-12-25"]
        priya = await tx.session.get(VolunteerProfile, (await tx.people.by_key("priya")).id)
        assert priya.active is False and priya.settings == ["in_person", "telehealth", "home_visit"]
    with_stranger = roster.parse(GOOD + "zed,yes,,,,,,\n", "r.csv")
    async with db.transaction() as tx:
        _, _, problems = await roster.apply(tx, with_stranger.rows, clock.now(), "r.csv")
    assert problems == ["r.csv: line 4: key: no active person 'zed' in the organisation"]


def test_the_command_applies_nothing_when_any_row_is_wrong(tmp_path, fresh_database_url):
    url = fresh_database_url
    (tmp_path / "org.yaml").write_text(run(["org", "example"], tmp_path).stdout)
    assert run(["org", "apply", "org.yaml"], tmp_path, DATABASE_URL=url).returncode == 0
    (tmp_path / "ok.csv").write_text("key,windows\nsam,Mon-Fri 09:00-17:00\nasha,Tue 10:00-12:00\n")
    ok = run(["roster", "import", "ok.csv"], tmp_path, DATABASE_URL=url)
    assert ok.returncode == 0 and "1 volunteer profiles created, 1 updated" in ok.stdout, ok.stdout + ok.stderr
    (tmp_path / "bad.csv").write_text("key,windows\nsam,Sat 09:00-12:00\nnobody,Mon 09:00-17:00\n")
    bad = run(["roster", "import", "bad.csv"], tmp_path, DATABASE_URL=url)
    assert bad.returncode == 1 and "nothing was imported" in bad.stderr
    assert "bad.csv: line 3: key: no active person 'nobody'" in bad.stderr and "Traceback" not in bad.stderr
    assert asyncio.run(windows_of(url, "sam")) == [0, 1, 2, 3, 4]  # still Mon-Fri: line 2 was not applied


async def windows_of(url: str, key: str) -> list[int]:
    from bot.machinery.storage.db import Database

    db = Database(url)
    try:
        async with db.transaction() as tx:
            profile = await tx.session.get(VolunteerProfile, (await tx.people.by_key(key)).id)
            return [w["day"] for w in profile.windows]
    finally:
        await db.dispose()


@pytest.mark.parametrize("command", [["roster"], ["roster", "import"]])
def test_roster_help(command, tmp_path):
    assert "Usage:" in run(command + ["--help"], tmp_path).stdout
