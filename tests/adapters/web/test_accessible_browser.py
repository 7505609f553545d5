"""The web chat in headless Chromium, checked the way a keyboard or screen-reader user would
meet it: axe-core (vendored in tests/vendor, nothing from the internet) reports no violation
of any impact in any page state at 1280 and 375 px; on a phone nothing scrolls sideways and
every control is at least 44 px tall; focus moves to each answer, error summary and dialog;
a half-written report survives a reload and the page warns before it is lost.
"""

import asyncio
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[3] / "screenshots"))
AXE = (Path(__file__).resolve().parents[2] / "vendor" / "axe.min.js").read_text(encoding="utf-8")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = ((1280, 900), (375, 800))

pytestmark = pytest.mark.browser

if not CHROMIUM and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)

SMALL_TARGETS = """() => [...document.querySelectorAll('button, select, a.button, input:not([type=hidden]), textarea')]
  .filter((el) => el.offsetParent !== null || el.closest('dialog[open]'))
  .filter((el) => !['radio', 'checkbox'].includes(el.type))
  .filter((el) => el.getBoundingClientRect().height < 44)
  .map((el) => el.outerHTML.slice(0, 80))"""
CHOICES_TOO_SMALL = """() => [...document.querySelectorAll('label.choice')]
  .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
  .map((el) => el.textContent.trim().slice(0, 40))"""


async def check(page, state: str, problems: dict) -> None:
    """axe at both widths (any impact), a screenshot of each, and on the phone: no sideways
    scrolling and 44 px targets. The viewport goes back to desktop afterwards."""
    for width, height in WIDTHS:
        await page.set_viewport_size({"width": width, "height": height})
        if not await page.evaluate("typeof axe !== 'undefined'"):
            await page.add_script_tag(content=AXE)
        result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]
        if width < 600:
            wide = await page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                found.append(f"scrolls sideways: {wide} px wide")
            found += [f"under 44 px: {t}" for t in await page.evaluate(SMALL_TARGETS)]
            found += [f"choice under 44 px: {t}" for t in await page.evaluate(CHOICES_TOO_SMALL)]
        if found:
            problems[f"{state} @{width}"] = found
        # The phone's shot is what the person sees (where focus put them); the desktop's is whole.
        await page.evaluate("document.activeElement?.closest('.entry, dialog')?.scrollIntoView({block: 'start'})")
        await page.screenshot(path=str(SHOTS / f"a11y-{state}-{width}.png"), full_page=width >= 600)
    await page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})


async def send(page, text: str) -> None:
    await page.get_by_label("Message").fill(text)
    await page.get_by_role("button", name="Send").click()
    await page.wait_for_load_state()


async def test_every_page_state_is_accessible_at_desktop_and_phone_widths(server):
    from playwright.async_api import async_playwright, expect

    base, _ = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # bypass_csp: only so the test can inject axe; the page itself runs no inline script.
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
            page = await context.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto(base + "/")
            await check(page, "picker", problems)

            await page.get_by_role("button", name="Dr Asha Patel").click()
            await page.wait_for_selector("body[data-live=on]")
            await check(page, "home", problems)

            await send(page, "report")
            await check(page, "report-form", problems)
            await page.get_by_label("Asked me out, or for my number, to meet up or to connect online").check()
            await page.get_by_role("button", name="Save and get advice").click()
            await page.wait_for_load_state()
            summary = page.locator(".error-summary")
            await expect(summary).to_be_focused()  # the error summary takes focus
            await check(page, "report-errors", problems)

            # A draft survives a reload; leaving with unsaved text asks first.
            details = page.locator("form[data-form=report] textarea").last
            await details.fill("Asked me out again after the session.")
            await page.locator("[name=category][value=CONTACT]").check()
            await page.reload()
            await expect(page.get_by_text("Restored what you had typed before")).to_be_visible()
            await expect(page.locator("form[data-form=report] textarea").last).to_have_value(
                "Asked me out again after the session.")
            await expect(page.locator("[name=category][value=CONTACT]")).to_be_checked()
            await check(page, "report-draft", problems)

            await page.locator("[name=felt_unsafe][value=yes]").check()
            await page.get_by_role("button", name="Save and get advice").click()
            await page.wait_for_load_state()
            newest = await page.evaluate("document.activeElement.closest('.entry')?.id")
            assert newest and newest == (await page.locator("#entries > .entry").last.get_attribute("id"))
            await check(page, "report-saved", problems)

            # Another person, by the explicit button; their home lists the escalation.
            await page.locator("#person").select_option("morgan")
            await page.get_by_role("button", name="Switch person").click()
            await page.wait_for_load_state()
            await expect(page.locator("#home")).to_contain_text("Acknowledge an escalation")
            await check(page, "manager-home", problems)

            await page.locator("#entries").get_by_role("button", name="View details").first.click()
            await page.wait_for_load_state()
            dialog = page.locator("dialog.private")
            await expect(dialog).to_be_visible()
            assert await page.evaluate("document.querySelector('dialog.private').matches(':modal')")
            await expect(dialog.get_by_role("button", name="Close")).to_be_focused()
            await check(page, "dialog", problems)
            await page.keyboard.press("Escape")
            await expect(dialog).to_be_hidden()
            await expect(page.get_by_label("Message")).to_be_focused()

            await send(page, "help")
            await check(page, "help", problems)

            await send(page, "report")
            await page.locator("form[data-form=report] textarea").last.fill("Half a thought")
            asked = []

            async def answer(dialog):
                asked.append(dialog.type)
                await dialog.dismiss()  # "stay on the page"

            page.on("dialog", answer)
            await page.close(run_before_unload=True)
            await asyncio.sleep(0.5)
            assert asked == ["beforeunload"], asked
        finally:
            await browser.close()
    assert problems == {}, problems
    assert errors == [], errors
