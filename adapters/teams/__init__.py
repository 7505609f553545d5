"""The Microsoft Teams adapter (Bot Framework, botbuilder-core 4.17.1).

Everything Teams-specific lives here — HTTP endpoint, JWT checks, the Bot Connector client,
Adaptive Card rendering, proactive delivery and the app package — so a later adapter on
the Microsoft 365 Agents SDK can replace this package without touching ``bot/``.

The modules, by what a second engine (the Agents SDK) would do with them:

Engine-neutral — plain dicts (the activity's JSON) and ``bot.port`` types, no botbuilder;
a second engine reuses them as they are:

- ``translate``: activities → the core's events, conversation references, identity keys
- ``submissions``: card submissions (Action.Submit, task/fetch) → events; the submitted card's next state
- ``cards``: the core's views → Adaptive Cards, and card data read back
- ``package``: the Teams app package (manifest and icons)

botbuilder-free Bot Connector plumbing — reused while an engine keeps our connector, swapped
with it otherwise:

- ``connector``: the Bot Connector REST client (one aiohttp session, cached tokens)
- ``auth``: the Bot Connector's JWT on incoming requests
- ``runtime``: what both directions share (options, connector, validator, caches,
  stored conversation references, the sender's identity)
- ``deliver``: outbound, the delivery port (proactive messages and updates)

botbuilder-specific — what the Agents SDK engine replaces:

- ``adapter``: ``TeamsAdapter``, a ``BotAdapter`` that runs a turn and sends through our connector
- ``activity_handler``: ``BoundaryHandler``, an ``ActivityHandler`` gluing turns to the core
- ``hosting``: ``POST /api/messages`` (request checks, JWT, redelivery, status codes) and ``setup_teams``

Imports point one way (tests/test_teams_structure.py checks there is no cycle)::

    hosting          → activity_handler, adapter, deliver, runtime, auth, translate
    activity_handler → adapter, runtime, translate, submissions
    deliver          → runtime, translate, connector, cards
    adapter          → connector, cards
    runtime          → connector, auth, translate
    translate        → submissions, cards
    submissions      → cards
"""

from adapters.teams.hosting import setup_teams
from adapters.teams.runtime import OPTIONS_KEY, TEAMS_KEY, TeamsOptions

__all__ = ["OPTIONS_KEY", "TEAMS_KEY", "TeamsOptions", "setup_teams"]
