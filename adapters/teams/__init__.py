"""The Microsoft Teams adapter (Bot Framework, botbuilder-core 4.17.1).

Everything Teams-specific lives here — HTTP endpoint, JWT checks, the Bot Connector client,
Adaptive Card rendering, proactive delivery and the app package — so a later adapter on
the Microsoft 365 Agents SDK can replace this package without touching ``bot/``.
"""

from adapters.teams.adapter import OPTIONS_KEY, TEAMS_KEY, TeamsOptions, setup_teams

__all__ = ["OPTIONS_KEY", "TEAMS_KEY", "TeamsOptions", "setup_teams"]
