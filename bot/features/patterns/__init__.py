"""Same-client pattern alerts: an optional client reference on a report, kept only as a keyed
fingerprint; two or more colleagues reporting the same client within the window → the
managers of their teams are told once, without names or the reference.

Inside: ``flow`` (fingerprints, the one alert), ``wording`` (the form field and the alert),
``storage`` (fingerprints and patterns).
"""

from bot.feature import Feature
from bot.features.patterns.flow import (
           PURPOSE,
           forget_old,
           note_reference,
           reference_problem,
           secrets_in_use,
)
from bot.features.patterns.storage import ClientMark, ClientPattern
from bot.features.patterns.wording import FIELD, NOT_FOR_COUNTS

__all__ = ["FEATURE", "ClientMark", "ClientPattern", "FIELD", "NOT_FOR_COUNTS", "PURPOSE", "forget_old",
           "note_reference", "reference_problem", "secrets_in_use"]

FEATURE = Feature(
    name="patterns",
    audit_actions={"patterns.alerted": "managers were told that several colleagues reported the same client"},
)
