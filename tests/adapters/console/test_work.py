"""Open work: a manager acknowledges and resolves an escalation from the console, with the same
rules and audit as chat, and chat (Slack here) shows it at once; details open only where chat
would open them, and each read is audited."""

from __future__ import annotations

import json
import re

import aiohttp
import pytest
from sqlalchemy import select

from adapters.appkeys import BOT_KEY
from bot.machinery.storage.models import AuditEntry
from tests.console_harness import Browser, console_server, sign_in
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient, submission_payload

ASHA, MORGAN, TOM = "UASHA", "UMORGAN", "UTOM"
SECRET = "he followed me to the car park"


def in_dm(user: str, needle: str):
    return lambda body: body.get("channel") == "D" + user and needle in json.dumps(body)


@pytest.fixture
async def slack_site(database_url, tmp_path, clock):
    api = await FakeSlack(users={ASHA: "asha@demo.invalid", MORGAN: "morgan@demo.invalid",
                                 TOM: "tom@demo.invalid"}).start()
    extra = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
             "SLACK_API_URL": api.api_url.rstrip("/")}
    try:
        async with console_server(database_url, tmp_path, clock, **extra) as (base, app), \
                aiohttp.ClientSession() as http:
            yield base, app, SlackClient(base, http, api), api
    finally:
        await api.stop()


async def report_unsafe(slack: SlackClient, api: FakeSlack, user: str, count: int = 1) -> None:
    await slack.slash(user, "report", channel="D" + user)
    opened = await api.wait_for("views.open", count=count)
    answers = {"category": "THREAT", "setting": "home_visit", "occurrence": "first", "felt_unsafe": "yes",
               "details": SECRET}
    status, _ = await slack.interaction(submission_payload(user, opened[-1].body["view"], answers))
    assert status == 200


async def audit_actions(app) -> list[tuple[str, str, int | None]]:
    async with app[BOT_KEY].db.transaction() as tx:
        rows = (await tx.session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(r.action, r.subject_type, r.subject_id) for r in rows]


async def test_acknowledge_and_resolve_from_the_console_show_in_slack_at_once(slack_site):
    base, app, slack, api = slack_site
    await slack.slash(MORGAN, "help", channel="D" + MORGAN)  # Morgan uses the bot in Slack
    await report_unsafe(slack, api, ASHA)
    await api.wait_for("chat.postMessage", where=in_dm(MORGAN, "Escalation:"))

    browser = Browser(base)
    await sign_in(browser, app, "morgan")
    status, page = await browser.get("/console/work")
    assert status == 200 and "Escalation:" in page and "E-1" in page and "Waiting for a manager" in page
    assert SECRET not in page

    status, page = await browser.post("/console/work/press", {"action": "escalation.ack", "value": "1"})
    assert status == 200 and "You acknowledged E-1" in page
    # Chat shows it: Morgan's notice is updated in place, Asha is told.
    await api.wait_for("chat.update", where=in_dm(MORGAN, "Acknowledged at"))
    await api.wait_for("chat.postMessage", where=in_dm(ASHA, "Morgan Reyes has acknowledged"))
    # Pressing again says what chat says.
    status, page = await browser.post("/console/work/press", {"action": "escalation.ack", "value": "1"})
    assert "already acknowledged by Morgan Reyes" in page

    # Details: in the page only, and the read is audited.
    status, page = await browser.post("/console/work/press", {"action": "escalation.view", "value": "1"})
    assert status == 200 and SECRET in page and "Your viewing has been recorded" in page
    assert ("report.viewed", "report", 1) in await audit_actions(app)

    # Resolve: the form, a bad note kept with its error, then done.
    status, page = await browser.post("/console/work/press", {"action": "escalation.resolve", "value": "1"})
    assert 'name="note"' in page
    status, page = await browser.post("/console/work/submit", {"_form": "escalation.resolve", "_state": "1",
                                                               "note": "Call me on 07700 900123"})
    assert "Please take it out" in page and "07700 900123" in page
    status, page = await browser.post("/console/work/submit", {"_form": "escalation.resolve", "_state": "1",
                                                               "note": "Spoke with Asha; home visits paired."})
    assert "E-1 is resolved" in page and "Nothing is waiting for you" in page
    await api.wait_for("chat.postMessage", where=in_dm(ASHA, "Morgan Reyes has dealt with what you escalated"))
    actions = [a for a, _, _ in await audit_actions(app)]
    assert actions.index("escalation.acknowledged") < actions.index("escalation.resolved")
    posted = [c for c in api.calls if c.method in ("chat.postMessage", "chat.update")]
    assert all(SECRET not in json.dumps(c.body) for c in posted)
    await browser.close()


async def test_details_of_another_teams_escalation_stay_closed(slack_site):
    base, app, slack, api = slack_site
    await report_unsafe(slack, api, TOM)  # Tom is in Community mental health: Chris's team, not Morgan's
    browser = Browser(base)
    await sign_in(browser, app, "morgan")
    status, page = await browser.get("/console/work")
    assert "Escalation:" not in page
    for action in ("escalation.view", "escalation.ack", "escalation.resolve"):
        status, page = await browser.post("/console/work/press", {"action": action, "value": "1"})
        assert SECRET not in page and "find that escalation among those you can act on" in page
    status, page = await browser.post("/console/work/submit", {"_form": "escalation.resolve", "_state": "1",
                                                               "note": "closing it"})
    assert "find that escalation among those you can act on" in page
    assert not [a for a in await audit_actions(app) if a[0] in ("report.viewed", "escalation.resolved")]
    # Buttons the console does not offer are refused outright.
    status, _ = await browser.post("/console/work/press", {"action": "chaperone.accept", "value": "1"})
    assert status == 403
    await browser.close()


async def test_open_chaperone_requests_of_my_team_are_listed(slack_site, clock):
    from datetime import timedelta

    from bot.machinery.storage.models import Base

    base, app, slack, api = slack_site
    requests = Base.metadata.tables["chaperone_requests"]
    now = clock.now()
    async with app[BOT_KEY].db.transaction() as tx:
        tom = await tx.people.by_key("tom")  # Community mental health: Chris's team
        await tx.session.execute(requests.insert().values(
            requester_id=tom.id, starts_at=now + timedelta(hours=3), minutes=30, setting="in_person",
            site="Main building", status="open", urgent=False, wave=0, widened=False, generation=0,
            created_at=now, updated_at=now))
    browser = Browser(base)
    await sign_in(browser, app, "chris")
    status, page = await browser.get("/console/work")
    assert re.search(r"C-1</th><td>30 min, Main building</td><td>Tom Brennan</td>", page)
    await sign_in(browser, app, "morgan")  # another team's manager does not see it
    status, page = await browser.get("/console/work")
    assert "C-1" not in page
    await browser.close()
