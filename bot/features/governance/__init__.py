"""Data governance: the audit chain's scheduled check and anchors, retention with real
deletion, and legal holds.

Inside: ``audit`` (the scheduled chain check and anchors), ``retention`` (the daily purge,
with a table of what goes when), ``holds`` (legal holds: the command line calls them now,
the console can later), ``wording``, ``storage`` (legal holds).
"""

from bot.feature import Feature
from bot.features.governance import audit, retention
from bot.features.governance.holds import Hold, HoldRefused, holds, place, release, report_number
from bot.features.governance.retention import purge
from bot.features.governance.storage import LegalHold

__all__ = ["FEATURE", "LegalHold", "Hold", "HoldRefused", "holds", "place", "release", "report_number", "purge"]

FEATURE = Feature(
    name="governance",
    timers={retention.PURGE: retention.run_purge},
    watchdogs={"governance.audit_chain": audit.check_chain, "governance.retention": retention.schedule_daily},
    health={"audit_chain_broken": audit.chain_broken},
    audit_actions={
        "retention.report_removed": "retention deleted a report, its escalations and their notices",
        "retention.narrative_removed": "retention deleted what a reporter wrote (and resolution notes)",
        "retention.chaperone_removed": "retention deleted a chaperone record",
        "retention.referral_removed": "retention deleted a referral record",
        "retention.support_removed": "retention deleted peer-support records (the subject id is how many)",
        "retention.audit_trimmed": "retention deleted audit entries up to this position in the chain",
        "retention.hold_placed": "an admin placed a legal hold on a report",
        "retention.hold_released": "an admin released a legal hold on a report",
        "identity.linked": "a platform account was linked to this person by its confirmed email",
        "identity.held": "two platform accounts claimed this person's email: neither linked until an admin decides",
        "identity.admin_linked": "an admin linked a platform account to this person",
        "identity.unlinked": "an admin unlinked a platform account from this person",
    },
)
