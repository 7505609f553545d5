"""The web chat's live parts over real HTTP: the event stream says "changed" when a
notification arrives, /chat/live returns it with the home, and a tab's own person (``?as=``)
wins over the browser's last choice."""

import asyncio
import re

from adapters.appkeys import DELIVERERS_KEY
from bot.port.delivery import Address, MessageRef
from bot.port.views import Card
from tests.web_harness import browser, post, visible  # noqa: F401 (fixtures)


async def test_the_stream_says_changed_and_live_returns_the_new_card(browser):
    session, app = browser
    await post(session, "/chat/as", {"person": "sam"})
    async with session.get("/chat/events?as=sam") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert (await stream.content.readuntil(b"\n\n")).startswith(b"retry: 2000\nevent: hello")
        await app[DELIVERERS_KEY]["web"].send(Address("web", "demo", "sam"), Card("Chaperone needed: today"), "k-1")
        event = await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5)
        assert event.startswith(b"event: changed")
    async with session.get("/chat/live?as=sam") as response:
        page = await response.text()
    assert "Chaperone needed: today" in visible(page) and 'id="home"' in page
    assert re.search(r'class="bubble bot entry" id="e\d+" data-rev="0"', page)

    # The card is replaced in place (a volunteer's card turning "covered"): its revision moves on.
    await app[DELIVERERS_KEY]["web"].update(
        MessageRef("web", {"user": "sam", "key": "k-1"}), Card("Covered by a colleague"), "k-1")
    async with session.get("/chat/live?as=sam") as response:
        page = await response.text()
    assert "Covered by a colleague" in visible(page) and 'data-rev="1"' in page


async def test_each_tab_acts_as_the_person_it_names(browser):
    session, _ = browser
    await post(session, "/chat/as", {"person": "asha"})  # the browser's last choice
    page = await post(session, "/chat/say", {"text": "status", "_as": "morgan"})
    assert 'value="morgan" selected' in page and "Hello Morgan Reyes" in visible(page)
    async with session.get("/?as=asha") as response:
        assert "Hello Dr Asha Patel" in visible(await response.text())
    async with session.get("/chat/live") as response:
        assert response.status == 200  # falls back to the browser's choice
