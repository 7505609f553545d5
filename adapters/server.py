"""The composition root: one aiohttp server for every adapter, plus health checks.

``create_app`` builds the application; the core is started in a cleanup context so each
application (and each test) gets its own engine, and shuts it down cleanly.
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.appkeys import BOT_KEY, DELIVERERS_KEY, SETTINGS_KEY
from adapters.web import setup_web_chat
from bot import runtime
from bot.clock import Clock
from bot.config import Settings
from bot.storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)


def create_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    app = web.Application()
    app[SETTINGS_KEY] = settings
    app[DELIVERERS_KEY] = {}

    async def core(app: web.Application):
        bot = await runtime.start(settings, clock)
        app[BOT_KEY] = bot
        yield
        await bot.db.dispose()

    app.cleanup_ctx.append(core)
    app.router.add_get("/healthz", healthz)
    if settings.slack_enabled:
        from adapters.slack import setup_slack

        setup_slack(app, settings)
    if settings.is_local:
        setup_web_chat(app)
    else:
        app.router.add_get("/", landing)
    return app


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[BOT_KEY].db.ping()
    except DatabaseUnavailable:
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def landing(request: web.Request) -> web.Response:
    return web.Response(
        text="Boundary Bot is running. The web chat is only served in local mode "
        "(BOUNDARY_LOCAL_MODE=true); use the bot from Slack or Teams.\n",
        content_type="text/plain",
    )
