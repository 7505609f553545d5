"""The console in real headless Chromium: a manager signs in from the link the bot sends in
the web chat, reads the dashboard, acknowledges an escalation from the page using the keyboard
only, and sees it in chat; an admin filters the audit log and exports it. Every page is checked
with axe-core (vendored in tests/vendor) for serious or critical accessibility violations.

Screenshots go to screenshots/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
import random
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.appkeys import BOT_KEY
from bot.port.events import FormSubmitted, Identity
from tests.console_harness import console_server
from tests.console_seed import add_reports

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[3] / "screenshots"))
if not CHROMIUM and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)

AXE = (Path(__file__).resolve().parents[2] / "vendor" / "axe.min.js").read_text(encoding="utf-8")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


async def seed(app, clock) -> None:
    """Twelve weeks of reports for Outpatients (so the charts have something to show), and
    one unsafe report from Asha that escalates to Morgan now."""
    bot = app[BOT_KEY]
    rng = random.Random(17)
    for week in range(1, 13):
        at = clock.now() - timedelta(weeks=week, hours=rng.randint(0, 100))
        for category, authors in (("ROMANTIC", ["asha", "sam", "jordan"]), ("OFFENSIVE", ["priya", "sam"]),
                                  ("CONTACT", ["asha", "jordan"]), ("GIFT", ["priya", "asha"])):
            for setting, step in (("in_person", 2), ("telehealth", 1)):
                await add_reports(bot.db, authors, category, at, each=rng.randint(3, 5), setting=setting, step=step)
    asha = Identity("web", "demo", "asha")
    await bot.handle(FormSubmitted(asha, "report", {"category": "THREAT", "setting": "home_visit",
                                                    "occurrence": "first", "felt_unsafe": "yes",
                                                    "details": "He stood in the doorway and would not move."}))


async def axe_problems(page) -> list[str]:
    await page.add_script_tag(content=AXE)
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text is ``name`` (keyboard only, as a person would)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement && document.activeElement.innerText")
        if focused and focused.strip() == name:
            return
    raise AssertionError(f"could not reach {name!r} with the Tab key")


async def test_manager_and_admin_use_the_console_in_a_real_browser(database_url, tmp_path, clock):
    from playwright.async_api import async_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    async with console_server(database_url, tmp_path, clock) as (base, app), async_playwright() as p:
        await seed(app, clock)
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # axe is injected as a script: only the test context bypasses the page's CSP for it.
            context = await browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True,
                                                accept_downloads=True)
            page = await context.new_page()
            problems: dict[str, list[str]] = {}

            # Morgan asks the bot for a link in the web chat and follows it.
            await page.goto(base + "/")
            await page.get_by_role("button", name="Morgan Reyes").click()
            await page.get_by_placeholder("Type report, script, status or help").fill("console")
            await page.get_by_role("button", name="Send").click()
            await page.get_by_role("link", name="Open the console").last.click()
            problems["link"] = await axe_problems(page)
            await page.get_by_role("button", name="Continue to the console").click()
            await page.wait_for_url(base + "/console/dashboard")
            assert await page.get_by_role("heading", name="Dashboard", level=1).is_visible()
            assert await page.locator("svg.chart").count() >= 6
            await page.screenshot(path=str(SHOTS / "console-dashboard.png"), full_page=True)
            problems["dashboard"] = await axe_problems(page)

            # Keyboard only: skip link, then to Open work, then Acknowledge.
            await page.keyboard.press("Tab")
            assert (await page.evaluate("document.activeElement.innerText")).strip() == "Skip to the main content"
            await tab_to(page, "Open work")
            await page.keyboard.press("Enter")
            await page.wait_for_url(base + "/console/work")
            assert await page.get_by_text("Escalation: threats or aggression").is_visible()
            await page.screenshot(path=str(SHOTS / "console-open-work.png"), full_page=True)
            problems["work"] = await axe_problems(page)
            await tab_to(page, "Acknowledge")
            outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none"  # focus is visible
            async with page.expect_navigation():
                await page.keyboard.press("Enter")
            assert await page.get_by_text("You acknowledged E-1").is_visible()
            await page.screenshot(path=str(SHOTS / "console-acknowledged.png"), full_page=True)

            # Chat shows it: Morgan's notice in the web chat now reads "Acknowledged".
            for _ in range(40):
                await page.goto(base + "/")
                if await page.get_by_text("Acknowledged at").count():
                    break
                await page.wait_for_timeout(100)
            assert await page.get_by_text("Acknowledged at").count()
            await page.screenshot(path=str(SHOTS / "console-chat-after-ack.png"), full_page=True)
            await context.close()

            # Alex, the admin, signs in (demo picker, local mode), filters the audit log, exports it.
            context = await browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True,
                                                accept_downloads=True)
            page = await context.new_page()
            await page.goto(base + "/console/signin")
            problems["signin"] = await axe_problems(page)
            await page.screenshot(path=str(SHOTS / "console-signin.png"), full_page=True)
            await page.get_by_role("button", name="Alex Kim").click()
            await page.get_by_role("link", name="Audit log").click()
            await page.get_by_label("Action").select_option("escalation.acknowledged")
            await page.get_by_role("button", name="Filter").click()
            rows = page.locator("table.audit tbody tr")
            assert await rows.count() == 1 and "Morgan Reyes (morgan)" in await rows.first.inner_text()
            await page.screenshot(path=str(SHOTS / "console-audit.png"), full_page=True)
            problems["audit"] = await axe_problems(page)

            await page.get_by_role("link", name="Exports").click()
            await page.get_by_label("Audit log").check()
            async with page.expect_download() as waiting:
                await page.get_by_role("button", name="Download").click()
            download = await waiting.value
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            assert saved.read_text().startswith("id,at,actor,action") and "escalation.acknowledged" in saved.read_text()
            problems["exports"] = await axe_problems(page)

            for path in ("/console/admin", "/console/admin/people", "/console/admin/org-file"):
                await page.goto(base + path)
                problems[path] = await axe_problems(page)
            await page.screenshot(path=str(SHOTS / "console-org-file.png"), full_page=True)
            await page.goto(base + "/console/admin/people")
            await page.screenshot(path=str(SHOTS / "console-people.png"), full_page=True)
            await context.close()
        finally:
            await browser.close()
    assert {k: v for k, v in problems.items() if v} == {}
