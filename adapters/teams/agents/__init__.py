"""The Teams adapter's second engine, on the Microsoft 365 Agents SDK
(``BOUNDARY_TEAMS_ENGINE=agents``).

Only the SDK-facing parts are here; what the bot says and how activities are read (translate,
submissions, cards, turns), the request checks (hosting), the runtime and the delivery port
are the same modules the botbuilder engine uses. Nothing here imports botbuilder
(tests/test_teams_structure.py checks).

- ``engine``: :class:`~adapters.teams.agents.engine.AgentsEngine`, assembled by ``create_engine``
- ``adapter``: a ``ChannelAdapter`` that runs a turn and sends through the cached connector
- ``handler``: the SDK's ``ActivityHandler``, glue to :mod:`adapters.teams.turns`
- ``connector``: the SDK's ``TeamsConnectorClient`` per service URL over one aiohttp session
- ``tokens``: MSAL through the SDK's ``MsalAuth``, cached, single flight
- ``auth``: the SDK's ``JwtTokenValidator`` over the shared, cached Bot Framework keys

Imports point one way: engine → adapter, handler, auth, connector, tokens; handler → adapter;
adapter → connector.
"""

from adapters.teams.agents.engine import AgentsEngine, create_engine

__all__ = ["AgentsEngine", "create_engine"]
