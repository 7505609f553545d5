"""The audit log view (filtered, paged, its own opening audited), exports from the page and
from the command line (every one audited; narratives only for an admin with a reason), and
applying an organisation file from the page after a dry run."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.appkeys import BOT_KEY
from bot.features.console.storage import ConsoleExport
from bot.machinery.storage.models import AuditEntry, Person
from tests.cli_harness import run
from tests.console_harness import Browser, apply_org, console_server, sign_in
from tests.console_seed import ORG, WEEK1, add_reports


@pytest.fixture
async def site(database_url, tmp_path, clock):
    async with console_server(database_url, tmp_path, clock) as (base, app):
        await apply_org(app, ORG)
        bot = app[BOT_KEY]
        async with bot.db.transaction() as tx:  # 120 entries by Mara, 5 by Sol, on two days
            mara, sol = await tx.people.by_key("mara"), await tx.people.by_key("sol")
            for n in range(120):
                await tx.audit.record(clock.now() - timedelta(days=2), mara.id, "report.viewed", "report", n + 1)
            for n in range(5):
                await tx.audit.record(clock.now() - timedelta(days=1), sol.id, "escalation.acknowledged",
                                      "escalation", n + 1)
        yield base, app


async def audited(app, action: str) -> list[AuditEntry]:
    async with app[BOT_KEY].db.transaction() as tx:
        return list((await tx.session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def test_an_admin_filters_and_pages_the_audit_log_and_the_opening_is_audited(site):
    base, app = site
    browser = Browser(base)
    await sign_in(browser, app, "ada")
    status, page = await browser.get("/console/audit?person=mara&action=report.viewed")
    assert status == 200
    assert page.count("Mara North-Manager (mara)") == 50 and "Older entries" in page
    assert "escalation.acknowledged</td>" not in page
    status, page = await browser.get("/console/audit?person=mara&action=report.viewed&page=3")
    assert page.count("Mara North-Manager (mara)") == 20 and "Older entries" not in page and "Newer entries" in page
    status, page = await browser.get("/console/audit?subject=escalation&subject_id=3")
    assert page.count("Sol South-Manager (sol)") == 1
    status, page = await browser.get("/console/audit?from=2026-01-04&to=2026-01-04")
    assert page.count("Sol South-Manager (sol)") == 5 and "Mara North-Manager (mara)" not in page
    status, page = await browser.get("/console/audit?person=nobody-like-this")
    assert "No one matches" in page
    status, page = await browser.get("/console/audit?page=abc&subject_id=-4&from=yesterday")
    assert status == 200  # nonsense filters fall back, never a 500
    opened = await audited(app, "console.audit_viewed")
    assert len(opened) == 6 and {e.actor_id for e in opened} == {(await _id(app, "ada"))}
    await browser.close()


async def _id(app, key: str) -> int:
    async with app[BOT_KEY].db.transaction() as tx:
        return await tx.session.scalar(select(Person.id).where(Person.key == key))


async def test_exports_from_the_page_are_audited_and_narratives_need_an_admin_and_a_reason(site, clock):
    base, app = site
    await add_reports(app[BOT_KEY].db, ["n1", "n2"], "ROMANTIC", WEEK1)
    async with app[BOT_KEY].db.transaction() as tx:
        report = await tx.reports.get(1)
        report.details_sealed = app[BOT_KEY].sealer.seal("he asked for my number again")
    browser = Browser(base)
    await sign_in(browser, app, "ada")
    window = {"from": "2025-11-01", "to": "2026-01-05"}
    status, body = await browser.post("/console/exports", {"kind": "audit", "format": "csv", **window})
    rows = list(csv.DictReader(io.StringIO(body)))
    assert status == 200 and len(rows) >= 125 and rows[0].keys() == {"id", "at", "actor", "action", "subject_type",
                                                                      "subject_id"}
    status, body = await browser.post("/console/exports", {"kind": "audit", "format": "json", **window})
    assert status == 200 and {r["action"] for r in json.loads(body)} >= {"report.viewed", "console.exported"}

    status, body = await browser.post("/console/exports", {"kind": "reports", "format": "json", **window})
    assert status == 200 and "narrative" not in body and len(json.loads(body)) == 2
    status, page = await browser.post("/console/exports", {"kind": "reports", "format": "json",
                                                           "narratives": "yes", **window})
    assert status == 400 and "Say why you need the narratives" in page
    status, body = await browser.post("/console/exports", {"kind": "reports", "format": "json", "narratives": "yes",
                                                           "reason": "HR investigation 2025-77 requested", **window})
    assert status == 200 and json.loads(body)[0]["narrative"] == "he asked for my number again"
    assert {e.subject_id for e in await audited(app, "report.exported")} == {1, 2}

    async with app[BOT_KEY].db.transaction() as tx:
        records = (await tx.session.scalars(select(ConsoleExport).order_by(ConsoleExport.id))).all()
    assert [r.kind for r in records] == ["audit", "audit", "reports", "reports"]
    assert app[BOT_KEY].sealer.open(records[-1].reason_sealed) == "HR investigation 2025-77 requested"
    assert len(await audited(app, "console.exported")) == 4
    status, body = await browser.post("/console/exports", {"kind": "dashboard", "format": "csv", **window})
    assert status == 200 and "reports by category" in body and "fewer than 5" in body
    await browser.close()

    auditor = Browser(base)
    await sign_in(auditor, app, "aud")
    status, body = await auditor.post("/console/exports", {"kind": "audit", "format": "csv", **window})
    assert status == 200
    status, page = await auditor.post("/console/exports", {"kind": "reports", "format": "csv", **window})
    assert status == 400 and "You may not export that" in page
    await auditor.close()


def test_the_command_line_exports_with_a_progress_bar_and_an_audit_entry(tmp_path, fresh_database_url):
    url = fresh_database_url
    (tmp_path / "org.yaml").write_text(ORG)
    assert run(["org", "apply", "org.yaml"], tmp_path, DATABASE_URL=url).returncode == 0
    out = run(["export", "audit", "--from", "2020-01-01", "--to", "2099-12-31", "--format", "json",
               "--as", "aud", "--output", "audit.json"], tmp_path, DATABASE_URL=url)
    assert out.returncode == 0, out.stderr
    assert "Exporting audit" in out.stderr and "wrote" in out.stdout
    assert json.loads((tmp_path / "audit.json").read_text()) == []  # nothing had been audited before it
    again = run(["export", "audit", "--from", "2020-01-01", "--to", "2099-12-31", "--as", "aud",
                 "--output", "audit.csv"], tmp_path, DATABASE_URL=url)
    assert "console.exported" in (tmp_path / "audit.csv").read_text()  # the first export, audited
    refused = run(["export", "reports", "--from", "2020-01-01", "--to", "2020-02-01", "--as", "aud"],
                  tmp_path, DATABASE_URL=url)
    assert refused.returncode == 1 and "You may not export that" in refused.stderr
    assert "Traceback" not in refused.stderr + again.stderr


async def test_an_admin_applies_an_organisation_file_after_a_dry_run(site):
    base, app = site
    browser = Browser(base)
    await sign_in(browser, app, "ada")
    await browser.get("/console/admin/org-file")
    changed = ORG.replace("- {key: s2, name: S Two}", "- {key: s2, name: S Two}\n  - {key: s3, name: S Three}")
    status, page = await _multipart(browser, "/console/admin/org-file/preview", changed)
    assert status == 200 and "people created: 1 (s3)" in page and "Apply these changes" in page, page[-1500:]
    async with app[BOT_KEY].db.transaction() as tx:
        assert await tx.people.by_key("s3") is None  # the dry run kept nothing
    digest = page.split('name="digest" value="')[1].split('"')[0]
    status, page = await _multipart(browser, "/console/admin/org-file/apply", changed, digest=digest)
    assert status == 200 and "Applied" in page
    async with app[BOT_KEY].db.transaction() as tx:
        assert await tx.people.by_key("s3") is not None
    assert len(await audited(app, "console.org_applied")) == 1
    status, page = await _multipart(browser, "/console/admin/org-file/preview", "people: [")
    assert status == 400 and "not valid YAML" in page
    status, page = await _multipart(browser, "/console/admin/org-file/apply", changed + "\n# edited", digest=digest)
    assert status == 400 and "changed since the dry run" in page
    status, page = await browser.get("/console/admin/people?q=one")
    assert "N One" in page and "S One" in page and "Mara" not in page
    await browser.close()


async def _multipart(browser: Browser, path: str, text: str, **extra) -> tuple[int, str]:
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("csrf", browser.csrf)
    for name, value in extra.items():
        form.add_field(name, value)
    form.add_field("text", text)
    async with browser.http.post(browser.base + path, data=form, headers={"Origin": browser.base}) as response:
        page = await response.text()
        return response.status, page
