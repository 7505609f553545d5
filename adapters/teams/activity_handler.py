"""botbuilder's ``ActivityHandler``: the shared glue (:mod:`adapters.teams.glue`) on
botbuilder's classes. What a turn answers is :mod:`adapters.teams.turns` (engine-neutral);
who sent an activity and where to reach them is :class:`~adapters.teams.runtime.TeamsRuntime`.
"""

from __future__ import annotations

from botbuilder.core import ActivityHandler, InvokeResponse

from adapters.teams.adapter import outgoing, outgoing_activity, raw_activity
from adapters.teams.glue import TurnGlue


class BoundaryHandler(TurnGlue, ActivityHandler):
    invoke_response = InvokeResponse
    outgoing = staticmethod(outgoing)
    outgoing_activity = staticmethod(outgoing_activity)
    raw_activity = staticmethod(raw_activity)
