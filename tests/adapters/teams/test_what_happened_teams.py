"""Teams: "What happened?" is a handful of plain choices; a broad choice with no words comes back
in place with "Which of these is closest?", and the answer to it gets the advice."""

from tests.teams_harness import card_of, count_reports, fake, inputs, submit_data, teams, texts  # noqa: F401


async def test_a_broad_choice_without_words_asks_which_is_closest_on_the_card(teams):  # noqa: F811
    client, app = teams
    sent = await client.say("report")
    form = card_of(sent[0])
    assert len(inputs(form)["category"]["choices"]) == 5
    card_id = [k for k in client.fake.activities if k[0] == "a:chat-asha"][-1][1]
    sent = await client.say(None, reply_to=card_id, value={**submit_data(form), "felt_unsafe": "no",
                                                           "category": "SEXUAL"})
    assert [r.method for r in sent] == ["PUT"]
    updated = card_of(sent[0])
    assert "Which of these is closest?" in texts(updated)
    closest = inputs(updated)["kind"]
    assert [c["value"] for c in closest["choices"]] == ["SEXUAL:remark", "SEXUAL:messages", "SEXUAL:exposure",
                                                        "SEXUAL:touch"]
    assert inputs(updated)["category"]["value"] == "SEXUAL" and await count_reports(app) == 0

    sent = await client.say(None, reply_to=card_id, value={**submit_data(updated), "felt_unsafe": "no",
                                                           "category": "SEXUAL", "kind": "SEXUAL:remark"})
    shown = " ".join(texts(card_of(s)) for s in sent if s.activity.get("attachments"))
    assert "Sexual remarks or questions" in shown and await count_reports(app) == 1


async def test_the_saved_report_has_a_plain_title_and_its_reference_in_small_print(teams):  # noqa: F811
    client, _ = teams
    sent = await client.say("report")
    form = card_of(sent[0])
    card_id = [k for k in client.fake.activities if k[0] == "a:chat-asha"][-1][1]
    sent = await client.say(None, reply_to=card_id, value={**submit_data(form), "felt_unsafe": "no", "category": "GIFT"})
    saved = card_of(sent[-1])
    assert saved["body"][0]["text"] == "Your report is saved privately"
    facts = {f["title"]: f["value"] for e in saved["body"] if e.get("type") == "FactSet" for f in e["facts"]}
    assert facts["Reference"].replace("\\", "") == "R-1"  # Teams escapes Markdown
