"""The boundary script library in one import: the schema and loader
(:mod:`bot.content.library`), choosing scripts for a report (:mod:`bot.content.selection`),
finding them from typed words (:mod:`bot.content.lookup`) and the catalogue
(:mod:`bot.content.catalogue`)."""

from bot.content.catalogue import CATALOGUE_FORMATS, catalogue_groups, render_catalogue
from bot.content.library import (
    DEFAULT_DIR,
    MAX_SAY_CHARS,
    MAX_WHY_CHARS,
    NEXT_STEP_LABELS,
    NO_HUMOUR,
    Library,
    LibraryError,
    NextStep,
    Script,
    Source,
    Tone,
    load_library,
)
from bot.content.regions import Region
from bot.content.selection import Suggestion, suggest

__all__ = [
    "CATALOGUE_FORMATS", "DEFAULT_DIR", "MAX_SAY_CHARS", "MAX_WHY_CHARS", "NEXT_STEP_LABELS", "NO_HUMOUR",
    "Library", "LibraryError", "NextStep", "Region", "Script", "Source", "Suggestion", "Tone",
    "catalogue_groups", "load_library", "render_catalogue", "suggest",
]
