"""No dead ends in Teams (through the fake Bot Connector, on each engine): a sentence typed in
distress gets one card with the security number as a call link, then the next steps."""

import json

from tests.teams_harness import card_of, fake, teams, texts  # noqa: F401 (fixtures and helpers)

FOLLOWED = "I need help, a patient is following me to my car"


async def test_teams_one_card_with_a_call_link_and_buttons(teams):  # noqa: F811
    client, _ = teams
    sent = await client.say(FOLLOWED)
    [card] = [card_of(s) for s in sent if s.activity.get("attachments")]
    shown = texts(card)
    assert shown.index("Security desk (demo)") < shown.index("Something you could say")
    assert card["actions"][0] == {"type": "Action.OpenUrl", "title": "Call ext. 2222", "url": "tel:2222"}
    assert {"Get someone with me now", "Report privately"} <= {a["title"] for a in card["actions"]}
    assert "following me" not in json.dumps(card)
