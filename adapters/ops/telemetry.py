"""The core's Observer, implemented with Prometheus (always) and OpenTelemetry (when on)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from opentelemetry import trace

from adapters.ops import tracing
from adapters.ops.metrics import Metrics
from bot.machinery.observe import Field, Observer


class Telemetry(Observer):
    def __init__(self, metrics: Metrics, tracer: trace.Tracer | None = None) -> None:
        self.metrics = metrics
        self.tracer = tracer

    def span(self, name: str, **attributes: Field) -> AbstractContextManager:
        if self.tracer is None:
            return nullcontext()
        return tracing.span(self.tracer, name, **tracing.clean(attributes))

    def event_handled(self, platform: str, kind: str, name: str, outcome: str, seconds: float) -> None:
        self.metrics.events.labels(platform, kind, name, outcome).inc()
        self.metrics.turn.labels(kind).observe(seconds)

    def delivery_attempted(self, platform: str, outcome: str, reason: str) -> None:
        self.metrics.deliveries.labels(platform, outcome, reason).inc()

    def timer_ran(self, kind: str, outcome: str, lag_seconds: float) -> None:
        self.metrics.timer_runs.labels(kind, outcome).inc()
        self.metrics.timer_lag.labels(kind).observe(lag_seconds)

    def duration(self, name: str, seconds: float) -> None:
        if name == "chaperone_fill":
            self.metrics.chaperone_fill.observe(max(0.0, seconds))
