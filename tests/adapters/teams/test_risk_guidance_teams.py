"""Teams: the risk and capacity pathway and the organisation's contacts reach the clinician."""

from tests.teams_harness import card_of, fake, submit_data, teams, texts  # noqa: F401  (fixtures and helpers)


async def test_a_report_about_a_teenager_names_the_safeguarding_lead(teams):  # noqa: F811
    client, _ = teams
    sent = await client.say("report", who="sam")
    form = card_of(sent[0])
    assert any(e.get("id") == "condition" for e in form["body"])
    card_id = [k for k in client.fake.activities if k[0] == "a:chat-sam"][-1][1]
    sent = await client.say(None, who="sam", reply_to=card_id, value={
        **submit_data(form), "category": "ROMANTIC", "setting": "in_person", "occurrence": "first",
        "felt_unsafe": "no", "condition": "child"})
    shown = " ".join(texts(card_of(s)) for s in sent if s.activity.get("attachments"))
    assert "Dr Chris Osei (safeguarding lead): ext. 4400" in shown and "non-punitive" in shown
    assert "not acceptable" not in shown.lower()


async def test_the_script_verb_shows_risk_guidance_and_contacts(teams):  # noqa: F811
    client, _ = teams
    sent = await client.say("script drunk pt in ED grabbed my arm")
    shown = " ".join(texts(card_of(s)) for s in sent if s.activity.get("attachments"))
    assert "non-punitive" in shown and "Duty doctor on call (demo)" in shown
