"""One real headless-Chromium run of the web chat: a clinician files a report and sees a script.

Uses Debian's chromium (``/usr/bin/chromium``, installed by ``.ci/run``) driven by Playwright.
Skipped when no Chromium is installed, unless ``REQUIRE_BROWSER=1`` (CI sets it).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[3] / "screenshots"))

pytestmark = pytest.mark.browser

if not CHROMIUM and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)


async def test_a_clinician_reports_in_a_real_browser(server):
    from playwright.async_api import async_playwright

    base, _ = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            page = await browser.new_page(viewport={"width": 900, "height": 1400})
            await page.goto(base + "/")
            await page.get_by_role("button", name="Dr Asha Patel").click()
            await page.get_by_placeholder("Type report, script, status or help").fill("report")
            await page.get_by_role("button", name="Send").click()

            # Send it half-filled first: errors appear beside the fields, the choice is kept.
            await page.get_by_label("Asked me out, or for my number, to meet up or to connect online").check()
            await page.get_by_role("button", name="Save and get advice").click()
            assert await page.get_by_text("Please check the 1 highlighted answer").is_visible()
            assert await page.get_by_label("Asked me out, or for my number, to meet up or to connect online").is_checked()
            await page.screenshot(path=str(SHOTS / "report-form-errors.png"), full_page=True)

            await page.locator("input[name=felt_unsafe][value=no]").check()
            await page.get_by_label("What happened, in your own words (optional)").fill(
                "Asked me out again at the end of the video call."
            )
            await page.get_by_role("button", name="Save and get advice").click()

            card = page.locator("article.card").last
            assert "saved privately" in await card.locator("h3").inner_text()
            assert await card.locator("blockquote").count() == 1
            words = await card.locator("blockquote").inner_text()
            assert len(words) > 20
            assert "Why:" in await card.inner_text() and "Recommended step" not in await card.inner_text()
            await page.screenshot(path=str(SHOTS / "report-saved.png"), full_page=True)

            # The optional rest, after the advice: where it was, and a nickname for the client.
            await card.get_by_role("button", name="Add details").click()
            await page.get_by_label("Telehealth (video or phone)").check()
            await page.get_by_label("It has happened before").check()
            await page.get_by_label("Your own nickname for this client (optional)").fill("Blue heron")
            await page.get_by_role("button", name="Save details").click()
            assert "saved privately" in await page.locator("article.card").last.locator("h3").inner_text()

            await page.get_by_role("button", name="My reports").last.click()
            assert await page.get_by_text("You have 1 open report").is_visible()
            await page.screenshot(path=str(SHOTS / "status.png"), full_page=True)
        finally:
            await browser.close()
