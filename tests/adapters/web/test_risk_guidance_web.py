"""The risk and capacity pathway reaches the clinician in the web chat: the report form's
question about the client's condition changes the advice, and the named contacts are shown."""

import re

from tests.web_harness import browser, post, visible  # noqa: F401  (fixture and helpers)

CRISIS = "Samaritans: 116 123"
ON_CALL = "Duty doctor on call (demo): ext. 4100"


async def test_a_self_harm_report_gets_the_risk_pathway_and_contacts(browser):  # noqa: F811
    session, _ = browser
    await post(session, "/chat/as", {"person": "sam"})
    page = await post(session, "/chat/say", {"text": "report"})
    assert "Could this be linked to the client&#39;s age or condition?" in page or \
        "Could this be linked to the client's age or condition?" in visible(page)
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    page = visible(await post(session, "/chat/submit", {
        "_form": "report", "_entry": entry, "category": "EXCLUSIVE", "setting": "in_person",
        "occurrence": "repeated", "felt_unsafe": "no", "condition": "self_harm"}))
    assert "non-punitive" in page and "Let's talk about keeping you safe" in page
    assert CRISIS in page and ON_CALL in page
    assert "step out" not in page.lower() and "not acceptable" not in page.lower()
    assert "Ask for a chaperone" in page and "Escalate to my manager" in page  # still offered


async def test_a_child_always_reaches_the_named_safeguarding_lead(browser):  # noqa: F811
    session, _ = browser
    await post(session, "/chat/as", {"person": "priya"})
    page = await post(session, "/chat/say", {"text": "report"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    page = visible(await post(session, "/chat/submit", {
        "_form": "report", "_entry": entry, "category": "SOCIAL_MEDIA", "setting": "in_person",
        "occurrence": "first", "felt_unsafe": "no", "condition": "child"}))
    assert "Safeguarding lead: Dr Chris Osei (safeguarding lead): ext. 4400" in page
    assert "Tell the safeguarding lead today" in page


async def test_the_script_lookup_shows_risk_guidance(browser):  # noqa: F811
    session, _ = browser
    await post(session, "/chat/as", {"person": "jordan"})
    page = visible(await post(session, "/chat/say", {"text": "script pt said he'd kill himself if i stop seeing him"}))
    assert "non-punitive" in page and CRISIS in page
    assert "kill himself" not in page  # what was typed is never echoed
