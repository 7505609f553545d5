"""The Microsoft Teams adapter, on one of two engines chosen by ``BOUNDARY_TEAMS_ENGINE``:
``botbuilder`` (Bot Framework SDK 4.17.1, retired; the default) or ``agents`` (the Microsoft 365
Agents SDK 1.9). Everything Teams-specific lives here — HTTP endpoint, JWT checks, the Bot
Connector client, Adaptive Card rendering, proactive delivery and the app package — and the
core (``bot/``) sees neither SDK.

Engine-neutral — plain dicts (the activity's JSON) and ``bot.port`` types, no SDK, written once:

- ``translate``: activities → the core's events, conversation references, identity keys
- ``submissions``: card submissions (Action.Submit, task/fetch) → events; the submitted card's next state
- ``cards``: the core's views → Adaptive Cards, and card data read back
- ``turns``: what a message or an invoke answers (both engines' handlers only carry it out)
- ``package``: the Teams app package (manifest and icons)
- ``hosting``: ``POST /api/messages`` (request checks, redelivery, status codes) and
  ``setup_teams``, which builds the chosen engine and imports only its SDK
- ``runtime``: what both directions share (options, the engine's connector, caches, stored
  conversation references, the sender's identity); the engine and connector interfaces
- ``deliver``: outbound, the delivery port (proactive messages, new 1:1 chats, updates)
- ``connector``: our Bot Connector REST client and token source (the botbuilder engine's),
  and the retry policy both engines' connectors use
- ``auth``: the Bot Framework's signing keys (both engines) and our JWT check (botbuilder's)

botbuilder engine:

- ``botbuilder_engine``: assembles it (our connector, tokens and JWT check)
- ``adapter``: ``TeamsAdapter``, a ``BotAdapter`` that runs a turn and sends through our connector
- ``activity_handler``: ``BoundaryHandler``, botbuilder's ``ActivityHandler`` with the shared
  ``glue`` (``TurnGlue``: each kind of activity to ``turns``, used by both engines; no SDK)

Agents engine: the ``agents`` subpackage (its own docstring lists its modules).

Imports point one way (tests/test_teams_structure.py checks that engine-neutral modules reach
no SDK and that neither engine reaches the other's)::

    hosting           → (botbuilder_engine | agents, imported when chosen), deliver, runtime, auth, translate
    botbuilder_engine → activity_handler, adapter, auth, connector, runtime
    agents.*          → glue, turns, runtime, translate, cards, connector, auth
    activity_handler  → adapter, glue
    glue              → runtime, turns
    turns             → runtime, translate, submissions
    deliver           → runtime, translate, connector, cards
    adapter           → connector, cards
    runtime           → connector, auth, translate
    translate         → submissions, cards
    submissions       → cards
"""

from adapters.teams.hosting import setup_teams
from adapters.teams.runtime import OPTIONS_KEY, TEAMS_KEY, TeamsOptions

__all__ = ["OPTIONS_KEY", "TEAMS_KEY", "TeamsOptions", "setup_teams"]
