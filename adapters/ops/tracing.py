"""OpenTelemetry traces, exported by OTLP over HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

Spans: each inbound HTTP request (``POST /slack/events``…, from :mod:`adapters.ops.http`), each
core turn, timer run and outbox delivery, each database transaction (from the core's Observer
hooks), and each outbound HTTP call to a platform (an aiohttp ``TraceConfig`` given to the
adapters' client sessions).

Attributes are ids, declared names, methods, route patterns and status codes — never what
anyone typed: the core's hook attributes pass through an allow-list, URLs are reduced to
their host and a path pattern, and an exception is recorded by its type only (its message
could quote a person's words).

The tracer provider belongs to the application (not the process), so tests can run several
applications side by side; ``shutdown`` flushes what is left.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from bot.machinery.config import Settings

# Hook attribute → span attribute. Anything else a hook passes is dropped.
ALLOWED = {
    "platform": "boundary.platform",
    "event_kind": "boundary.event.kind",
    "event_name": "boundary.event.name",
    "notification_id": "boundary.notification.id",
    "attempt": "boundary.delivery.attempt",
    "timer_id": "boundary.timer.id",
    "timer_kind": "boundary.timer.kind",
    "db_system": "db.system.name",
    "request_id": "boundary.request_id",
}
TEAMS_ID_PREFIXES = ("a:", "19:", "28:", "29:", "f:")


def provider_for(settings: Settings, version: str) -> TracerProvider | None:
    """A tracer provider exporting to the configured collector, or None when tracing is off."""
    if not settings.otel_endpoint:
        return None
    endpoint = None if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") else (
        settings.otel_endpoint.rstrip("/") + "/v1/traces")
    provider = TracerProvider(resource=Resource.create({
        "service.name": settings.otel_service_name, "service.version": version,
    }))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint),
                                                   schedule_delay_millis=1000))
    return provider


def clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {ALLOWED[k]: v for k, v in attributes.items() if k in ALLOWED and v is not None}


@contextmanager
def span(tracer: trace.Tracer, name: str, kind: SpanKind = SpanKind.INTERNAL, parent=None,
         **attributes: Any) -> Iterator[trace.Span]:
    """A span that records a failure by its exception type, never its message."""
    with tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attributes,
                                      record_exception=False, set_status_on_exception=False) as current:
        try:
            yield current
        except BaseException as exc:
            current.set_attribute("error.type", type(exc).__qualname__)
            current.set_status(Status(StatusCode.ERROR, type(exc).__qualname__))
            raise


def url_pattern(url) -> str:
    """``https://slack.com/api/chat.postMessage`` stays; ids in a path become ``{id}``; a
    Slack response_url (a capability) keeps only its host."""
    host = url.host or ""
    if "hooks.slack.com" in host or url.path.startswith("/response/"):
        return f"{url.scheme}://{host}/{{response_url}}"
    parts = ["{id}" if _is_id(p) else p for p in url.path.split("/")]
    return f"{url.scheme}://{host}{'/'.join(parts)}"


def _is_id(segment: str) -> bool:
    """A conversation, activity or member id (``a:1x…``, ``29:…``), or any longish segment
    with digits in it; ``v3`` and ``chat.postMessage`` are not."""
    return segment.startswith(TEAMS_ID_PREFIXES) or (len(segment) >= 6 and any(c.isdigit() for c in segment))


def client_trace_config(tracer: trace.Tracer) -> aiohttp.TraceConfig:
    """Spans for an aiohttp client session's requests (the adapters' calls to Slack and Teams)."""
    config = aiohttp.TraceConfig()

    async def started(_session, context, params) -> None:
        context.span = tracer.start_span(
            f"{params.method} {params.url.host}", kind=SpanKind.CLIENT,
            attributes={"http.request.method": params.method, "server.address": params.url.host or "",
                        "url.template": url_pattern(params.url)},
        )

    async def ended(_session, context, params) -> None:
        current = getattr(context, "span", None)
        if current is not None:
            current.set_attribute("http.response.status_code", params.response.status)
            if params.response.status >= 500:
                current.set_status(Status(StatusCode.ERROR, f"HTTP {params.response.status}"))
            current.end()

    async def failed(_session, context, params) -> None:
        current = getattr(context, "span", None)
        if current is not None:
            current.set_attribute("error.type", type(params.exception).__qualname__)
            current.set_status(Status(StatusCode.ERROR, type(params.exception).__qualname__))
            current.end()

    config.on_request_start.append(started)
    config.on_request_end.append(ended)
    config.on_request_exception.append(failed)
    return config
