"""The Agents SDK's ``ActivityHandler``: the shared glue (:mod:`adapters.teams.glue`) on the
Microsoft 365 Agents SDK's classes, the same as the botbuilder engine's
:mod:`~adapters.teams.activity_handler`.
"""

from __future__ import annotations

from microsoft_agents.activity import InvokeResponse
from microsoft_agents.hosting.core import ActivityHandler

from adapters.teams.agents.adapter import outgoing, outgoing_activity, raw_activity
from adapters.teams.glue import TurnGlue


class AgentsHandler(TurnGlue, ActivityHandler):
    invoke_response = InvokeResponse
    outgoing = staticmethod(outgoing)
    outgoing_activity = staticmethod(outgoing_activity)
    raw_activity = staticmethod(raw_activity)
