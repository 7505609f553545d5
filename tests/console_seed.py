"""A small organisation for console tests, and reports written straight into the database at
chosen times (the dashboard only reads them)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.machinery.storage.models import Report

ORG = """
organisation: {name: Console Test Clinic, timezone: UTC, sites: [North Wing, South Wing]}
people:
  - {key: mara, name: Mara North-Manager, email: mara@test.invalid, identities: [{platform: web, user: mara}]}
  - {key: sol, name: Sol South-Manager, email: sol@test.invalid, identities: [{platform: web, user: sol}]}
  - {key: ada, name: Ada Admin, email: ada@test.invalid, admin: true}
  - {key: aud, name: Audrey Auditor, email: aud@test.invalid, auditor: true}
  - {key: cli, name: Cleo Clinician, email: cli@test.invalid, identities: [{platform: web, user: cli}]}
  - {key: vol, name: Val Volunteer, email: vol@test.invalid, volunteer: true}
  - {key: n1, name: N One, identities: [{platform: web, user: n1}]}
  - {key: n2, name: N Two}
  - {key: n3, name: N Three}
  - {key: n4, name: N Four}
  - {key: s1, name: S One}
  - {key: s2, name: S Two}
teams:
  - {key: north, name: North, managers: [mara], members: [cli, n1, n2, n3, n4]}
  - {key: south, name: South, managers: [sol], members: [s1, s2]}
"""

WEEK1 = datetime(2025, 12, 1, 10, 0, tzinfo=UTC)  # a Monday
WEEK2 = datetime(2025, 12, 8, 10, 0, tzinfo=UTC)


async def add_reports(db, author_keys: list[str], category: str, at: datetime, *, step: int = 2,
                      setting: str = "in_person", each: int = 1) -> None:
    """``each`` reports per author, all at ``at``."""
    async with db.transaction() as tx:
        for key in author_keys:
            person = await tx.people.by_key(key)
            for _ in range(each):
                tx.session.add(Report(author_id=person.id, category=category, setting=setting, occurrence="first",
                                      felt_unsafe=False, factors=[], step=step, status="open", created_at=at,
                                      updated_at=at))


async def seed_reports(db) -> None:
    """North, week 1: 12 romantic (4 people) and 8 offensive (4 people); week 2: 3 romantic and
    4 contact. South, week 1: 2 gifts."""
    await add_reports(db, ["n1", "n2", "n3", "n4"], "ROMANTIC", WEEK1, each=3)
    await add_reports(db, ["n1", "n2", "n3", "n4"], "OFFENSIVE", WEEK1, each=2, step=1, setting="telehealth")
    await add_reports(db, ["n1", "n2", "n3"], "ROMANTIC", WEEK2)
    await add_reports(db, ["n1", "n2", "n3", "n4"], "CONTACT", WEEK2)
    await add_reports(db, ["s1", "s2"], "GIFT", WEEK1, step=1)
