"""Data governance: the audit chain's scheduled check and anchors, retention with real
deletion, and legal holds.

Inside: ``audit`` (the scheduled chain check and anchors), ``storage`` (legal holds).
"""

from bot.feature import Feature
from bot.features.governance import audit
from bot.features.governance.storage import LegalHold

__all__ = ["FEATURE", "LegalHold"]

FEATURE = Feature(
    name="governance",
    watchdogs={"governance.audit_chain": audit.check_chain},
    health={"audit_chain_broken": audit.chain_broken},
)
