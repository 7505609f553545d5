"""The local web chat, over real HTTP, against the real server on a free port."""

import html
import logging
import os
import re
from pathlib import Path

import aiohttp
from sqlalchemy import text

from adapters.appkeys import BOT_KEY
from tests.web_harness import browser, buttons, form_token, page_of, post, visible, wait_for  # noqa: F401 (fixtures)

SECRET = "said he would wait for me in the car park"


async def test_health_and_the_demo_picker(browser):
    session, _ = browser
    async with session.get("/healthz") as response:
        assert response.status == 200 and (await response.json())["database"] == "ok"
    async with session.get("/") as response:
        page = visible(await response.text())
    assert "Demo organisation." in page and "fictional" in page
    for name in ("Dr Asha Patel", "Sam Okafor", "Morgan Reyes", "Alex Kim"):
        assert name in page
    assert "manager of Outpatients" in page and "volunteer chaperone" in page and "admin" in page


async def test_a_clinician_files_a_report_and_sees_it_in_status(browser, caplog):
    session, app = browser
    caplog.set_level(logging.DEBUG)
    page = visible(await post(session, "/chat/as", {"person": "asha"}))
    assert "Hello Dr Asha Patel" in page

    page = await post(session, "/chat/say", {"text": "report"})
    assert 'name="category"' in page and "Report privately" in visible(page)
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]

    # Half-filled: per-field errors, what was typed is kept, nothing saved.
    page = await post(session, "/chat/submit", {"_form": "report", "_entry": entry, "category": "THREAT", "details": SECRET})
    assert "Please check the 1 highlighted answer below" in visible(page)  # only "are you in danger?" is missing
    assert re.search(r'value="THREAT" checked', page)
    assert html.escape(SECRET) in page or SECRET in page
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]

    data = aiohttp.FormData()
    for key, value in {"_form": "report", "_entry": entry, "category": "THREAT", "setting": "home_visit",
                       "occurrence": "first", "felt_unsafe": "no", "client_ref": "Tuesday knee", "details": SECRET}.items():
        data.add_field(key, value)
    data.add_field("factors", "affects_care")
    data.add_field("factors", "unwanted")
    page = visible(await post(session, "/chat/submit", data))
    # A threat puts safety first: the safety card, with the security number and who was told.
    assert "Your safety first" in page and "Your report is saved privately." in page
    assert "Security desk (demo): ext. 2222" in page and "I have alerted Morgan Reyes now" in page
    assert "Form “Report privately” sent." in page
    assert SECRET not in page.split("Your safety first")[1], "free text echoed after saving"

    page = visible(await post(session, "/chat/say", {"text": "status"}))
    assert "You have 1 open report" in page and "Threats or aggression" in page

    # The database file holds no plaintext of what was written.
    bot = app[BOT_KEY]
    async with bot.db.transaction() as tx:
        sealed = (await tx.session.execute(text("SELECT details_sealed FROM reports"))).scalar_one()
        assert SECRET.encode() not in bytes(sealed)
        assert bot.sealer.open(sealed) == SECRET
    if bot.db.url.startswith("sqlite"):
        path = bot.db.url.split("///", 1)[1]
        await bot.db.dispose()  # flush the WAL into the file
        raw = b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if os.path.exists(p))
        assert SECRET.encode() not in raw and b"Tuesday knee" not in raw
    assert SECRET not in caplog.text and "Tuesday knee" not in caplog.text


async def test_buttons_work_from_the_page(browser):
    session, _ = browser
    await post(session, "/chat/as", {"person": "jordan"})
    page = await post(session, "/chat/say", {"text": "report"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    page = await post(session, "/chat/submit", {"_form": "report", "_entry": entry, "category": "GIFT",
                                                "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"})
    value, label = buttons(page, "report.tone")[0]  # a button as the page shows it
    page = visible(await post(session, "/chat/press", {"action": "report.tone", "value": value, "label": label}))
    assert "Pressed:" not in page and "Words you could say" in page  # no echo of the button, only its answer
    page = visible(await post(session, "/chat/press", {"action": "report.ask_delete", "value": "1", "label": "Delete…"}))
    assert "Delete this report for good?" in page
    page = visible(await post(session, "/chat/press", {"action": "report.delete", "value": "1", "label": "Yes, delete it"}))
    assert "Report R-1 is deleted" in page


async def test_people_are_kept_apart(browser, server):
    session, _ = browser
    await post(session, "/chat/as", {"person": "asha"})
    page = await post(session, "/chat/say", {"text": "report"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    await post(session, "/chat/submit", {"_form": "report", "_entry": entry, "category": "GIFT", "setting": "in_person",
                                         "occurrence": "first", "felt_unsafe": "no"})
    # Someone else, in another browser, cannot act on Asha's report by replaying the button.
    base, _ = server
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        await post(other, "/chat/as", {"person": "sam"})
        page = visible(await post(other, "/chat/press", {"action": "report.delete", "value": "1", "label": "x"}))
        assert "can't find that report" in page
        page = visible(await post(other, "/chat/say", {"text": "status"}))
        assert "no open reports" in page and "R-1" not in page


async def test_unknown_commands_and_unknown_people(browser):
    session, _ = browser
    token, origin = await form_token(session)
    async with session.post("/chat/say", data={"text": "report", "csrf": token}, headers={"Origin": origin},
                            allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/"  # nobody chosen yet
    await post(session, "/chat/as", {"person": "asha"})
    page = visible(await post(session, "/chat/say", {"text": "flibble my patient Jane"}))
    # Not a verb: someone who may need help, never "unknown command"; nothing typed is echoed.
    assert "I can help with that" in page and "Report privately" in page and "Jane" not in page
    await post(session, "/chat/as", {"person": "ghost"})
    async with session.get("/") as response:
        assert "Who are you today?" in visible(await response.text())


async def test_looking_up_words_to_say_without_filing_anything(browser):
    session, app = browser
    await post(session, "/chat/as", {"person": "sam"})
    page = visible(await post(session, "/chat/say", {"text": "script he wants my numbr and keeps texting"}))
    assert "requests for personal contact" in page.lower() or "number, email" in page
    assert "wants my numbr" not in page  # what was typed is not repeated back
    assert "Nothing was saved" in page
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", await (await session.get("/")).text(), re.S)
    assert quotes, "no words to say were shown"
    bot = app[BOT_KEY]
    async with bot.db.transaction() as tx:
        assert await tx.reports.by_author((await tx.people.by_key("sam")).id) == []
    page = visible(await post(session, "/chat/say", {"text": "script"}))
    assert "Threats, stalking" in page or "threats" in page.lower()


async def test_an_unsafe_report_reaches_the_manager_climbs_and_stops_when_acknowledged(server, clock):
    base, _ = server
    sessions = {}
    for who in ("asha", "morgan", "chris"):
        sessions[who] = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        await post(sessions[who], "/chat/as", {"person": who})
    asha, morgan, chris = sessions["asha"], sessions["morgan"], sessions["chris"]
    try:
        page = await post(asha, "/chat/say", {"text": "report"})
        entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
        page = visible(await post(asha, "/chat/submit", {
            "_form": "report", "_entry": entry, "category": "THREAT", "setting": "home_visit",
            "occurrence": "first", "felt_unsafe": "yes", "details": SECRET}))
        assert "I have alerted Morgan Reyes now" in page

        page = await wait_for(morgan, "Escalation: threats or aggression")
        assert "Reporter Dr Asha Patel" in visible(page) and SECRET not in page
        assert "Escalation:" not in visible(await page_of(chris))

        clock.advance(minutes=15)  # not acknowledged: the clinical lead is told
        await wait_for(chris, "Escalation:")
        await wait_for(asha, "Dr Chris Osei (clinical lead) has been told about your escalation")

        value, label = buttons(await page_of(chris), "escalation.ack")[0]
        page = visible(await post(chris, "/chat/press", {"action": "escalation.ack", "value": value, "label": label}))
        assert "You acknowledged E-1" in page
        await wait_for(asha, "has acknowledged your escalation of R-1")
        page = await wait_for(morgan, "Acknowledged at")  # Morgan's copy updated in place
        assert not buttons(page, "escalation.ack")

        clock.advance(hours=1)  # acknowledged: it climbs no further
        page = visible(await post(asha, "/chat/say", {"text": "status"}))
        assert "E-1: Acknowledged at" in page and "by Dr Chris Osei" in page

        value, label = buttons(await page_of(morgan), "escalation.view")[0]
        page = visible(await post(morgan, "/chat/press", {"action": "escalation.view", "value": value, "label": label}))
        assert SECRET in page and "never posted in chat" in page
        assert SECRET not in visible(await page_of(morgan))  # the private view is not kept
    finally:
        for session in sessions.values():
            await session.close()
