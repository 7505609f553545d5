"""The peer-support story through the local web chat, over real HTTP: Asha reports, takes the
gentle offer on the confirmation, two supporters are asked privately, Jordan accepts, Tom's
card turns to "taken", Asha sets a check-in, is asked, and stops it; Morgan, her manager,
sees none of it. The server's background loop runs on a manual clock (Monday 5 January 2026,
09:00 in London)."""

import re

import aiohttp
import pytest

from tests.web_harness import buttons, page_of, post, visible, wait_for

REPORT = {"_form": "report", "category": "ROMANTIC", "setting": "in_person", "occurrence": "first",
          "felt_unsafe": "no"}


@pytest.fixture
async def people(server):
    base, _ = server
    sessions = {}
    for who in ("asha", "jordan", "tom", "morgan"):
        sessions[who] = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        await post(sessions[who], "/chat/as", {"person": who})
    yield sessions
    for session in sessions.values():
        await session.close()


def entry_of(page: str) -> str:
    return re.findall(r'name="_entry" value="(\d+)"', page)[-1]


async def press(session, action: str, value: str | None = None) -> str:
    found = buttons(await page_of(session), action)
    value, label = next(b for b in found if b[0] == value) if value else found[-1]
    return await post(session, "/chat/press", {"action": action, "value": value, "label": label})


async def test_request_accept_check_in_and_stop_in_the_web_chat(people, clock):
    asha, jordan, tom, morgan = (people[k] for k in ("asha", "jordan", "tom", "morgan"))
    page = await post(asha, "/chat/say", {"text": "report"})
    page = await post(asha, "/chat/submit", {**REPORT, "_entry": entry_of(page)})
    assert "a trained peer supporter — a colleague outside your management line" in visible(page)

    page = await press(asha, "support.start")
    assert "Talk to a peer supporter" in visible(page) and "Staff support line (demo)" in visible(page)
    page = visible(await post(asha, "/chat/submit", {"_form": "support", "_entry": entry_of(page), "how": "chat",
                                                     "soon": "today", "shared": "It shook me more than I expected"}))
    assert "Peer support requested" in page and "asked 2 trained peer supporters privately" in page

    offer = visible(await wait_for(jordan, "A colleague would like peer support"))
    assert "Asha" not in offer.split("A colleague would like peer support")[-1]
    await wait_for(tom, "A colleague would like peer support")
    page = visible(await press(jordan, "support.accept"))
    assert "You're supporting Dr Asha Patel" in page and "asha@demo.invalid" in page
    assert "shook me" not in page  # what she shared opens only in the private view
    await wait_for(tom, "Another supporter has taken this one")
    await wait_for(asha, "Jordan Lee will be in touch")

    page = visible(await press(asha, "support.check_in", "2d"))
    assert "I'll ask how you're doing on Wed 7 Jan, 09:00 (Europe/London)" in page
    clock.advance(days=2)
    await wait_for(asha, "How are you doing?")
    page = visible(await press(asha, "support.stop"))
    assert "I've stopped checking in" in page

    page = visible(await post(morgan, "/chat/say", {"text": "status"}))
    chat = page.split("please don't enter real client information.")[-1]  # after the switcher and banner
    assert "S-1" not in chat and "peer support" not in chat.lower() and "Asha" not in chat
