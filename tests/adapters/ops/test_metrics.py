"""The metrics an operator watches appear on /metrics and move as the bot works: one server
with Slack, Teams and the web chat, its background loops on a manual clock."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from adapters.appkeys import BOT_KEY
from adapters.server import create_app
from bot.machinery.outbox import notify
from bot.port.views import Notice
from tests.conftest import free_port, local_settings
from tests.fake_connector import FakeConnector
from tests.fake_slack import FakeSlack, SlackClient
from tests.slack_harness import slack_settings
from tests.teams_harness import Client as TeamsClient
from tests.web_harness import buttons, page_of, post, wait_for

ASHA = "UASHA"


async def ask_for_a_chaperone(session, day: str) -> None:
    page = await post(session, "/chat/say", {"text": "chaperone"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    await post(session, "/chat/submit", {"_form": "chaperone", "_entry": entry, "date": day, "start": "14:00",
                                         "minutes": "30", "setting": "in_person", "site": "Main building",
                                         "room": "Room 2", "urgent": "no"})


async def press(session, action: str) -> None:
    value, label = buttons(await page_of(session), action)[-1]
    await post(session, "/chat/press", {"action": action, "value": value, "label": label})


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(figures, metric: str, /, **labels) -> float:
    return figures.get((metric, frozenset(labels.items())), 0.0)


def total(figures, metric: str, /, **labels) -> float:
    """Sum over every series of ``metric`` whose labels include ``labels``."""
    return sum(v for (n, have), v in figures.items() if n == metric and set(labels.items()) <= have)


@pytest.fixture
async def bot_server(database_url, tmp_path, clock):
    slack_api = await FakeSlack(users={ASHA: "asha@demo.invalid"}).start()
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:morgan", "aad-morgan", "morgan@demo.invalid", "Morgan Reyes")
    app = create_app(slack_settings(database_url, tmp_path, slack_api), clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    sessions = {who: aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
                for who in ("asha", "sam", "priya", "morgan")}
    for who, session in sessions.items():
        await post(session, "/chat/as", {"person": who})
    async with aiohttp.ClientSession() as slack_http, aiohttp.ClientSession(base) as teams_http:
        yield base, app, SlackClient(base, slack_http, slack_api), TeamsClient(teams_http, connector), sessions
    for session in sessions.values():
        await session.close()
    await runner.cleanup()
    await connector.stop()
    await slack_api.stop()


async def scrape(base: str) -> tuple[dict, str]:
    async with aiohttp.ClientSession() as http, http.get(base + "/metrics") as response:
        assert response.status == 200 and response.content_type == "text/plain"
        text = await response.text()
    return samples(text), text


async def test_the_metrics_appear_and_move(bot_server, clock):
    base, app, slack, teams, web_chat = bot_server
    before, first_text = await scrape(base)
    assert value(before, "boundary_database_up") == 1.0
    assert value(before, "boundary_db_pool_connections", state="size") >= 1
    assert value(before, "boundary_outbox_depth") == 0

    # Inbound: ack latency per platform, events by kind, name and outcome.
    await slack.slash(ASHA, "help", channel="D" + ASHA)
    await slack.fake.wait_for("chat.postMessage")
    await teams.say("help", who="morgan")
    await post(web_chat["asha"], "/chat/say", {"text": "status"})
    await post(web_chat["asha"], "/chat/submit", {"_form": "no-such-form"})
    now, _ = await scrape(base)
    for platform in ("slack", "teams", "web"):
        assert value(now, "boundary_ack_seconds_count", platform=platform) >= 1, platform
    assert value(now, "boundary_events_total", platform="slack", kind="command", name="help", outcome="ok") == 1
    assert value(now, "boundary_events_total", platform="teams", kind="command", name="help", outcome="ok") == 1
    assert value(now, "boundary_events_total", platform="web", kind="form", name="unknown", outcome="ok") == 1

    # A safety report escalates at once; unacknowledged, it climbs to the second level.
    page = await post(web_chat["asha"], "/chat/say", {"text": "report"})
    entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
    await post(web_chat["asha"], "/chat/submit", {"_form": "report", "_entry": entry, "category": "THREAT",
                                                  "setting": "in_person", "occurrence": "first", "felt_unsafe": "yes"})
    now, _ = await scrape(base)
    assert value(now, "boundary_escalation_open", level="1", state="open") == 1
    clock.advance(minutes=16)
    await wait_for(web_chat["asha"], "has been told about your escalation")
    now, _ = await scrape(base)
    assert value(now, "boundary_escalation_open", level="2", state="open") == 1
    assert value(now, "boundary_escalation_open", level="1", state="open") == 0
    assert total(now, "boundary_timer_runs_total", outcome="fired") >= 1
    assert total(now, "boundary_timer_lag_seconds_count") >= 1 and total(now, "boundary_timer_lag_seconds_sum") >= 60
    # The message shows in the web chat a moment before the outbox counts it as sent.
    for _ in range(100):
        if total(now, "boundary_delivery_attempts_total", platform="web", outcome="sent") >= 2:
            break
        await asyncio.sleep(0.05)
        now, _ = await scrape(base)
    assert total(now, "boundary_delivery_attempts_total", platform="web", outcome="sent") >= 2

    # Teams is down: a message to Morgan (last seen in Teams) is retried, and waits in the outbox.
    teams.fake.fail(500, times=1000)
    async with app[BOT_KEY].db.transaction() as tx:
        morgan = await tx.people.by_key("morgan")
        await notify(tx, "metrics-test", morgan.id, Notice("a note"), clock.now())
    for _ in range(100):
        now, _ = await scrape(base)
        if value(now, "boundary_delivery_attempts_total", platform="teams", outcome="retried", reason="unavailable"):
            break
        await asyncio.sleep(0.05)
    assert value(now, "boundary_delivery_attempts_total", platform="teams", outcome="retried", reason="unavailable") >= 1
    clock.advance(seconds=1)
    now, _ = await scrape(base)
    assert value(now, "boundary_outbox_depth") >= 1 and value(now, "boundary_notifications_retrying") >= 1
    assert value(now, "boundary_outbox_oldest_pending_seconds") >= 1
    teams.fake.recover()

    # A chaperone request filled: the fill time is observed.
    await ask_for_a_chaperone(web_chat["asha"], "2026-01-06")
    await wait_for(web_chat["sam"], "Chaperone needed")
    await press(web_chat["sam"], "chaperone.accept")
    now, text = await scrape(base)
    assert value(now, "boundary_chaperone_fill_seconds_count") == 1

    # Built once: series' creation times do not change from one scrape to the next.
    created = {k: v for k, v in before.items() if k[0].endswith("_created")}
    assert created and all(now[k] == v for k, v in created.items())
    labels = {key for (_, have) in now for key, _ in have}
    assert labels <= {"platform", "kind", "name", "outcome", "reason", "status", "state", "level", "le"}, labels
    assert not any(name in text for name in ("Asha", "Morgan", "asha@", "morgan@"))


async def test_a_metrics_port_serves_metrics_only_there(database_url, tmp_path, clock):
    port = free_port()
    app = create_app(local_settings(database_url, tmp_path, BOUNDARY_METRICS_PORT=port), clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    main = free_port()
    await web.TCPSite(runner, "127.0.0.1", main).start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{main}/metrics") as response:
                assert response.status == 404
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200 and "boundary_database_up 1.0" in await response.text()
            async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert response.status == 404  # the private port has metrics and nothing else
    finally:
        await runner.cleanup()
