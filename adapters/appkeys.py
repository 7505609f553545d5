"""Typed keys for what the composition root puts on the aiohttp application."""

from aiohttp import web

from bot.app import BoundaryBot
from bot.machinery.config import Settings

BOT_KEY = web.AppKey("bot", BoundaryBot)
SETTINGS_KEY = web.AppKey("settings", Settings)

# Platform name → the adapter's implementation of bot.delivery.Deliverer. Each adapter's
# setup function registers its own; the outbox worker delivers through them.
DELIVERERS_KEY = web.AppKey("deliverers", dict)
