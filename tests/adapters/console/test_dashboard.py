"""The dashboard over HTTP: figures that match the database, suppressed where they must be, a
manager kept to their own teams, and every console URL tried by every role."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from adapters.appkeys import BOT_KEY
from bot.content.taxonomy import Category
from bot.machinery.storage.models import Report, Team, TeamMember
from tests.console_harness import Browser, apply_org, console_server, force_session, sign_in
from tests.console_seed import ORG, seed_reports

RANGE = "/console/dashboard?unit=week&from=2025-12-01&to=2025-12-14"


@pytest.fixture
async def site(database_url, tmp_path, clock):
    async with console_server(database_url, tmp_path, clock) as (base, app):
        await apply_org(app, ORG)
        await seed_reports(app[BOT_KEY].db)
        yield base, app


async def team_id(app, key: str) -> int:
    async with app[BOT_KEY].db.transaction() as tx:
        return await tx.session.scalar(select(Team.id).where(Team.key == key))


def row(page: str, label: str) -> str:
    """The cell after a row heading in the 'whole range' tables."""
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td>(.*?)</td>', page)
    return found.group(1) if found else ""


def svg(page: str, chart_id: str) -> str:
    return re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-t.*?</svg>', page, re.S).group(0)


async def test_a_manager_sees_their_teams_figures_as_in_the_database(site):
    base, app = site
    north = await team_id(app, "north")
    browser = Browser(base)
    await sign_in(browser, app, "mara")
    status, page = await browser.get(f"{RANGE}&team={north}")
    assert status == 200

    async with app[BOT_KEY].db.transaction() as tx:
        members = select(TeamMember.person_id).where(TeamMember.team_id == north, TeamMember.role == "member")
        offensive = await tx.session.scalar(select(func.count()).select_from(Report).where(
            Report.category == "OFFENSIVE", Report.author_id.in_(members)))
    assert offensive == 8
    assert row(page, Category.OFFENSIVE.label) == str(offensive)
    chart = svg(page, "by-category")
    assert re.search(rf'class="value">{offensive}</text>', chart)
    # Romantic: 12 then 3 — the week with 3 is suppressed, so the range total is hidden too.
    assert "hidden" in row(page, Category.ROMANTIC.label)
    assert "fewer than 5" in row(page, Category.CONTACT.label)
    assert 'role="img"' in chart and "<title" in chart
    # Per week: 20 then 7; all 27.
    assert row(page, "2025-12-01") == "20" and row(page, "2025-12-08") == "7"
    assert re.search(r'<th scope="row">All</th><td>27</td>', page)
    assert "South" not in page.split("<main", 1)[1].split("Volunteer chaperones", 1)[0]  # only North's figures
    await browser.close()


async def test_another_teams_id_in_the_url_is_refused(site):
    base, app = site
    south = await team_id(app, "south")
    browser = Browser(base)
    await sign_in(browser, app, "mara")
    status, page = await browser.get(f"{RANGE}&team={south}")
    assert status == 403
    status, page = await browser.get(f"{RANGE}&team=999999")
    assert status == 403  # the same answer as a team that does not exist
    await browser.close()


async def test_an_admin_sees_all_teams_but_small_teams_stay_suppressed(site):
    base, app = site
    browser = Browser(base)
    await sign_in(browser, app, "ada")
    status, page = await browser.get(f"{RANGE}&team=all")
    assert status == 200
    assert "fewer than 5" in row(page, Category.GIFT.label)  # South's two gifts
    # Week 1 is 22 in all, but South's 2 would be 22 - 20: hidden.
    assert row(page, "2025-12-01") == '<span class="suppressed">hidden</span>'
    await browser.close()


def _urls(south: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/console/", None),
        ("GET", "/console/dashboard", None),
        ("GET", f"/console/dashboard?team={south}", None),
        ("GET", "/console/work", None),
        ("POST", "/console/work/press", {"action": "escalation.view", "value": "1"}),
        ("POST", "/console/work/submit", {"_form": "escalation.resolve", "_state": "1", "note": "done"}),
        ("GET", "/console/audit", None),
        ("GET", "/console/exports", None),
        ("POST", "/console/exports", {"kind": "audit", "format": "csv", "from": "2025-01-01", "to": "2026-01-05"}),
        ("GET", "/console/admin", None),
        ("GET", "/console/admin/people", None),
        ("GET", "/console/admin/volunteers", None),
        ("GET", "/console/admin/org-file", None),
        ("POST", "/console/admin/org-file/preview", {"text": "organisation: {name: X}\npeople: []\n"}),
        ("POST", "/console/admin/org-file/apply", {"text": "people: [", "digest": "0"}),
        ("GET", "/console/admin/people?q=a&page=2", None),
    ]


# role → the URLs (by index in _urls) it may open; every other one must be 403.
ALLOWED = {
    "nobody": set(),
    "cli": set(),
    "aud": {0, 6, 7, 8},
    "mara": {0, 1, 3, 4, 5, 7, 8},
    "ada": set(range(16)),
}


@pytest.mark.parametrize("role", list(ALLOWED))
async def test_every_console_url_for_every_role(site, clock, role):
    base, app = site
    south = await team_id(app, "south")
    browser = Browser(base)
    if role != "nobody":
        browser.use_session(await force_session(app, role, clock.now()))
        await browser.get("/console/exports")  # a CSRF token, where the page is allowed
        if not browser.csrf:
            browser.csrf = "0" * 64
    for index, (method, url, data) in enumerate(_urls(south)):
        if method == "GET":
            status, page = await browser.get(url)
        else:
            status, page = await browser.post(url, data)
        expected_ok = index in ALLOWED[role]
        if expected_ok:
            assert status in (200, 400), (role, url, status)
        else:
            assert status == 403, (role, url, status)
    await browser.close()


async def test_a_post_without_the_csrf_token_or_from_another_origin_is_refused(site):
    base, app = site
    browser = Browser(base)
    await sign_in(browser, app, "ada")
    form = {"kind": "audit", "format": "csv", "from": "2025-01-01", "to": "2026-01-05"}
    assert (await browser.post("/console/exports", {**form, "csrf": "f" * 64}))[0] == 403
    assert (await browser.post("/console/exports", form, origin="https://evil.example"))[0] == 403
    assert (await browser.post("/console/exports", form, origin=""))[0] == 403  # no Origin, no Referer
    status, body = await browser.post("/console/exports", form)
    assert status == 200 and body.startswith("id,at,actor,action")
    await browser.close()


@pytest.mark.parametrize("query", [
    "?unit=fortnight", "?from=2025-13-45&to=yesterday", "?from=9999-12-31", "?from=0001-01-01&to=2025-12-31",
    "?team=%00", "?team=" + "9" * 400, "?unit=month&from=2020-01-01&to=2026-01-05", "?from=2026-01-05&to=2025-01-01",
])
async def test_odd_dashboard_filters_fall_back_and_say_so(site, query):
    base, app = site
    browser = Browser(base)
    await sign_in(browser, app, "ada")
    status, page = await browser.get("/console/dashboard" + query)
    assert status in (200, 403), (query, status)
    await browser.close()
