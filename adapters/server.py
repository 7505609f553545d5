"""The composition root: one aiohttp server for every adapter.

``create_app`` builds the application; the core is started in a cleanup context so each
application (and each test) gets its own engine, and shuts it down cleanly. Operations —
probes, metrics, logs, traces — live in :mod:`adapters.ops`.
"""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.appkeys import BACKGROUND_KEY, BOT_KEY, DELIVERERS_KEY, SETTINGS_KEY
from adapters.ops import OPS_KEY, setup_ops, version
from adapters.ops.logs import AccessLog
from adapters.teams.serviceurls import is_loopback, open_endpoint_allowed
from adapters.web import setup_web_chat
from bot import runtime
from bot.background import Background
from bot.features import chaperone
from bot.machinery.clock import Clock
from bot.machinery.config import Settings
from bot.runtime import StartupError

log = logging.getLogger(__name__)

__all__ = ["BACKGROUND_KEY", "create_app"]


def create_app(settings: Settings, clock: Clock | None = None, *, run_background: bool = True) -> web.Application:
    """The whole server. ``run_background=False`` leaves outbox delivery and timers to the
    caller (tests drive them step by step with a manual clock)."""
    # Our access log (route patterns, never raw paths or query strings), whoever runs the app.
    app = web.Application(handler_args={"access_log_class": AccessLog})
    app[SETTINGS_KEY] = settings
    app[DELIVERERS_KEY] = {}
    observer = setup_ops(app, settings)

    async def core(app: web.Application):
        anchors = _keep_audit_anchors(settings)
        bot = await runtime.start(settings, clock, observer=observer)
        app[BOT_KEY] = bot
        app[OPS_KEY].metrics.database.bot = bot
        background = Background(bot, app[DELIVERERS_KEY])
        if run_background:
            background.start()
        app[BACKGROUND_KEY] = background
        log.info("Boundary Bot %s started", version())
        yield
        await background.stop(settings.shutdown_grace)
        await bot.db.dispose()
        if anchors is not None:
            logging.getLogger(AUDIT_ANCHOR_LOGGER).removeHandler(anchors)
            anchors.close()

    async def stop_background_first(app: web.Application):
        # Registered after the adapters, so on shutdown it runs before they close (cleanup
        # contexts unwind in reverse): in-flight requests have finished by then, and the
        # current batches finish while the platforms' clients still work.
        yield
        if BACKGROUND_KEY in app:
            await app[BACKGROUND_KEY].stop(settings.shutdown_grace)

    app.cleanup_ctx.append(core)

    if settings.teams_enabled or (settings.is_local and open_endpoint_allowed(
            settings.host, settings.slack_enabled, settings.slack_api_url)):
        from adapters.teams import setup_teams  # botbuilder is imported only when needed

        setup_teams(app, settings)  # POST /api/messages (JWT checked when MicrosoftAppId is set)
    elif settings.is_local:
        log.warning("POST /api/messages is off: without MicrosoftAppId it runs only on a loopback "
                    "address and never beside real Slack credentials")
    if settings.slack_enabled:
        from adapters.slack import setup_slack

        setup_slack(app, settings)
    from adapters.console import setup_console

    setup_console(app)  # /console: managers, admins and auditors (signed in by link or OpenID Connect)
    if settings.is_local:
        if not is_loopback(settings.host) and not settings.web_demo_on_network:
            raise StartupError(
                f"the local web chat lets anyone who reaches it choose who they are, so it serves only on "
                f"127.0.0.1; {settings.host} reaches other machines. Use --host 127.0.0.1, or set "
                "BOUNDARY_WEB_DEMO_ON_NETWORK=true if this is a demo with fictional people only")
        setup_web_chat(app)
    else:
        app.router.add_get("/", landing)
    app.router.add_get(chaperone.CALENDAR_ROUTE + "/{request:\\d+}/{person:\\d+}/{token:[0-9a-f]+}.ics", calendar)
    app.cleanup_ctx.append(stop_background_first)
    return app


async def calendar(request: web.Request) -> web.Response:
    """[Add to calendar] on a covered chaperone session: the .ics, for one of its two people."""
    bot = request.app[BOT_KEY]
    async with bot.db.transaction() as tx:
        body = await chaperone.calendar_file(tx, bot.sealer, int(request.match_info["request"]),
                                             int(request.match_info["person"]), request.match_info["token"],
                                             bot.clock.now())
    if body is None:
        raise web.HTTPNotFound(text="No such calendar entry.")
    return web.Response(body=body.encode(), content_type="text/calendar", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="chaperone.ics"',
                                 "Cache-Control": "no-store"})


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


async def landing(request: web.Request) -> web.Response:
    return web.Response(
        text="Boundary Bot is running. The web chat is only served in local mode "
        "(BOUNDARY_LOCAL_MODE=true); use the bot from Slack or Teams.\n",
        content_type="text/plain",
    )
