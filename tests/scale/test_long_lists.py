"""Lists that grow with the organisation or with a person's work never break a platform's
limit: ``status`` pages, the Slack Home tab and messages stop at their block limits saying
where the rest is, Teams cards are cut to fit under 28 KB — each keeping its buttons."""

from __future__ import annotations

import json

from adapters.slack import blocks
from adapters.teams import cards
from bot.features.status.flow import PAGE_SIZE, page_of
from bot.port.views import Button, Card, Notice
from tests import slack_limits


def items(count: int) -> list:
    return [Card(f"Report R-{n}", paragraphs=("Open; your manager has been told.",) * 3,
                 facts=(("Status", "open"), ("Since", "Mon 5 Jan")),
                 buttons=(Button("Withdraw", "report.withdraw", str(n)),)) for n in range(count)]


def test_status_pages_through_long_lists_with_a_next_step():
    first = page_of(items(37), "")
    assert len(first) == PAGE_SIZE + 1 and first[0].title == "Report R-0"
    more = first[-1]
    assert more.title == "Items 1–10 of 37" and more.buttons[0].action == "status.show" and more.buttons[0].value == "2"
    last = page_of(items(37), "4")
    assert [c.title for c in last[:-1]] == [f"Report R-{n}" for n in range(30, 37)]
    assert [b.value for b in last[-1].buttons] == ["1"]  # back to the start
    assert page_of(items(37), "99")[0].title == "Report R-30"  # past the end: the last page
    assert page_of(items(3), "") == items(3)  # one page: nothing added


def test_the_slack_home_tab_stays_within_100_blocks_and_says_where_the_rest_is():
    view = blocks.home(items(300))
    assert len(view["blocks"]) <= 100 and not slack_limits.view_problems({**view, "type": "home"})
    assert "shortened to fit" in json.dumps(view) and "/boundary status" in json.dumps(view)
    small = blocks.home(items(2) + [Notice("Nothing else waits for you.")])
    assert "shortened" not in json.dumps(small)


def test_a_huge_card_is_cut_to_50_blocks_in_slack_and_keeps_its_buttons():
    card = Card("Standing in for 80 colleagues", paragraphs=tuple(f"Colleague {n}" for n in range(80)),
                buttons=(Button("Open status", "status.show", "1"),))
    message = blocks.message(card)
    assert len(message["blocks"]) == 50 and not slack_limits.message_problems(message)
    assert message["blocks"][-1]["type"] == "actions" and "shortened" in json.dumps(message["blocks"][-2])


def test_a_huge_card_is_cut_to_fit_in_teams_and_keeps_its_buttons():
    card = Card("Standing in for 900 colleagues", paragraphs=tuple(f"Colleague number {n}, since Monday" for n in range(900)),
                facts=tuple((f"Person {n}", "away until Friday") for n in range(400)),
                buttons=(Button("Open status", "status.show", "1"),))
    content = cards.activity_for(card)["attachments"][0]["content"]
    assert cards.size_of(content) <= cards.CARD_MAX_BYTES
    assert content["actions"][0]["title"] == "Open status" and "Shortened to fit in Teams" in json.dumps(content)
    small = cards.activity_for(items(1)[0])["attachments"][0]["content"]
    assert "Shortened" not in json.dumps(small)
