"""Every feature of the bot. To add one, write its package and list it here."""

from bot.feature import Feature, Registry
from bot.features import (
    away,
    chaperone,
    console,
    directory,
    escalation,
    governance,
    help,
    patterns,
    referral,
    report,
    script,
    status,
    support,
    volunteer,
)
from bot.machinery.scheduler import DEFAULT_HANDLERS
from bot.org.directory import use_default_features

ALL: tuple[Feature, ...] = (
    report.FEATURE,
    script.FEATURE,
    chaperone.FEATURE,
    volunteer.FEATURE,
    referral.FEATURE,
    escalation.FEATURE,
    support.FEATURE,
    away.FEATURE,
    status.FEATURE,
    help.FEATURE,
    governance.FEATURE,
    patterns.FEATURE,
    console.FEATURE,
    directory.FEATURE,
)


def registry(features: tuple[Feature, ...] = ALL) -> Registry:
    """The features' declarations, checked and indexed (raises RegistryError on a clash)."""
    return Registry(features, base_timers=DEFAULT_HANDLERS)


# Someone dropped from the organisation file hands their work on through every feature's
# on_leave, even when the caller (org apply) has no registry of its own.
use_default_features(registry)
