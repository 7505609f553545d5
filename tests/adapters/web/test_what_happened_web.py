"""Web chat: "What happened?" is a handful of plain choices; their own words make it exact, and a
broad choice with no words asks "Which of these is closest?" on the same form."""

import re

from tests.web_harness import browser, post, visible  # noqa: F401  (fixture and helpers)


def entry_of(page: str) -> str:
    return re.findall(r'name="_entry" value="(\d+)"', page)[-1]


async def test_words_make_it_exact_and_no_words_ask_which_is_closest(browser):  # noqa: F811
    session, _ = browser
    await post(session, "/chat/as", {"person": "asha"})
    page = await post(session, "/chat/say", {"text": "report"})
    assert len(re.findall(r'name="category"', page)) == 5 and 'name="kind"' not in page
    page = await post(session, "/chat/submit", {"_form": "report", "_entry": entry_of(page), "felt_unsafe": "no",
                                                "category": "OTHER"})
    assert 'name="kind"' in page and "Which of these is closest?" in visible(page)
    assert re.search(r'value="OTHER" checked', page)
    page = visible(await post(session, "/chat/submit", {
        "_form": "report", "_entry": entry_of(page), "felt_unsafe": "no", "category": "OTHER", "kind": "DUAL"}))
    assert "An outside relationship with the client" in page

    page = await post(session, "/chat/say", {"text": "report"})
    page = visible(await post(session, "/chat/submit", {
        "_form": "report", "_entry": entry_of(page), "felt_unsafe": "no", "category": "OTHER",
        "details": "she made a racist joke about my accent"}))
    assert "Offensive, prejudiced or derogatory jokes or remarks" in page


async def test_the_saved_report_has_a_plain_title_and_its_reference_in_small_print(browser):  # noqa: F811
    session, _ = browser
    await post(session, "/chat/as", {"person": "asha"})
    page = await post(session, "/chat/say", {"text": "report"})
    page = await post(session, "/chat/submit", {"_form": "report", "_entry": entry_of(page), "felt_unsafe": "no",
                                                "category": "GIFT"})
    titles = re.findall(r"<h3[^>]*>(.*?)</h3>", page)
    assert "Your report is saved privately" in titles and not any("R-1" in t for t in titles)
    assert re.search(r"Reference</dt>\s*<dd[^>]*>R-1", page)
