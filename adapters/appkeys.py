"""Typed keys for what the composition root puts on the aiohttp application."""

from aiohttp import web

from bot.app import BoundaryBot
from bot.config import Settings

BOT_KEY = web.AppKey("bot", BoundaryBot)
SETTINGS_KEY = web.AppKey("settings", Settings)
