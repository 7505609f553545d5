"""The boundary script library: the schema of ``responses/`` and the loader that checks it.

Scripts are data a clinical lead can review without reading Python; ``responses/README.md``
documents the format. Loading checks every entry and reports each problem with its file and
entry, so a bad edit stops the server with a message rather than a traceback. Sources are
named by key from ``responses/sources.yaml``, the one citation table, where each carries the
regions it applies in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.content import wording_rules
from bot.content.regions import Region, applies
from bot.content.situations import (
    COLLEAGUE,
    FAMILY_PREFIX,
    RISK_PREFIX,
    SEXUAL_PREFIX,
    Audience,
    Condition,
    OtherPerson,
    Pathway,
    SexualAct,
)
from bot.content.taxonomy import Category, Profession, Setting, Step

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "responses"
SOURCES_FILE = "sources.yaml"
MAX_SAY_CHARS = 320
MAX_WHY_CHARS = 240
NO_HUMOUR = {Category.SEXUAL, Category.THREAT, Category.OFFENSIVE}
HUMOUR_STEPS = {Step.REDIRECT, Step.NAME_BOUNDARY}


class Tone(StrEnum):
    GENTLE = "gentle"
    FIRM = "firm"
    HUMOUR = "humour"

    @property
    def label(self) -> str:
        return {"gentle": "gentle", "firm": "firm", "humour": "light humour"}[self.value]


class NextStep(StrEnum):
    REDIRECT = "redirect"
    DOCUMENT = "document"
    CONSULT = "consult"
    CHAPERONE = "chaperone"
    REFERRAL = "referral"
    ESCALATE = "escalate"
    RISK_ASSESSMENT = "risk_assessment"
    SAFEGUARDING = "safeguarding"
    SPEAK_UP = "speak_up"

    @property
    def label(self) -> str:
        return NEXT_STEP_LABELS[self]


NEXT_STEP_LABELS = {
    NextStep.REDIRECT: "Carry on with the clinical work",
    NextStep.DOCUMENT: "Write a brief, factual note in the record",
    NextStep.CONSULT: "Talk it through with your supervisor or a trusted colleague",
    NextStep.CHAPERONE: "Have a second person present from now on",
    NextStep.REFERRAL: "Plan a handover of care to a colleague",
    NextStep.ESCALATE: "Tell your manager or security now",
    NextStep.RISK_ASSESSMENT: "Get a risk assessment now: tell the clinical team or on-call",
    NextStep.SAFEGUARDING: "Tell the safeguarding lead today",
    NextStep.SPEAK_UP: "Raise it through HR or your speak-up route",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A note is one text for everywhere, or one text per region when it names a region's rules.
Note = Text | dict[Region, Text]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = ""
    code: Text
    regions: Annotated[tuple[Region, ...], Field(min_length=1)]

    def applies_in(self, where: Region | None) -> bool:
        return applies(self.regions, where)

    @property
    def region_label(self) -> str:
        return ", ".join(r.value for r in self.regions)


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")]
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    steps: Annotated[tuple[Step, ...], Field(min_length=1)]
    tone: Tone
    pathway: Pathway = Pathway.BOUNDARY
    acts: tuple[SexualAct, ...] = ()
    conditions: tuple[Condition, ...] = ()
    other_person: OtherPerson = OtherPerson.CLIENT
    audience: Audience = Audience.CLIENT
    settings: tuple[Setting, ...] = ()
    professions: tuple[Profession, ...] = ()
    say: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=MAX_SAY_CHARS)]
    next_step: NextStep
    why: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=MAX_WHY_CHARS)]
    setting_notes: dict[Setting, Note] = {}
    profession_notes: dict[Profession, Note] = {}
    phrases: tuple[Text, ...] = ()
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]
    reviewed_by: Text | None = None
    reviewed_at: date | None = None

    @property
    def situations(self) -> tuple[str, ...]:
        """Every situation label this script answers (see :mod:`bot.content.situations`)."""
        if self.conditions:
            return tuple(RISK_PREFIX + c.value for c in self.conditions)
        if self.other_person is OtherPerson.COLLEAGUE:
            return (COLLEAGUE,)
        if self.other_person is OtherPerson.FAMILY:
            return tuple(FAMILY_PREFIX + c.value for c in self.categories)
        out: list[str] = []
        for category in self.categories:
            if category is Category.SEXUAL:
                out += [SEXUAL_PREFIX + act.value for act in self.acts]
            else:
                out.append(category.value)
        return tuple(out)

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by and self.reviewed_at)

    def sources_for(self, where: Region | None) -> list[Source]:
        """Only the sources that apply where the organisation works (all if anywhere)."""
        return [s for s in self.sources if s.applies_in(where)]

    def note_for(self, note: Note | None, where: Region | None) -> str | None:
        """A note as read in ``where``: a region's own text, or every region's, labelled."""
        if note is None or isinstance(note, str):
            return note
        if where is None or where is Region.ANY:
            return " ".join(f"{region.value}: {text}" for region, text in note.items())
        fitting = [text for region, text in note.items() if applies((region,), where)]
        return " ".join(fitting) or None


class LibraryError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the script library:\n" + "\n".join(problems))


@dataclass(frozen=True)
class Library:
    scripts: tuple[Script, ...]
    sources: dict[str, Source] = field(default_factory=dict)
    # For a subset (only signed-off scripts): the whole library, so that the lookup weighs
    # words the same way whatever the subset.
    whole: Library | None = field(default=None, compare=False, repr=False)

    def get(self, script_id: str) -> Script | None:
        return next((s for s in self.scripts if s.id == script_id), None)

    def reviewed_only(self) -> Library:
        """The signed-off scripts (made once per library)."""
        cached = self.__dict__.get("_reviewed")
        if cached is None:
            cached = Library(tuple(s for s in self.scripts if s.reviewed), self.sources, whole=self)
            object.__setattr__(self, "_reviewed", cached)
        return cached

    @property
    def unreviewed(self) -> list[Script]:
        return [s for s in self.scripts if not s.reviewed]


class _ScriptFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scripts: list[dict]


class _SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,63}$")], Source]


def load_library(directory: Path | str | None = None) -> Library:
    directory = Path(directory) if directory else DEFAULT_DIR
    problems: list[str] = []
    scripts: list[Script] = []
    seen: dict[str, str] = {}
    sources = _load_sources(directory / SOURCES_FILE, problems)
    files = sorted(p for p in directory.glob("*.yaml") if p.name != SOURCES_FILE)
    if not files:
        raise LibraryError([f"{directory}: no .yaml script files found"])
    for path in files:
        name = path.name
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            entries = _ScriptFile.model_validate(document).scripts
        except (yaml.YAMLError, ValidationError, OSError) as exc:
            problems.append(f"{name}: not a script file ({_first_line(exc)}); expected 'scripts:' with a list")
            continue
        for index, entry in enumerate(entries):
            label = f"{name}: scripts[{index}]"
            if isinstance(entry, dict) and entry.get("id"):
                label += f" ({entry['id']})"
            entry, unknown = _resolve_sources(entry, sources)
            problems.extend(f"{label}: sources: unknown source {key!r} (add it to {SOURCES_FILE})" for key in unknown)
            try:
                script = Script.model_validate(entry)
            except ValidationError as exc:
                problems.extend(f"{label}: {p}" for p in _schema_problems(exc))
                continue
            problems.extend(f"{label}: {p}" for p in rule_problems(script))
            if script.id in seen:
                problems.append(f"{label}: duplicate id, first used in {seen[script.id]}")
            else:
                seen[script.id] = name
                scripts.append(script)
    if problems:
        raise LibraryError(problems)
    return Library(tuple(scripts), sources)


def _load_sources(path: Path, problems: list[str]) -> dict[str, Source]:
    if not path.exists():
        return {}
    try:
        table = _SourceFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).sources
    except (yaml.YAMLError, OSError) as exc:
        problems.append(f"{path.name}: not a source table ({_first_line(exc)})")
        return {}
    except ValidationError as exc:
        problems.extend(f"{path.name}: {p}" for p in _schema_problems(exc))
        return {}
    return {key: source.model_copy(update={"key": key}) for key, source in table.items()}


def _resolve_sources(entry: object, table: dict[str, Source]) -> tuple[object, list[str]]:
    """Replace source keys with the table's entries; collect keys the table lacks."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sources"), list):
        return entry, []
    resolved, unknown = [], []
    for item in entry["sources"]:
        if isinstance(item, str):
            if item in table:
                resolved.append(table[item])
            else:
                unknown.append(item)
        else:
            resolved.append(item)
    if unknown and not resolved:
        resolved = [table[k] for k in list(table)[:1]]  # keep the entry checkable for other problems
    return {**entry, "sources": resolved}, unknown


def _schema_problems(exc: ValidationError) -> list[str]:
    """One line per field, naming the field and the value that was refused.

    A bad item in a list (an unknown category) also empties the list, which pydantic reports
    a second time as "at least 1 item"; only the first, more useful, report is kept.
    """
    errors = exc.errors()
    locations = [error["loc"] for error in errors]
    out = []
    for error in errors:
        loc = error["loc"]
        if any(other != loc and other[: len(loc)] == loc for other in locations):
            continue
        where = ".".join(str(part) for part in loc) or "entry"
        message = error["msg"]
        if error["type"] in ("enum", "literal_error", "int_parsing", "string_pattern_mismatch"):
            message += f" (found {error.get('input')!r})"
        if error["type"] == "missing":
            message = "missing (this field is required)"
        out.append(f"{where}: {message}")
    return out


def rule_problems(script: Script) -> list[str]:
    """The editorial rules that keep the advice safe, checked on every load."""
    problems = []
    if script.tone.value == "humour":
        banned = NO_HUMOUR.intersection(script.categories)
        if banned:
            problems.append("tone: humour is never suggested for " + ", ".join(sorted(c.value for c in banned)))
        if not set(script.steps) <= HUMOUR_STEPS:
            problems.append("tone: humour is only for mild cases (steps 1 and 2)")
    if len(set(script.steps)) != len(script.steps):
        problems.append("steps: listed twice")
    if bool(script.conditions) != (script.pathway is Pathway.RISK):
        problems.append("pathway: 'risk' if and only if the script names conditions")
    if script.pathway is Pathway.RISK:
        problems.extend(_risk_problems(script))
    elif Category.SEXUAL in script.categories and script.other_person is OtherPerson.CLIENT and not script.acts:
        problems.append("acts: a SEXUAL script names what happened (remark, messages, exposure, touch)")
    if script.acts and Category.SEXUAL not in script.categories:
        problems.append("acts: only for SEXUAL scripts")
    if script.audience is Audience.FAMILY and script.other_person is not OtherPerson.FAMILY:
        problems.append("audience: 'family' only for scripts about a relative or visitor")
    if script.other_person is OtherPerson.FAMILY and script.audience is Audience.CLIENT:
        problems.append("audience: a script about a relative or visitor speaks to them (family) or a supervisor")
    if script.other_person is OtherPerson.COLLEAGUE and script.audience is not Audience.SUPERVISOR:
        problems.append("audience: a colleague's behaviour is raised with a manager or speak-up route (supervisor)")
    if bool(script.reviewed_by) != bool(script.reviewed_at):
        problems.append("reviewed_by and reviewed_at are given together (who signed it off, and when)")
    return problems


def _risk_problems(script: Script) -> list[str]:
    problems = []
    if script.tone.value == "humour":
        problems.append("tone: humour is never used on the risk and capacity pathway")
    if bad := wording_rules.punitive_or_leaving(script.say):
        problems.append(f"say: words that tell off or walk out on a person at risk: {', '.join(bad)}")
    if bad := wording_rules.found(script.why, wording_rules.TELLING_OFF):
        problems.append(f"why: telling-off words on the risk pathway: {', '.join(bad)}")
    notes = [script.why, *_note_texts(script.setting_notes), *_note_texts(script.profession_notes)]
    for text in notes:
        for sentence in wording_rules.leaving_without_help(text):
            problems.append(f"advice to leave must also get help to the person (say both): {sentence!r}")
    if script.next_step.value not in ("risk_assessment", "safeguarding", "consult", "chaperone", "escalate"):
        problems.append("next_step: the risk pathway's next step is clinical "
                        "(risk_assessment, safeguarding, consult, chaperone or escalate)")
    if Condition.CHILD in script.conditions and script.next_step.value != "safeguarding":
        problems.append("next_step: a concern about a child always goes to the safeguarding lead (safeguarding)")
    return problems


def _note_texts(notes: dict) -> list[str]:
    out = []
    for note in notes.values():
        out += list(note.values()) if isinstance(note, dict) else [note]
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
