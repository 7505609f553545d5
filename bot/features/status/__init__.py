"""``status`` (everything open that concerns me) and ``home`` (what waits for me, in short)."""

from bot.feature import Feature, Verb
from bot.features.status import flow, home

FEATURE = Feature(
    name="status",
    verbs=(Verb("status", flow.show, "your open reports, requests and referrals, and where each stands",
                aliases=("reports", "mine"), order=80),
           Verb("home", home.show, "what waits for you, with the time left, and quick actions", order=99)),
    buttons={"status.show": flow.show, "status.home": home.show, "status.run": home.run_verb,
             "status.console": home.open_console},
)
