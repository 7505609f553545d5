"""The middleware every request passes through: a request id (from a well-formed
``X-Request-Id``, else a new one) bound to the log context and echoed in the response; a
server span when tracing is on; and, for the chat platforms' routes, how long the answer took."""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from typing import Any

from aiohttp import web
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from adapters.ops import tracing
from adapters.ops.metrics import Metrics
from bot.machinery import observe

INCOMING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{7,31}$")
PLATFORM_ROUTES = {"/slack/events": "slack", "/api/messages": "teams"}
UNTRACED = {"/livez", "/readyz", "/healthz", "/metrics"}
REQUEST_ID_KEY = web.RequestKey("request_id", str)


def route_of(request: web.Request) -> str:
    resource = getattr(getattr(request.match_info, "route", None), "resource", None)
    return resource.canonical if resource is not None else "unmatched"


def platform_of(route: str) -> str | None:
    if route in PLATFORM_ROUTES:
        return PLATFORM_ROUTES[route]
    return "web" if route.startswith("/chat/") else None


def request_middleware(metrics: Metrics, tracer: trace.Tracer | None):
    ack_of: dict[str, Any] = {}

    @web.middleware
    async def observe_request(request: web.Request, handler):
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if INCOMING_ID.match(incoming) else observe.new_id()
        request[REQUEST_ID_KEY] = request_id
        route = route_of(request)
        platform = platform_of(route)
        traced = tracer is not None and route not in UNTRACED
        server_span = (
            tracing.span(tracer, f"{request.method} {route}", SpanKind.SERVER,
                         parent=propagate.extract(request.headers),
                         **{"http.request.method": request.method, "http.route": route,
                            "boundary.request_id": request_id})
            if traced else nullcontext()
        )
        started = time.perf_counter()
        with observe.bound(request_id=request_id), server_span as span:
            status = 500
            try:
                response = await handler(request)
                status = response.status
            except web.HTTPException as exc:
                status = exc.status
                raise
            finally:
                if platform is not None:
                    acks = ack_of.get(platform)
                    if acks is None:  # the labelled child, looked up once per platform
                        acks = ack_of[platform] = metrics.ack.labels(platform)
                    acks.observe(time.perf_counter() - started)
                if span is not None:
                    span.set_attribute("http.response.status_code", status)
        if not response.prepared:
            response.headers["X-Request-Id"] = request_id
        return response

    return observe_request
