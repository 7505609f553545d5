"""The Agents engine (``BOUNDARY_TEAMS_ENGINE=agents``): the Microsoft 365 Agents SDK's
``ActivityHandler``, ``TurnContext``, JWT validator, MSAL token provider and Teams connector
client, assembled without the per-turn costs of its stock ``CloudAdapter``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.teams.agents.adapter import AgentsAdapter
from adapters.teams.agents.auth import AgentsJwtCheck
from adapters.teams.agents.connector import AgentsConnector
from adapters.teams.agents.handler import AgentsHandler
from adapters.teams.agents.tokens import MsalTokens
from adapters.teams.auth import SigningKeys
from adapters.teams.runtime import TeamsOptions, TeamsRuntime


class AgentsEngine:
    name = "agents"

    def __init__(self, rt: TeamsRuntime, connector: AgentsConnector, check: AgentsJwtCheck | None) -> None:
        self.rt = rt
        self.connector = connector
        self.tokens = connector.tokens
        self.check = check
        self.adapter = AgentsAdapter(connector, AgentsHandler(rt))

    async def authenticate(self, authorization: str | None, body: dict) -> None:
        if self.check is None:
            return  # no app id: local use only (see the README)
        await self.check.check(authorization, body["channelId"], body["serviceUrl"])

    async def process(self, body: dict) -> tuple[int, Any]:
        return await self.adapter.process(body)

    async def close(self) -> None:
        await self.connector.close()


def create_engine(app: web.Application, options: TeamsOptions) -> AgentsEngine:
    connector = AgentsConnector(None, options.connector)
    check = None
    if options.app_id:
        connector.tokens = MsalTokens(options)
        check = AgentsJwtCheck(options.app_id, SigningKeys(connector.session, options.openid_metadata_url))
    return AgentsEngine(TeamsRuntime(app, options, connector), connector, check)
