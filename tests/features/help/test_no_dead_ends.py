"""No dead ends (issue 15): text that is not a verb is someone who may need help. The safety
line comes first when the words suggest danger, then words to say and one-tap next steps, in
ONE message — in the core and in Slack (real slack_sdk against the fake Slack); Teams is in
test_no_dead_ends_teams.py. Typos of verbs still get "Did you mean"."""

import json

from adapters.slack import SLACK_KEY
from bot.port.events import ButtonPressed, Command, Identity
from bot.port.views import Card, Form, Notice
from tests.slack_harness import ASHA as SLACK_ASHA
from tests.slack_harness import fake, slack  # noqa: F401 (fixtures)
from tests.slack_harness import texts as slack_texts

ASHA = Identity("web", "demo", "asha")
FOLLOWED = "I need help, a patient is following me to my car"


def words(card: Card) -> str:
    return "\n".join([card.title, *card.paragraphs])


async def test_words_that_suggest_danger_get_the_safety_line_first_and_next_steps(demo_bot):
    [card] = await demo_bot.handle(Command(ASHA, "I", "need help, a patient is following me to my car"))
    assert isinstance(card, Card) and card.title == "Your safety first"
    assert card.paragraphs[0] == ("If you are in danger now, get to safety and call Security desk (demo): "
                                  "ext. 2222 (999 if anyone is in danger).")
    assert any(p.startswith("> ") for p in card.paragraphs), "no words to say"
    labels = [b.label for b in card.buttons]
    assert labels[:3] == ["Call ext. 2222", "Get someone with me now", "Report privately"]
    assert any(label.startswith("Words to say") for label in labels)
    assert "car" not in words(card).replace("care", "")  # nothing typed is echoed
    # Each button leads somewhere.
    report = next(b for b in card.buttons if b.label == "Report privately")
    [form] = await demo_bot.handle(ButtonPressed(ASHA, report.action, report.value))
    assert isinstance(form, Form) and form.fields[0].name == "felt_unsafe"
    more = next(b for b in card.buttons if b.label.startswith("Words to say"))
    shown = await demo_bot.handle(ButtonPressed(ASHA, more.action, more.value))
    assert any(isinstance(v, Card) and any(p.startswith("> ") for p in v.paragraphs) for v in shown)


async def test_everyday_words_get_advice_and_buttons_without_alarm(demo_bot):
    [card] = await demo_bot.handle(Command(ASHA, "she", "keeps asking for my phone number"))
    assert card.title == "I can help with that" and "danger" not in words(card)
    assert [b.label for b in card.buttons][0] == "Report privately"
    assert "Get someone with me" in [b.label for b in card.buttons]
    [nothing] = await demo_bot.handle(Command(ASHA, "hmm", "ok then"))
    assert isinstance(nothing, Card) and "Report privately" in [b.label for b in nothing.buttons]
    words_button = next(b for b in nothing.buttons if b.label == "Words to say")
    [overview] = await demo_bot.handle(ButtonPressed(ASHA, words_button.action, words_button.value))
    assert overview.title == "Boundary scripts"


async def test_a_slip_on_a_verb_still_asks_did_you_mean(demo_bot):
    [notice] = await demo_bot.handle(Command(ASHA, "statsu"))
    assert isinstance(notice, Notice) and "Did you mean status?" in notice.text


async def test_slack_one_message_with_the_safety_line_and_buttons(slack):  # noqa: F811
    client, app = slack
    status, _ = await client.slash(SLACK_ASHA, FOLLOWED)
    assert status == 200
    await app[SLACK_KEY].idle()
    [post] = [p for p in client.fake.of("chat.postMessage") if "Your safety first" in slack_texts(p)]
    shown = slack_texts(post)
    assert shown.index("Security desk (demo): ext. 2222") < shown.index("Something you could say")
    actions = [e for b in post.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [a["action_id"].split("|")[0] for a in actions][:2] == ["chaperone.now", "report.open"]
    assert not any(a.get("url", "").startswith("tel:") for a in actions)  # Slack buttons open web links only
    assert "following me to my car" not in json.dumps(post.body)
