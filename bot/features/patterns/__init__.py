"""Same-client pattern alerts."""

from bot.feature import Feature
from bot.features.patterns.storage import ClientMark, ClientPattern

__all__ = ["FEATURE", "ClientMark", "ClientPattern"]

FEATURE = Feature(name="patterns")
