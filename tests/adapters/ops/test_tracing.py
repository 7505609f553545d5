"""OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans for inbound requests, core turns,
database transactions, timers and deliveries, and outbound platform calls reach an OTLP/HTTP
collector (a tiny one, started here on a free port) — with no free text in any attribute."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from adapters.server import create_app
from tests.conftest import free_port
from tests.fake_connector import FakeConnector
from tests.fake_slack import FakeSlack, SlackClient
from tests.slack_harness import slack_settings
from tests.teams_harness import Client as TeamsClient
from tests.web_harness import post

SECRET = "he waited by my car after the evening clinic"
NICKNAME = "Blue lantern"


class Collector:
    """Receives OTLP/HTTP protobuf exports at /v1/traces and keeps every span."""

    def __init__(self) -> None:
        self.spans: list[dict] = []
        self.raw: list[bytes] = []
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    async def start(self) -> Collector:
        app = web.Application()
        app.router.add_post("/v1/traces", self.receive)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        assert request.content_type == "application/x-protobuf"
        self.raw.append(body)
        export = ExportTraceServiceRequest.FromString(body)
        for resource in export.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}
            for scope in resource.scope_spans:
                for span in scope.spans:
                    self.spans.append({
                        "name": span.name, "trace": span.trace_id.hex(), "id": span.span_id.hex(),
                        "parent": span.parent_span_id.hex(), "kind": span.kind, "service": service,
                        "attributes": {a.key: getattr(a.value, a.value.WhichOneof("value"))
                                       for a in span.attributes},
                    })
        return web.Response(body=ExportTraceServiceResponse().SerializeToString(),
                            content_type="application/x-protobuf")

    async def stop(self) -> None:
        await self.runner.cleanup()


@pytest.fixture
async def collector():
    receiver = await Collector().start()
    yield receiver
    await receiver.stop()


async def test_spans_reach_an_otlp_collector_without_free_text(database_url, tmp_path, clock, collector):
    slack_api = await FakeSlack(users={"UASHA": "asha@demo.invalid"}).start()
    connector = FakeConnector()
    await connector.start()
    connector.add_member("29:asha", "aad-asha", "asha@demo.invalid", "Asha Patel")
    settings = slack_settings(database_url, tmp_path, slack_api,
                              OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.port}")
    app = create_app(settings, clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser, \
                aiohttp.ClientSession(base) as teams_http, aiohttp.ClientSession() as slack_http:
            await post(browser, "/chat/as", {"person": "asha"})
            page = await post(browser, "/chat/say", {"text": "report"})
            entry = re.findall(r'name="_entry" value="(\d+)"', page)[-1]
            await post(browser, "/chat/submit", {
                "_form": "report", "_entry": entry, "category": "CONTACT", "setting": "in_person",
                "occurrence": "first", "felt_unsafe": "yes", "client_ref": NICKNAME, "details": SECRET})
            await TeamsClient(teams_http, connector).say(f"script {SECRET}")
            slack = SlackClient(base, slack_http, slack_api)
            await slack.slash("UASHA", "help", channel="DUASHA")
            await slack_api.wait_for("chat.postMessage")
            for _ in range(100):  # the escalation notice goes out through the outbox
                if any(s["name"] == "outbox.deliver" for s in collector.spans):
                    break
                await asyncio.sleep(0.1)
    finally:
        await runner.cleanup()  # flushes what is left
        await connector.stop()
        await slack_api.stop()

    spans = collector.spans
    names = {s["name"] for s in spans}
    assert {"POST /chat/say", "POST /chat/submit", "POST /api/messages", "POST /slack/events", "turn",
            "db.transaction", "outbox.deliver"} <= names, names
    assert all(s["service"]["service.name"] == "boundary-bot" for s in spans)

    # A turn belongs to the request that brought it; the request is a server span.
    server = next(s for s in spans if s["name"] == "POST /api/messages")
    assert server["kind"] == 2 and server["attributes"]["http.response.status_code"] == 200
    turn = next(s for s in spans if s["name"] == "turn" and s["trace"] == server["trace"])
    assert turn["attributes"]["boundary.platform"] == "teams"
    assert turn["attributes"]["boundary.event.name"] == "script"
    assert any(s["name"] == "db.transaction" and s["parent"] == turn["id"] for s in spans)

    # Outbound calls to the platforms, with ids in paths left out.
    outbound = [s for s in spans if s["kind"] == 3]
    templates = {s["attributes"]["url.template"] for s in outbound}
    assert any(t.endswith("/v3/conversations/{id}/activities/{id}") for t in templates), templates
    assert any(t.endswith("/api/chat.postMessage") for t in templates), templates
    assert any(s["trace"] == server["trace"] for s in outbound)  # the Teams reply, inside its request

    everything = b"".join(collector.raw).decode("latin-1")
    for private in (SECRET, NICKNAME, "Asha", "asha@demo.invalid", "Patel"):
        assert private not in everything


async def test_no_endpoint_no_tracing(server):
    base, app = server
    from adapters.ops import OPS_KEY

    assert app[OPS_KEY].provider is None
    async with aiohttp.ClientSession() as http, http.get(base + "/livez") as response:
        assert response.status == 200
