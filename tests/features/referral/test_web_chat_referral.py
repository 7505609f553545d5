"""The whole referral story in the local web chat, over real HTTP, against the real server:
approval (the demo's Outpatients team requires it), decline and re-route to an intake pool,
accept, the checklist, close — and an unanswered referral reaching the manager as the
server's own background loop runs on the manual clock."""

import html
import re

import aiohttp

from tests.web_harness import buttons, page_of, post, visible, wait_for

NOTE = "Working on sleep; prefers mornings; knows the bus route to the clinic"
DECLINE_WHY = "I trained with his brother, so I am not the right person"


def option(page: str, label: str) -> str:
    """The value a browser would post for the choice with this label."""
    found = re.findall(r'value="([^"]+)"[^>]*>\s*' + re.escape(html.escape(label)), page)
    assert found, f"no option {label!r}"
    return found[-1]


def entry_of(page: str) -> str:
    return re.findall(r'name="_entry" value="(\d+)"', page)[-1]


def state_of(page: str) -> str:
    return re.findall(r'name="_state" value="([^"]*)"', page)[-1]


async def find(session, page: str, field: str, typed: str) -> str:
    """Type into a field's search box and press Find: the form comes back with the choices."""
    return await post(session, "/chat/find", {"_form": re.findall(r'name="_form" value="([^"]*)"', page)[-1],
                                              "_entry": entry_of(page), "_state": state_of(page), "_find": field,
                                              f"{field}__q": typed})


async def press(session, page: str, action: str, which: int = 0) -> str:
    value, label = buttons(page, action)[which]
    return await post(session, "/chat/press", {"action": action, "value": value, "label": label})


async def refer(asha, receiver_label: str, urgency: str = "routine") -> str:
    page = await post(asha, "/chat/say", {"text": "refer"})
    assert "Refer a client to a colleague" in visible(page) and "manager's approval first" in visible(page)
    page = await find(asha, page, "receiver", receiver_label.split(" intake pool")[0])
    return await post(asha, "/chat/submit", {
        "_form": "referral", "_entry": entry_of(page), "reason": "objectivity", "urgency": urgency,
        "receiver": option(page, receiver_label), "note": NOTE})


async def test_the_whole_referral_story_in_the_web_chat(server, clock):
    base, _ = server
    sessions = {}
    for who in ("asha", "morgan", "jordan", "lena", "tom", "sam"):
        sessions[who] = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        await post(sessions[who], "/chat/as", {"person": who})
    asha, morgan, jordan, lena, tom, sam = (sessions[k] for k in ("asha", "morgan", "jordan", "lena", "tom", "sam"))
    try:
        # A note with an identifier is refused, with what was typed kept.
        page = await post(asha, "/chat/say", {"text": "refer"})
        page = await find(asha, page, "receiver", "jor")
        page = await post(asha, "/chat/submit", {"_form": "referral", "_entry": entry_of(page), "reason": "boundary",
                                                 "receiver": option(page, "Jordan Lee"), "note": "call 07700 900123"})
        assert "Please check the 2 highlighted answers" in visible(page) and "a phone number" in visible(page)

        page = visible(await refer(asha, "Jordan Lee"))
        assert "Referral started" in page and "not a failure" in page
        assert "gone to Morgan Reyes for approval first" in page

        # Morgan approves; only then is Jordan asked.
        page = await wait_for(morgan, "A referral needs your approval")
        assert NOTE not in page and "Would you take over a client?" not in visible(await page_of(jordan))
        page = visible(await press(morgan, page, "referral.note"))
        assert NOTE in page and "Your viewing has been recorded" in page
        page = visible(await press(morgan, await page_of(morgan), "referral.approve"))
        assert "You approved F-1; it has gone to Jordan Lee" in page
        await wait_for(asha, "Morgan Reyes approved referral F-1")

        # Jordan declines with a reason; Asha reads it privately and chooses the intake pool.
        page = await wait_for(jordan, "Would you take over a client?")
        page = await press(jordan, page, "referral.decline")
        page = visible(await post(jordan, "/chat/submit", {"_form": "referral.decline", "_entry": entry_of(page),
                                                           "_state": state_of(page), "reason": DECLINE_WHY}))
        assert "You declined the referral" in page
        page = await wait_for(asha, "Your referral was declined")
        assert DECLINE_WHY not in page
        page = visible(await press(asha, page, "referral.note"))
        assert DECLINE_WHY in page and NOTE in page
        assert DECLINE_WHY not in visible(await page_of(asha))  # the private view is not kept
        page = await press(asha, await page_of(asha), "referral.reroute")
        page = await find(asha, page, "receiver", "community")
        page = visible(await post(asha, "/chat/submit", {
            "_form": "referral.reroute", "_entry": entry_of(page), "_state": state_of(page),
            "receiver": option(page, "Community mental health intake pool (first to accept takes it)")}))
        assert "The 2 people in the Community mental health intake pool have been asked" in page

        # Both are asked; Lena accepts first, Tom's card changes to "taken by a colleague".
        await wait_for(tom, "Would you take over a client?")
        page = await wait_for(lena, "Would you take over a client?")
        page = visible(await press(lena, page, "referral.accept"))
        assert "You accepted the referral" in page
        page = await wait_for(tom, "Referral: taken by a colleague")
        assert not buttons(page, "referral.accept")
        page = visible(await press(tom, await page_of(tom), "referral.accept") if buttons(await page_of(tom), "referral.accept")
                       else await post(tom, "/chat/press", {"action": "referral.accept", "value": "1", "label": "Accept"}))
        assert "already accepted by Dr Lena Ruiz" in page

        # The checklist: Asha says how the client was told, Lena ticks the rest, Asha closes.
        page = await wait_for(asha, "Dr Lena Ruiz accepted your referral")
        page = await press(asha, page, "referral.told")
        page = visible(await post(asha, "/chat/submit", {"_form": "referral.told", "_entry": entry_of(page),
                                                         "_state": state_of(page), "how": "phone"}))
        assert "by Dr Asha Patel (by phone)" in page
        page = await wait_for(lena, "Dr Asha Patel ticked “Client told”")
        for step in ("summary_handed", "appointment_booked"):
            [(value, label)] = [b for b in buttons(await page_of(lena), "referral.tick") if b[0] == f"1:{step}"][-1:]
            page = visible(await post(lena, "/chat/press", {"action": "referral.tick", "value": value, "label": label}))
        assert "First appointment with the new clinician booked" in page
        # Let both tick notices reach Asha first: a notice delivered after her status answer
        # would otherwise land below it in the transcript, showing the earlier "Not yet".
        await wait_for(asha, "ticked “First appointment with the new clinician booked”")
        page = visible(await post(asha, "/chat/say", {"text": "status"}))
        latest = page.split("Referrals: 1 open referral you are part of.")[-1]
        assert "Referral checklist" in latest and "Not yet" not in latest
        value, label = [b for b in buttons(await page_of(asha), "referral.tick") if b[0].endswith(":closed")][-1]
        page = visible(await post(asha, "/chat/press", {"action": "referral.tick", "value": value, "label": label}))
        assert "The referral is closed" in page
        await wait_for(lena, "Dr Asha Patel closed it on the referral")

        # Someone outside it cannot see or touch it, even replaying the buttons.
        for action in ("referral.note", "referral.accept", "referral.reroute", "referral.approve"):
            page = visible(await post(sam, "/chat/press", {"action": action, "value": "1", "label": "x"}))
            assert "can't find that referral" in page
        assert NOTE not in visible(await page_of(sam))

        # An urgent referral nobody answers: a reminder at 2 hours, the manager an hour later.
        await refer(asha, "Community mental health intake pool (first to accept takes it)", urgency="urgent")
        page = await wait_for(morgan, "A referral needs your approval")
        value = [v for v, _ in buttons(page, "referral.approve") if v == "2"][0]
        await post(morgan, "/chat/press", {"action": "referral.approve", "value": value, "label": "Approve"})
        await wait_for(tom, "Would you take over a client?")
        clock.advance(hours=2)
        await wait_for(tom, "Reminder: Would you take over a client?")
        await wait_for(asha, "so I've reminded the Community mental health intake pool")
        clock.advance(hours=1)
        page = await wait_for(morgan, "Escalation: an unanswered referral")
        assert ("Referral F-2 (urgent) to the Community mental health intake pool has had no answer for 3 hours"
                in visible(page))
        await wait_for(asha, "so Morgan Reyes has been told (E-1)")
        for who in ("morgan", "jordan", "lena", "tom"):
            assert NOTE not in visible(await page_of(sessions[who])) and DECLINE_WHY not in visible(await page_of(sessions[who]))
    finally:
        for session in sessions.values():
            await session.close()


async def test_the_receivers_home_lists_the_referral_with_the_time_until_the_reminder(server):
    base, _ = server
    sessions = {}
    for who in ("asha", "morgan", "jordan"):
        sessions[who] = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        await post(sessions[who], "/chat/as", {"person": who})
    try:
        await refer(sessions["asha"], "Jordan Lee")
        page = visible(await wait_for(sessions["morgan"], "A referral needs your approval"))
        assert "Approve a referral from Dr Asha Patel" in page and "then you get a reminder" in page
    finally:
        for session in sessions.values():
            await session.close()


async def test_a_declined_referral_asks_is_this_resolved_and_no_tells_the_manager(server):
    base, _ = server
    sessions = {}
    for who in ("asha", "morgan", "jordan"):
        sessions[who] = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        await post(sessions[who], "/chat/as", {"person": who})
    asha, morgan, jordan = (sessions[k] for k in ("asha", "morgan", "jordan"))
    try:
        await refer(asha, "Jordan Lee")
        await press(morgan, await wait_for(morgan, "needs your approval"), "referral.approve")
        page = await press(jordan, await wait_for(jordan, "Would you take over a client?"), "referral.decline")
        await post(jordan, "/chat/submit", {"_form": "referral.decline", "_entry": entry_of(page),
                                           "_state": state_of(page), "reason": DECLINE_WHY})
        page = await wait_for(asha, "Is this resolved for you?")
        assert "If not, No, reopen tells Morgan Reyes" in visible(page)
        assert "Your managers will help" not in visible(page)  # nobody told before they choose
        page = visible(await press(asha, page, "referral.reopen"))
        assert "Your managers will help" in page and "I've told Morgan Reyes" in page
        assert "Choose someone else" in page
        await wait_for(morgan, "a referral the referrer says is not resolved")
    finally:
        for session in sessions.values():
            await session.close()
