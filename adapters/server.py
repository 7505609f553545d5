"""The composition root: one aiohttp server for every adapter, plus health checks.

``create_app`` builds the application; the core is started in a cleanup context so each
application (and each test) gets its own engine, and shuts it down cleanly.
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY, SETTINGS_KEY
from adapters.web import setup_web_chat
from bot import runtime
from bot.background import Background
from bot.machinery.clock import Clock
from bot.machinery.config import Settings
from bot.machinery.monitoring import reliability_stats
from bot.machinery.storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)


BACKGROUND_KEY = web.AppKey("background", Background)


def create_app(settings: Settings, clock: Clock | None = None, *, run_background: bool = True) -> web.Application:
    """The whole server. ``run_background=False`` leaves outbox delivery and timers to the
    caller (tests drive them step by step with a manual clock)."""
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app[DELIVERERS_KEY] = {}

    async def core(app: web.Application):
        anchors = _keep_audit_anchors(settings)
        bot = await runtime.start(settings, clock)
        app[BOT_KEY] = bot
        background = Background(bot, app[DELIVERERS_KEY])
        if run_background:
            background.start()
        app[BACKGROUND_KEY] = background
        yield
        await background.stop()
        await bot.db.dispose()
        if anchors is not None:
            logging.getLogger(AUDIT_ANCHOR_LOGGER).removeHandler(anchors)
            anchors.close()

    app.cleanup_ctx.append(core)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if settings.teams_enabled or settings.is_local:
        from adapters.teams import setup_teams  # botbuilder is imported only when needed

        setup_teams(app, settings)  # POST /api/messages (JWT checked when MicrosoftAppId is set)
    if settings.slack_enabled:
        from adapters.slack import setup_slack

        setup_slack(app, settings)
    if settings.is_local:
        setup_web_chat(app)
    else:
        app.router.add_get("/", landing)
    return app


AUDIT_ANCHOR_LOGGER = "boundary.audit.anchor"


def _keep_audit_anchors(settings: Settings) -> logging.Handler | None:
    """The audit chain's hourly anchors always go to the log; with BOUNDARY_AUDIT_ANCHOR_FILE
    they are also appended to that file, for an auditor's ``audit verify --anchor``."""
    logger = logging.getLogger(AUDIT_ANCHOR_LOGGER)
    logger.setLevel(logging.INFO)
    if not settings.audit_anchor_file:
        return None
    handler = logging.FileHandler(settings.audit_anchor_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    return handler


async def healthz(request: web.Request) -> web.Response:
    """200 while the database answers. Each feature's health checks add a count (for example
    ``escalations_overdue``: escalations whose next step is over a minute late, a stuck
    scheduler); any count above zero makes the status "degraded"."""
    bot = request.app[BOT_KEY]
    try:
        await bot.db.ping()
        counts = {}
        async with bot.db.transaction() as tx:
            for name, check in bot.features.health.items():
                counts[name] = await check(tx, bot.clock.now())
    except DatabaseUnavailable:
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    status = "degraded" if any(counts.values()) else "ok"
    return web.json_response({"status": status, "database": "ok", **counts})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format: outbox and timer figures from the database, and this
    process's delivery counters. Never any report content."""
    bot = request.app[BOT_KEY]
    background = request.app[BACKGROUND_KEY]
    stats = await reliability_stats(bot.db, bot.clock)
    registry = CollectorRegistry()
    by_status = Gauge("boundary_notifications", "Outbox notifications by status", ["status"], registry=registry)
    for status in ("pending", "sent", "failed", "skipped"):
        by_status.labels(status).set(stats.notifications.get(status, 0))
    Gauge("boundary_notifications_retrying", "Pending notifications that failed at least once",
          registry=registry).set(stats.notifications_retrying)
    timers = Gauge("boundary_timers", "Timers by status", ["status"], registry=registry)
    for status in ("pending", "done", "cancelled", "failed"):
        timers.labels(status).set(stats.timers.get(status, 0))
    Gauge("boundary_timers_overdue", "Pending timers due more than a minute ago", registry=registry).set(
        stats.timers_overdue
    )
    attempts = Counter("boundary_delivery_attempts", "Delivery attempts by this process, by outcome",
                       ["outcome"], registry=registry)
    for outcome in ("sent", "retried", "failed", "skipped"):
        attempts.labels(outcome).inc(background.worker.counts[outcome])
    fired = Counter("boundary_timer_runs", "Timer runs by this process, by outcome", ["outcome"], registry=registry)
    for outcome in ("fired", "retried", "failed"):
        fired.labels(outcome).inc(background.scheduler.counts[outcome])
    return web.Response(body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def landing(request: web.Request) -> web.Response:
    return web.Response(
        text="Boundary Bot is running. The web chat is only served in local mode "
        "(BOUNDARY_LOCAL_MODE=true); use the bot from Slack or Teams.\n",
        content_type="text/plain",
    )
