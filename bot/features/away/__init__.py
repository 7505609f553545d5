"""``away``: days away from chat, and who stands in. Escalations, approvals and referrals that
would reach someone away go to their deputy instead (:func:`route`), each time audited; the
organisation file can name standing deputies; the web console can call :func:`set_away`.

Inside: ``flow`` (the verb, form and status), ``cover`` (who stands in for whom; the core
functions), ``access`` (who may do what), ``wording``, ``storage``.
"""

from bot.feature import Feature, Verb
from bot.features.away import flow
from bot.features.away.cover import (
    AwayError,
    Cover,
    apply_standing,
    away_among,
    cover,
    deputy_for,
    end_away,
    is_away,
    route,
    set_away,
)
from bot.features.away.wording import DEPUTY_PICKER, FORM_ID

__all__ = ["FEATURE", "AwayError", "Cover", "apply_standing", "away_among", "cover", "deputy_for", "end_away", "is_away",
           "route", "set_away"]

FEATURE = Feature(
    name="away",
    verbs=(Verb("away", flow.start, "days away from chat, and who stands in for you (away back to end)",
                aliases=("ooo",), order=85),),
    buttons={"away.back": flow.back},
    forms={FORM_ID: flow.submit},
    pickers={DEPUTY_PICKER: flow.DEPUTIES},
    audit_actions={
        "away.set": "someone set days away and who stands in",
        "away.ended": "someone came back early, or cancelled days away",
        "away.routed": "something meant for someone away went to their deputy",
    },
    status=flow.section,
    status_order=5,
)
