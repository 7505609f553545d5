"""Slack: "What happened?" is a handful of radio buttons; a broad choice with no words redraws
the modal with "Which of these is closest?" (Slack flags errors only on blocks a modal has),
and the answer to it gets the advice."""

import json

from tests.fake_slack import submission_payload
from tests.slack_harness import ASHA, fake, open_report, slack, texts  # noqa: F401  (fixtures and helpers)


async def test_a_broad_choice_without_words_asks_which_is_closest_in_the_modal(slack):  # noqa: F811
    client, _ = slack
    modal = await open_report(client, ASHA)
    what = next(b for b in modal["blocks"] if b.get("block_id") == "category")
    assert len(what["element"]["options"]) == 5
    status, body = await client.interaction(submission_payload(ASHA, modal, {"felt_unsafe": "no",
                                                                             "category": "SEXUAL"}))
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "update"
    redrawn = answer["view"]
    ids = [b.get("block_id") for b in redrawn["blocks"] if b["type"] == "input"]
    assert ids[ids.index("category") + 1] == "kind"
    closest = next(b for b in redrawn["blocks"] if b.get("block_id") == "kind")
    assert closest["label"]["text"] == "Which of these is closest?" and "choose the closest" in closest["hint"]["text"]
    assert [o["value"] for o in closest["element"]["options"]] == ["SEXUAL:remark", "SEXUAL:messages",
                                                                    "SEXUAL:exposure", "SEXUAL:touch"]
    # What they chose is still chosen in the redrawn modal.
    chosen = next(b for b in redrawn["blocks"] if b.get("block_id") == "category")["element"]["initial_option"]
    assert chosen["value"] == "SEXUAL"
    assert not client.fake.of("chat.postMessage")  # nothing saved or sent yet

    status, body = await client.interaction(submission_payload(
        ASHA, redrawn, {"felt_unsafe": "no", "category": "SEXUAL", "kind": "SEXUAL:messages"}))
    assert status == 200 and body in ("", "{}")
    (dm,) = await client.fake.wait_for("chat.postMessage")
    assert "Sexual messages, pictures or videos" in texts(dm)


async def test_the_saved_report_has_a_plain_title_and_its_reference_in_small_print(slack):  # noqa: F811
    client, _ = slack
    modal = await open_report(client, ASHA)
    await client.interaction(submission_payload(ASHA, modal, {"felt_unsafe": "no", "category": "GIFT"}))
    (dm,) = await client.fake.wait_for("chat.postMessage")
    header = next(b for b in dm.body["blocks"] if b["type"] == "header")
    assert header["text"]["text"] == "Your report is saved privately"
    fields = [f["text"] for b in dm.body["blocks"] for f in b.get("fields", [])]
    assert "*Reference*\nR-1" in fields  # only where someone may need to quote it
