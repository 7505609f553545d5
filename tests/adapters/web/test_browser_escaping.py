"""Everything shown back in the web chat is text, never markup (issue 16), in a real headless
Chromium: a person's name, a report's fields and typed words carrying script tags,
event-handler attributes, ``javascript:`` links and markdown links run nothing and make no
link. Skipped without Chromium unless ``REQUIRE_BROWSER=1``."""

import os
import shutil

import pytest
from sqlalchemy import update

from adapters.appkeys import BOT_KEY
from bot.machinery.storage.models import Person

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.browser
if not CHROMIUM and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)

NAME = '<img src=x onerror="window.pwned=1">[me](javascript:window.pwned=2)'
NICKNAME = "<script>window.pwned=3</script>"
DETAILS = '"><svg onload="window.pwned=4"></svg><a href="javascript:window.pwned=5">x</a> [y](javascript:z)'
SAID = '<iframe src="javascript:window.pwned=6"></iframe>'


async def test_nothing_anyone_typed_runs_or_links_in_a_real_browser(server):
    from playwright.async_api import async_playwright

    base, app = server
    async with app[BOT_KEY].db.transaction() as tx:
        await tx.session.execute(update(Person).where(Person.display_name == "Dr Asha Patel").values(display_name=NAME))
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = await chromium.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            await page.goto(base + "/")
            await page.get_by_role("button", name=NAME).click()
            await page.get_by_placeholder("Type report, script, status or help").fill(SAID)
            await page.get_by_role("button", name="Send").click()
            await page.get_by_placeholder("Type report, script, status or help").fill("report")
            await page.get_by_role("button", name="Send").click()
            await page.get_by_label("Asked me out, or for my number, to meet up or to connect online").check()
            await page.get_by_label("What happened, in your own words (optional)").fill(DETAILS)
            await page.get_by_role("button", name="Save and get advice").click()  # half-filled: echoed back
            assert await page.get_by_text("Please check the 1 highlighted answer").is_visible()
            assert await page.get_by_label("What happened, in your own words (optional)").input_value() == DETAILS

            await page.locator("input[name=felt_unsafe][value=no]").check()
            await page.get_by_role("button", name="Save and get advice").click()
            card = page.locator("article.card").last
            await card.get_by_role("button", name="Add details").click()
            await page.get_by_label("Telehealth (video or phone)").check()
            await page.get_by_label("It has happened before").check()
            await page.get_by_label("Your own nickname for this client (optional)").fill(NICKNAME)
            await page.get_by_role("button", name="Save details").click()
            await page.get_by_role("button", name="My reports").last.click()

            assert await page.evaluate("window.pwned") is None and dialogs == []
            assert await page.locator("img[src=x], svg, iframe").count() == 0
            assert await page.locator("script").count() == 1  # /static/chat.js only
            hrefs = await page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
            assert not [h for h in hrefs if "javascript" in h.lower()]
            assert NAME in await page.locator("header").inner_text()  # shown, as text
        finally:
            await chromium.close()
