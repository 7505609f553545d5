"""Typed keys for what the composition root puts on the aiohttp application."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.app import BoundaryBot
from bot.background import Background
from bot.machinery.config import Settings

BOT_KEY = web.AppKey("bot", BoundaryBot)
SETTINGS_KEY = web.AppKey("settings", Settings)
BACKGROUND_KEY = web.AppKey("background", Background)

# Platform name → the adapter's implementation of bot.delivery.Deliverer. Each adapter's
# setup function registers its own; the outbox worker delivers through them.
DELIVERERS_KEY = web.AppKey("deliverers", dict)

# Platform name → an async check of its credentials: None when they work, else a sentence
# saying what is wrong (never a token). Readiness and `doctor` call them.
CredentialCheck = Callable[[], Awaitable[str | None]]
CREDENTIAL_CHECKS_KEY = web.AppKey("credential_checks", dict)

# aiohttp TraceConfigs for the adapters' client sessions (outbound spans; empty when tracing
# is off). Set before the adapters are set up.
CLIENT_TRACING_KEY = web.AppKey("client_tracing", list)
