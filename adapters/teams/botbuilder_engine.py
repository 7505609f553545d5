"""The botbuilder engine (``BOUNDARY_TEAMS_ENGINE=botbuilder``, the default): botbuilder-core's
``ActivityHandler`` and ``TurnContext`` over our own transport.

botbuilder-specific: it assembles :class:`~adapters.teams.adapter.TeamsAdapter` and
:class:`~adapters.teams.activity_handler.BoundaryHandler` with our Bot Connector client
(:class:`~adapters.teams.connector.Connector`, one aiohttp session), our token source
(:class:`~adapters.teams.connector.TokenSource`, one acquisition per token lifetime) and our
JWT check (:class:`~adapters.teams.auth.JwtValidator`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.teams.activity_handler import BoundaryHandler
from adapters.teams.adapter import TeamsAdapter
from adapters.teams.auth import JwtValidator, SigningKeys, Unauthorized
from adapters.teams.connector import Connector, TokenSource
from adapters.teams.runtime import TeamsOptions, TeamsRuntime


class BotbuilderEngine:
    name = "botbuilder"

    def __init__(self, rt: TeamsRuntime, connector: Connector, validator: JwtValidator | None) -> None:
        self.rt = rt
        self.connector = connector
        self.tokens = connector.tokens
        self.validator = validator
        self.adapter = TeamsAdapter(connector, BoundaryHandler(rt))

    async def authenticate(self, authorization: str | None, body: dict) -> None:
        if self.validator is None:
            return  # no app id: local use only (see the README)
        await self.validator.check(authorization, body["channelId"], body["serviceUrl"])

    async def process(self, body: dict) -> tuple[int, Any]:
        return await self.adapter.process(body)

    async def close(self) -> None:
        await self.connector.close()


def create_engine(app: web.Application, options: TeamsOptions) -> BotbuilderEngine:
    connector = Connector(None, options.connector)
    validator = None
    if options.app_id:
        connector.tokens = TokenSource(options.app_id, options.password, options.token_url, connector.session)
        validator = JwtValidator(options.app_id, SigningKeys(connector.session, options.openid_metadata_url))
    return BotbuilderEngine(TeamsRuntime(app, options, connector), connector, validator)


__all__ = ["BotbuilderEngine", "Unauthorized", "create_engine"]
