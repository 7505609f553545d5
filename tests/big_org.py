"""A hospital-sized organisation for tests and benchmarks: the demo organisation (so its
people, teams and web identities still work) plus 20,000 generated staff in 400 teams, 300
sites and 2,000 volunteer chaperones, each with a Slack and a Teams identity.

Built once per test session (pytest fixture ``big_database_url``) with bulk inserts — the
organisation file's ``apply`` is for hand-kept files, not for this — and copied for each test
on SQLite; on PostgreSQL one database is built per session and shared (tests add to it, none
relies on it being untouched).

Names are made from common given and family names, so searching "ali" or "pat" finds
many people, as it would in a real trust.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import insert, select

from bot.machinery.storage import migrate
from bot.machinery.storage.db import Database, make_engine
from bot.machinery.storage.models import Identity, Person, Team, TeamMember
from bot.org import orgfile

PEOPLE = 20_000
TEAMS = 400
SITES = 300
VOLUNTEERS = 2_000
SLACK_TEAM = "T0TEST"  # tests/fake_slack.py's workspace
TEAMS_TENANT = "tenant-1"  # tests/teams_harness.py's tenant



def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN = _names("Aaliyah Aaron Abdul Ada Adam Adebayo Aditi Adrian Agnes Ahmed Aisha Alan Alex Alice Ali Alina Amara "
         "Amelia Amir Amy Ana Andrew Angela Anil Anna Anya Arjun Asha Ayesha Barbara Ben Bianca Bilal Bola "
         "Brian Bronwen Callum Carlos Carmen Catherine Chen Chidi Chloe Chris Claire Connor Daniel Dara David "
         "Deepa Diana Dmitri Ebony Eilidh Elena Eli Emeka Emma Eric Esther Fatima Femi Fiona Gareth Grace "
         "Hamza Hannah Harriet Hassan Helen Hiro Ian Ifeoma Imran Isla Ivan Jack James Jasmine Jia Joanna "
         "Jordan Jose Joy Julia Kai Karen Kemi Kevin Kofi Lena Leo Li Liam Lucy Mai Maria Mark Maya Mei "
         "Mohammed Morgan Nadia Naledi Nia Noah Olu Omar Paul Priya Rania Ravi Rosa Ruth Sam Sara Sean "
         "Sofia Tariq Tom Uma Yusuf Zara")
FAMILY = _names("Abbott Adeyemi Ahmed Ali Allen Anderson Appiah Atkinson Bailey Baker Banerjee Barnes Bell Bennett "
          "Bhatt Brown Butler Campbell Carter Chan Chapman Chen Clarke Cole Collins Cook Cooper Cox Davies "
          "Davis Dixon Edwards Ellis Evans Fernandes Fisher Fleming Foster Fraser Garcia Ghosh Gibson Gordon "
          "Graham Grant Gray Green Griffiths Gupta Hall Hamilton Harris Harrison Hassan Hughes Hunt Hussain "
          "Iqbal Jackson James Jenkins Johnson Jones Kaur Kelly Khan Kim King Knight Kumar Lee Lewis Li "
          "Lloyd Lopez Marshall Martin Mason Matthews Mensah Miller Mills Mitchell Moore Morgan Morris Murphy "
          "Murray Nguyen Nwosu Obi Okafor Okonkwo Oliver Owen Palmer Parker Patel Pearson Phillips Powell "
          "Price Rahman Reid Reyes Richards Roberts Robinson Rodriguez Rogers Ross Russell Saunders Scott "
          "Shah Sharma Shaw Simpson Singh Smith Stewart Taylor Thomas Thompson Turner Walker Wallace Wang "
          "Ward Watson Webb White Williams Wilson Wood Wright Wu Young Yusuf Zhang")
SPECIALTIES = _names("Cardiology Oncology Paediatrics Maternity Emergency Orthopaedics Neurology Renal Respiratory "
               "Psychiatry Dermatology Radiology Surgery Gastroenterology Haematology Rheumatology Urology "
               "Ophthalmology Geriatrics Palliative")
TOWNS = _names("Ashford Bexley Camden Dartford Ealing Enfield Fulham Greenwich Hackney Harrow Hounslow Islington "
         "Kingston Lambeth Lewisham Merton Newham Redbridge Richmond Southwark Sutton Wandsworth Watford "
         "Woking Brent")
PROFESSIONS = ("nurse", "doctor", "therapist", "allied", None)


def name_of(n: int) -> str:
    return f"{GIVEN[n % len(GIVEN)]} {FAMILY[(n // len(GIVEN)) % len(FAMILY)]}"


def site_names() -> list[str]:
    kinds = ("Hospital", "Health Centre", "Community Clinic", "Day Unit")
    return [f"{TOWNS[i % len(TOWNS)]} {kinds[(i // len(TOWNS)) % len(kinds)]} {i // (len(TOWNS) * len(kinds)) + 1}"
            for i in range(SITES)]


def team_name(t: int) -> str:
    return f"{SPECIALTIES[t % len(SPECIALTIES)]} {TOWNS[(t // len(SPECIALTIES)) % len(TOWNS)]}"


def slack_user(n: int) -> str:
    return f"UBIG{n:05d}"


def teams_user(n: int) -> str:
    return f"aad-big{n:05d}"  # Teams people are known by their Azure AD object id


async def build(url: str) -> None:
    """Migrate ``url`` and fill it with the big organisation."""
    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    document = yaml.safe_load(Path(orgfile.__file__).with_name("demo_org.yaml").read_text())
    document["organisation"]["sites"] = site_names()
    document["organisation"]["demo"] = False
    document["organisation"]["slack_workspaces"] = [SLACK_TEAM]  # requests are believed only from these
    document["organisation"]["teams_tenants"] = [TEAMS_TENANT]
    db = Database(url)
    try:
        async with db.transaction() as tx:
            await orgfile.apply(tx, orgfile.parse(yaml.safe_dump(document)))
        async with db.transaction() as tx:
            s = tx.session
            await s.execute(insert(Person), [
                {"key": f"big{n:05d}", "display_name": name_of(n), "email": f"staff{n:05d}@big.invalid",
                 "profession": PROFESSIONS[n % len(PROFESSIONS)], "is_admin": False, "is_auditor": False,
                 "is_volunteer": n % (PEOPLE // VOLUNTEERS) == 0, "active": True}
                for n in range(PEOPLE)])
            ids = dict((await s.execute(select(Person.key, Person.id).where(Person.key.like("big%")))).all())
            await s.execute(insert(Identity), [
                row for n in range(PEOPLE) for row in (
                    {"person_id": ids[f"big{n:05d}"], "platform": "slack", "workspace": SLACK_TEAM,
                     "user_id": slack_user(n)},
                    {"person_id": ids[f"big{n:05d}"], "platform": "teams", "workspace": TEAMS_TENANT,
                     "user_id": teams_user(n)})])
            await s.execute(insert(Team), [{"key": f"bigteam{t:03d}", "name": team_name(t)} for t in range(TEAMS)])
            team_ids = dict((await s.execute(select(Team.key, Team.id).where(Team.key.like("bigteam%")))).all())
            await s.execute(insert(TeamMember), [
                {"team_id": team_ids[f"bigteam{n % TEAMS:03d}"], "person_id": ids[f"big{n:05d}"],
                 "role": "manager" if n < TEAMS else "member"}
                for n in range(PEOPLE)])
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def big_template(tmp_path_factory) -> str:
    from tests.conftest import PG_BASE, drop_postgres_database, new_postgres_database

    if PG_BASE:
        url = new_postgres_database("bb_big")
        asyncio.run(build(url))
        yield url
        drop_postgres_database(url)
    else:
        path = tmp_path_factory.mktemp("big") / "big.db"
        asyncio.run(build(f"sqlite+aiosqlite:///{path}"))
        yield str(path)


@pytest.fixture
def big_database_url(big_template, tmp_path) -> str:
    """A database holding the 20,000-person organisation (a fresh copy per test on SQLite)."""
    if big_template.startswith("postgresql"):
        return big_template
    path = tmp_path / "big.db"
    shutil.copy(big_template, path)
    return f"sqlite+aiosqlite:///{path}"
