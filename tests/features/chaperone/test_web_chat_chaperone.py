"""The chaperone story through the local web chat, over real HTTP: a requester, two
volunteers and a manager, with the server's background loop running on a manual clock
(Monday 5 January 2026, 09:00 in London)."""

import re

import aiohttp
import pytest

from tests.web_harness import buttons, page_of, post, visible, wait_for


@pytest.fixture
async def people(server):
    base, _ = server
    sessions = {}
    for who in ("asha", "sam", "priya", "morgan"):
        sessions[who] = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        await post(sessions[who], "/chat/as", {"person": who})
    yield sessions
    for session in sessions.values():
        await session.close()


async def request(session, **values) -> str:
    page = await post(session, "/chat/say", {"text": "chaperone"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    form = {"_form": "chaperone", "_entry": entry, "date": "2026-01-05", "start": "14:00", "minutes": "30",
            "setting": "in_person", "site": "Main building", "room": "Room 2", "urgent": "no", **values}
    return visible(await post(session, "/chat/submit", form))


async def press(session, action: str, index: int = -1) -> str:
    value, label = buttons(await page_of(session), action)[index]
    return visible(await post(session, "/chat/press", {"action": action, "value": value, "label": label}))


async def test_request_accept_covered_reminders_cancel_and_unfilled(people, clock):
    asha, sam, priya, morgan = (people[k] for k in ("asha", "sam", "priya", "morgan"))

    page = await request(asha)
    assert "Chaperone request sent" in page and "asked 2 matching volunteers" in page
    await wait_for(sam, "Chaperone needed: Mon 5 Jan, 14:00–14:30")
    await wait_for(priya, "Chaperone needed: Mon 5 Jan, 14:00–14:30")

    page = await press(sam, "chaperone.accept")
    assert "You're chaperoning for" in page
    page = await wait_for(priya, "Covered by a colleague")  # Priya's card, updated in place
    assert not buttons(page, "chaperone.accept")
    await wait_for(asha, "Sam Okafor will be your chaperone")
    page = visible(await post(priya, "/chat/press", {"action": "chaperone.accept", "value": "1", "label": "Accept"}))
    assert "already covered by a colleague" in page  # a late (replayed) click

    clock.advance(hours=4, minutes=45)  # 13:45
    await wait_for(asha, "Soon: your chaperoned session")
    await wait_for(sam, "Soon: your chaperoned session")

    page = await request(asha, start="16:00")
    await wait_for(priya, "Mon 5 Jan, 16:00–16:30")
    page = await press(asha, "chaperone.cancel")
    assert "Your chaperone request is cancelled. 2 volunteers have been told." in page
    await wait_for(priya, "Cancelled — no longer needed")

    page = await request(asha, start="20:00")  # nobody volunteers in the evening
    assert "No volunteer matches that time and place yet" in page
    clock.advance(hours=5, minutes=46)  # past 19:30, the deadline
    page = await wait_for(morgan, "Escalation: an unfilled chaperone request")
    assert "Chaperone request C-3" in visible(page)
    await wait_for(asha, "No volunteer has accepted C-3 yet. I've told Morgan Reyes")
