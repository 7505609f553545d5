"""``status``: every feature's part, in order (see ``Feature.status``)."""

from bot.feature import Feature, Verb
from bot.features.status import flow

FEATURE = Feature(
    name="status",
    verbs=(Verb("status", flow.show, "your open reports, requests and referrals, and where each stands",
                aliases=("reports", "mine"), order=80),),
    buttons={"status.show": flow.show},
)
