"""Slack: the risk and capacity pathway and the organisation's contacts reach the clinician."""

from tests.fake_slack import submission_payload
from tests.slack_harness import ASHA, fake, open_report, slack, texts  # noqa: F401  (fixtures and helpers)


async def test_a_report_linked_to_dementia_gets_calm_words_and_the_on_call_team(slack):  # noqa: F811
    client, _ = slack
    modal = await open_report(client, ASHA)
    assert any(b.get("block_id") == "condition" for b in modal["blocks"])
    # "Sexual comments, messages or touching", made exact by their words: touch.
    report = {"category": "SEXUAL", "details": "he grabbed my breast while I helped him wash", "felt_unsafe": "no",
              "condition": "cognitive"}
    status, _ = await client.interaction(submission_payload(ASHA, modal, report))
    assert status == 200
    (dm,) = await client.fake.wait_for("chat.postMessage")
    shown = texts(dm)
    assert "non-punitive" in shown and "Duty doctor on call (demo): ext. 4100" in shown
    assert "step out" not in shown.lower() and "not acceptable" not in shown.lower()
    assert "Your safety first" not in shown and "Ask for a chaperone" in shown  # not an emergency


async def test_the_script_verb_shows_the_crisis_line(slack):  # noqa: F811
    client, _ = slack
    status, _ = await client.slash(ASHA, "script client threatened suicide when I mentioned discharge")
    assert status == 200
    calls = await client.fake.wait_for("chat.postMessage")
    shown = " ".join(texts(c) for c in calls)
    assert "Samaritans: 116 123" in shown and "non-punitive" in shown
