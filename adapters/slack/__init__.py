"""Slack: slash command, modals, DMs, buttons, message updates and the App Home, over HTTP
(``POST /slack/events``) or Socket Mode (when ``SLACK_APP_TOKEN`` is set)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters.appkeys import BOT_KEY, CLIENT_TRACING_KEY, CREDENTIAL_CHECKS_KEY, DELIVERERS_KEY
from adapters.slack.adapter import SlackAdapter, credentials_problem
from adapters.slack.http import make_handler
from bot.machinery.config import Settings
from bot.runtime import StartupError

log = logging.getLogger(__name__)

SLACK_KEY = web.AppKey("slack_adapter", SlackAdapter)
EVENTS_PATH = "/slack/events"
CONNECT_TIMEOUT = 15.0


def setup_slack(app: web.Application, settings: Settings) -> SlackAdapter:
    """Mount the Slack adapter on the application and register its deliverer."""
    for name in ("slack_bolt", "slack_sdk"):
        # Their debug logs print request and response bodies, which can hold free text.
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
    adapter = SlackAdapter(settings, trace_configs=app.get(CLIENT_TRACING_KEY, ()))
    app[SLACK_KEY] = adapter
    app[DELIVERERS_KEY]["slack"] = adapter.deliverer
    app.setdefault(CREDENTIAL_CHECKS_KEY, {})["slack"] = lambda: credentials_problem(adapter.client)
    if settings.slack_signing_secret:
        verifier = SignatureVerifier(settings.slack_signing_secret)
        app.router.add_post(EVENTS_PATH, make_handler(lambda request: request.app[SLACK_KEY], verifier))

    async def lifecycle(app: web.Application):
        await adapter.start(app[BOT_KEY])
        socket = None
        if settings.slack_app_token:
            try:
                socket = await start_socket_mode(adapter, settings)
            except BaseException:
                await adapter.stop()
                raise
        yield
        if socket is not None:
            await socket.close_async()
        await adapter.stop()

    app.cleanup_ctx.append(lifecycle)
    return adapter


async def start_socket_mode(adapter: SlackAdapter, settings: Settings):
    """Connect over Socket Mode (slack_sdk's aiohttp client): no public URL needed."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_sdk.socket_mode.response import SocketModeResponse
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.adapter import _reason, api_url
    from adapters.slack.payloads import LISTENED, Malformed, check_socket

    class CheckedSocketModeHandler(AsyncSocketModeHandler):
        """Checks each envelope against the same models as HTTP requests (adapters/slack/payloads.py)
        and hands bolt the rebuilt payload; anything else is acknowledged with nothing done."""

        async def handle(self, client, req) -> None:
            try:
                kind, clean = check_socket(req.type, req.payload)
            except Malformed as exc:
                log.info("slack socket mode envelope refused: %s", exc)
                kind, clean = "", None
            if clean is None or kind not in LISTENED:
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            req.payload = clean
            await super().handle(client, req)

    client = AsyncWebClient(base_url=api_url(settings), retry_handlers=[])
    handler = CheckedSocketModeHandler(adapter.bolt, settings.slack_app_token, web_client=client)
    try:
        # Asked here first: slack_sdk's connect loop would otherwise retry a bad token forever.
        opened = await client.apps_connections_open(app_token=settings.slack_app_token)
        handler.client.wss_uri = opened["url"]
        await asyncio.wait_for(handler.connect_async(), timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        await handler.close_async()
        raise StartupError(
            f"Slack Socket Mode could not connect ({_reason(exc)}); check SLACK_APP_TOKEN "
            "(an app-level token with connections:write) and that Socket Mode is on for the app"
        ) from None
    log.info("Slack Socket Mode connected")
    return handler
