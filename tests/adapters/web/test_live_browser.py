"""The web chat live, in headless Chromium: two people in two tabs of one browser, others in
their own browsers; notifications and card updates arrive without a reload, are announced,
and counted in the tab title; each person's home lists what waits for them.

The server's clock is Monday 5 January 2026, 09:00 in London (see ``tests/conftest.py``).
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[3] / "screenshots"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser

if not CHROMIUM and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)


async def live_page(context, base: str, who: str):
    """A tab acting as ``who`` (named in the URL), once its event stream is open."""
    page = await context.new_page()
    await page.goto(f"{base}/?as={who}")
    await page.wait_for_selector("body[data-live=on]")
    return page


async def say(page, text: str) -> None:
    await page.get_by_label("Message").fill(text)
    await page.get_by_role("button", name="Send").click()
    await page.wait_for_load_state()


async def ask_for_a_chaperone(page) -> None:
    await say(page, "chaperone")
    form = page.locator("form[data-form=chaperone]").last
    await form.locator("input[name=date]").fill("2026-01-05")
    await form.locator("input[name=start]").fill("14:00")
    for name, value in (("minutes", "30"), ("setting", "in_person"), ("urgent", "no"),
                        ("site", "Main building"), ("room", "Room 2")):
        field = form.locator(f"[name={name}]")
        if await field.first.get_attribute("type") in ("radio", "checkbox"):
            await form.locator(f'[name={name}][value="{value}"]').check()
        else:
            await field.first.fill(value)
    await form.get_by_role("button").last.click()
    await page.wait_for_load_state()


async def test_cards_arrive_and_turn_covered_without_a_reload_two_people_in_two_tabs(server):
    from playwright.async_api import async_playwright, expect

    base, _ = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            volunteers = await browser.new_context(viewport={"width": 1280, "height": 900})
            sam = await live_page(volunteers, base, "sam")
            priya = await live_page(volunteers, base, "priya")  # same browser, another tab, another person
            asha = await live_page(await browser.new_context(viewport={"width": 1280, "height": 900}), base, "asha")
            morgan = await live_page(await browser.new_context(viewport={"width": 375, "height": 800}), base, "morgan")

            await ask_for_a_chaperone(asha)
            await expect(asha.get_by_text("Chaperone request sent")).to_be_visible()

            for page in (sam, priya):  # no reload: the event stream brings the card
                card = page.locator("#entries article.card").filter(has_text="Chaperone needed")
                await expect(card).to_be_visible(timeout=10000)
                await expect(page).to_have_title("(1) Sam Okafor — Boundary Bot web chat" if page is sam
                                                 else "(1) Priya Nair — Boundary Bot web chat")
                await expect(page.locator("#announcer")).to_contain_text("Chaperone needed")
                await expect(page.locator("#home")).to_contain_text("Answer a chaperone request")
                await expect(page.locator("#home")).to_contain_text("Time left")
            await priya.screenshot(path=str(SHOTS / "live-volunteer-offered.png"), full_page=True)

            await sam.locator("#entries").get_by_role("button", name="Accept").click()
            await sam.wait_for_load_state()
            await expect(sam.get_by_text("You're chaperoning for")).to_be_visible()

            # Priya's card turns to "covered" in place, without a reload, and says so.
            await expect(priya.locator("#entries").get_by_text("Covered by a colleague")).to_be_visible(timeout=10000)
            await expect(priya.locator("#entries").get_by_role("button", name="Accept")).to_have_count(0)
            await expect(priya.locator("#announcer")).to_contain_text("Updated")
            await expect(priya.locator("#home")).not_to_contain_text("Answer a chaperone request")
            await priya.screenshot(path=str(SHOTS / "live-volunteer-covered.png"), full_page=True)

            # A reload keeps each tab's own person.
            await priya.reload()
            await expect(priya.locator("#person")).to_have_value("priya")
            await sam.goto(base + "/")
            await expect(sam.locator("#person")).to_have_value("sam")
            await expect(asha.get_by_text("will be your chaperone")).to_be_visible(timeout=10000)

            # An unsafe report: the manager's alert arrives live, and their home lists it.
            await say(asha, "report")
            form = asha.locator("form[data-form=report]").last
            await form.locator("[name=category][value=THREAT]").check()
            await form.locator("[name=felt_unsafe][value=yes]").check()
            await form.get_by_role("button").last.click()
            await asha.wait_for_load_state()
            alert = morgan.locator("#entries article.card").filter(has_text="Escalation:")
            await expect(alert).to_be_visible(timeout=10000)
            await expect(morgan).to_have_title("(1) Morgan Reyes — Boundary Bot web chat")
            home = morgan.locator("#home")
            await expect(home).to_contain_text("Acknowledge an escalation")
            await expect(home).to_contain_text("Time left")
            await expect(home.get_by_role("button", name="Open the console")).to_be_visible()
            await morgan.screenshot(path=str(SHOTS / "live-manager-alert-375.png"), full_page=True)
            await morgan.keyboard.press("Tab")  # seen: the count goes
            await expect(morgan).to_have_title("Morgan Reyes — Boundary Bot web chat")

            await home.get_by_role("button", name="Acknowledge").click()
            await morgan.wait_for_load_state()
            await expect(morgan.locator("#home")).to_contain_text("Nothing is waiting for you")
            focused = await morgan.evaluate("document.activeElement.id")
            assert focused.startswith("e"), "focus moves to the newest answer"
        finally:
            await browser.close()
