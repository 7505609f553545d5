"""Operations: health probes, Prometheus metrics, structured logs, OpenTelemetry traces,
``doctor`` and the configuration reference — the parts an IT team runs the bot with.

:func:`setup_ops` wires the web-facing parts into the application and returns the core's
Observer; the core itself only ever sees that neutral interface (bot.machinery.observe).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from opentelemetry.sdk.trace import TracerProvider

from adapters.appkeys import CLIENT_TRACING_KEY, CREDENTIAL_CHECKS_KEY
from adapters.ops import tracing
from adapters.ops.health import setup_health
from adapters.ops.http import request_middleware
from adapters.ops.metrics import Metrics
from adapters.ops.telemetry import Telemetry
from adapters.ops.version import version
from bot.machinery.config import Settings


@dataclass
class Ops:
    metrics: Metrics
    telemetry: Telemetry
    provider: TracerProvider | None


OPS_KEY = web.AppKey("ops", Ops)


def setup_ops(app: web.Application, settings: Settings) -> Telemetry:
    """Middleware, probes, metrics (on /metrics, or only on BOUNDARY_METRICS_PORT) and
    tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set). Call before the adapters are set up."""
    metrics = Metrics()
    provider = tracing.provider_for(settings, version())
    tracer = provider.get_tracer("boundary-bot", version()) if provider else None
    telemetry = Telemetry(metrics, tracer)
    app[OPS_KEY] = Ops(metrics, telemetry, provider)
    app[CLIENT_TRACING_KEY] = [tracing.client_trace_config(tracer)] if tracer else []
    app[CREDENTIAL_CHECKS_KEY] = {}
    app.middlewares.append(request_middleware(metrics, tracer))
    setup_health(app)

    async def serve_metrics(_request: web.Request) -> web.Response:
        body, content_type = await metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def lifecycle(_app: web.Application):
        runner = None
        if settings.metrics_port:
            private = web.Application()
            private.router.add_get("/metrics", serve_metrics)
            runner = web.AppRunner(private, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.metrics_host or settings.host, settings.metrics_port).start()
        yield
        if runner is not None:
            await runner.cleanup()
        if provider is not None:
            import asyncio

            await asyncio.to_thread(provider.shutdown)  # flushes the last spans

    app.cleanup_ctx.append(lifecycle)
    if not settings.metrics_port:
        app.router.add_get("/metrics", serve_metrics)
    return telemetry
