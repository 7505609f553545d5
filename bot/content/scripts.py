"""The boundary script library: loading and validating ``responses/``, and choosing scripts.

Scripts are data a clinical lead can review without reading Python; ``responses/README.md``
documents the format. Loading checks every entry and reports each problem with its file and
entry, so a bad edit stops the server with a message rather than a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.content.taxonomy import Category, Profession, Setting, Step

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "responses"
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
}


class Region(StrEnum):
    US = "US"
    UK = "UK"
    ANY = "any"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Text
    region: Region = Region.ANY


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")]
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    steps: Annotated[tuple[Step, ...], Field(min_length=1)]
    tone: Tone
    settings: tuple[Setting, ...] = ()
    professions: tuple[Profession, ...] = ()
    say: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=MAX_SAY_CHARS)]
    next_step: NextStep
    why: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=MAX_WHY_CHARS)]
    setting_notes: dict[Setting, Text] = {}
    profession_notes: dict[Profession, Text] = {}
    phrases: tuple[Text, ...] = ()
    sources: Annotated[tuple[Source, ...], Field(min_length=1)]

    def sources_for(self, jurisdiction: str | None) -> list[Source]:
        """Only the sources that apply where the user works (all of them if unknown)."""
        if not jurisdiction:
            return list(self.sources)
        return [s for s in self.sources if s.region in (Region.ANY, jurisdiction)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scripts: list[dict]


class LibraryError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the script library:\n" + "\n".join(problems))


@dataclass(frozen=True)
class Library:
    scripts: tuple[Script, ...]

    def get(self, script_id: str) -> Script | None:
        return next((s for s in self.scripts if s.id == script_id), None)


def load_library(directory: Path | str | None = None) -> Library:
    directory = Path(directory) if directory else DEFAULT_DIR
    problems: list[str] = []
    scripts: list[Script] = []
    seen: dict[str, str] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise LibraryError([f"{directory}: no .yaml script files found"])
    for path in files:
        name = path.name
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            entries = _File.model_validate(document).scripts
        except (yaml.YAMLError, ValidationError, OSError) as exc:
            problems.append(f"{name}: not a script file ({_first_line(exc)}); expected 'scripts:' with a list")
            continue
        for index, entry in enumerate(entries):
            label = f"{name}: scripts[{index}]"
            if isinstance(entry, dict) and entry.get("id"):
                label += f" ({entry['id']})"
            try:
                script = Script.model_validate(entry)
            except ValidationError as exc:
                problems.extend(f"{label}: {p}" for p in _schema_problems(exc))
                continue
            problems.extend(f"{label}: {p}" for p in _rule_problems(script))
            if script.id in seen:
                problems.append(f"{label}: duplicate id, first used in {seen[script.id]}")
            else:
                seen[script.id] = name
                scripts.append(script)
    if problems:
        raise LibraryError(problems)
    return Library(tuple(scripts))


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


def _rule_problems(script: Script) -> list[str]:
    problems = []
    if script.tone is Tone.HUMOUR:
        banned = NO_HUMOUR.intersection(script.categories)
        if banned:
            problems.append(
                "tone: humour is never suggested for " + ", ".join(sorted(c.value for c in banned))
            )
        if not set(script.steps) <= HUMOUR_STEPS:
            problems.append("tone: humour is only for mild cases (steps 1 and 2)")
    if len(set(script.steps)) != len(script.steps):
        problems.append("steps: listed twice")
    return problems


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


@dataclass(frozen=True, slots=True)
class Suggestion:
    script: Script
    reason: str
    exact_step: bool


def suggest(
    library: Library,
    category: Category,
    step: Step,
    setting: Setting,
    profession: Profession | None = None,
    tone: Tone | None = None,
) -> list[Suggestion]:
    """Scripts that fit a situation, best first, each with a one-line reason.

    Deterministic: ties break on the script id. Scripts written for another setting or
    profession are left out; general ones are kept behind specific ones. When no script is
    written for this exact step, the nearest lower step's are used (then the nearest higher).
    """
    fitting = [
        s
        for s in library.scripts
        if category in s.categories
        and (not s.settings or setting in s.settings)
        and (not s.professions or (profession is not None and profession in s.professions))
    ]
    if not fitting:
        return []

    def step_distance(script: Script) -> tuple[int, int]:
        below = [step - s for s in script.steps if s <= step]
        above = [s - step for s in script.steps if s > step]
        return (0, min(below)) if below else (1, min(above))

    preferred = _tone_order(step, tone)

    def rank(script: Script) -> tuple:
        return (
            step_distance(script),
            0 if script.settings else 1,
            0 if script.professions else 1,
            preferred.index(script.tone),
            script.id,
        )

    ranked = sorted(fitting, key=rank)
    return [
        Suggestion(s, _reason(s, category, step, setting, profession), step in s.steps)
        for s in ranked
    ]


def _tone_order(step: Step, wanted: Tone | None) -> list[Tone]:
    default = [Tone.GENTLE, Tone.HUMOUR, Tone.FIRM] if step is Step.REDIRECT else [Tone.FIRM, Tone.GENTLE, Tone.HUMOUR]
    if wanted is None:
        return default
    return [wanted] + [t for t in default if t is not wanted]


def _reason(
    script: Script, category: Category, step: Step, setting: Setting, profession: Profession | None
) -> str:
    where = f"step {step.value}" if step in script.steps else f"the step nearest to {step.value}"
    reason = f"Written for {category.short} at {where}"
    if script.settings:
        reason += f", {setting.label.lower()}"
    if script.professions and profession:
        reason += f", for {profession.value}s"
    return reason + f"; {script.tone.label} tone."


# --- the catalogue: the whole library as a document a clinical lead can sign off ------------

CATALOGUE_FORMATS = ("markdown", "html")

_MARKDOWN = """\
# Boundary script catalogue

{{ total }} scripts, grouped by category and ladder step. Generated from `responses/` by
`boundary-bot scripts export --format markdown`; edit the YAML files, not this document.
Sources marked US apply in the United States, UK in the United Kingdom.
{% for group in groups %}

## {{ group.category.label }} (`{{ group.category.value }}`)
{% for step in group.steps %}

### Step {{ step.step.value }}: {{ step.step.label }}
{% for s in step.scripts %}

#### `{{ s.id }}` ({{ s.tone.label }}{% if s.settings %}; {{ s.settings | map(attribute="label") | join(", ") | lower }} only{% endif %}{% if s.professions %}; for {{ s.professions | join(", ") }}s{% endif %})

> {{ s.say }}

- **Next step:** {{ s.next_step.label }}. {{ s.why }}
{% for setting, note in s.setting_notes.items() %}- **{{ setting.label }}:** {{ note }}
{% endfor %}{% for profession, note in s.profession_notes.items() %}- **For {{ profession.value }}s:** {{ note }}
{% endfor %}{% if s.phrases %}- **Found by:** {{ s.phrases | join("; ") }}
{% endif %}- **Sources:** {% for src in s.sources %}{{ src.code }} ({{ src.region.value }}){% if not loop.last %}; {% endif %}{% endfor %}
{% endfor %}{% endfor %}{% endfor %}
"""

_HTML = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Boundary script catalogue</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1d1d1f; }
h2 { border-bottom: 2px solid #ccd; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { color: #345; }
article { border: 1px solid #dde; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0; }
blockquote { font-size: 1.1rem; margin: .5rem 0; padding-left: .8rem; border-left: 4px solid #7a9; }
.meta { color: #555; font-size: .9rem; }
code { font-size: .85rem; }
nav li { margin: .1rem 0; }
</style>
</head>
<body>
<h1>Boundary script catalogue</h1>
<p>{{ total }} scripts, grouped by category and ladder step. Generated from <code>responses/</code>;
edit the YAML files, not this document. Sources marked US apply in the United States, UK in the
United Kingdom.</p>
<nav><ul>
{% for group in groups %}<li><a href="#{{ group.category.value }}">{{ group.category.label }}</a></li>
{% endfor %}</ul></nav>
{% for group in groups %}
<section id="{{ group.category.value }}">
<h2>{{ group.category.label }}</h2>
{% for step in group.steps %}
<h3>Step {{ step.step.value }}: {{ step.step.label }}</h3>
{% for s in step.scripts %}
<article>
<p class="meta"><code>{{ s.id }}</code> · {{ s.tone.label }}{% if s.settings %} · {{ s.settings | map(attribute="label") | join(", ") | lower }} only{% endif %}{% if s.professions %} · for {{ s.professions | join(", ") }}s{% endif %}</p>
<blockquote>{{ s.say }}</blockquote>
<p><strong>Next step:</strong> {{ s.next_step.label }}. {{ s.why }}</p>
{% for setting, note in s.setting_notes.items() %}<p><strong>{{ setting.label }}:</strong> {{ note }}</p>
{% endfor %}{% for profession, note in s.profession_notes.items() %}<p><strong>For {{ profession.value }}s:</strong> {{ note }}</p>
{% endfor %}<p class="meta"><strong>Sources:</strong> {% for src in s.sources %}{{ src.code }} ({{ src.region.value }}){% if not loop.last %}; {% endif %}{% endfor %}</p>
</article>
{% endfor %}{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


def catalogue_groups(library: Library) -> list[dict]:
    """Category → step → scripts, in taxonomy order; general scripts before specific ones."""
    from bot.content.taxonomy import Category

    tone_order = {Tone.GENTLE: 0, Tone.FIRM: 1, Tone.HUMOUR: 2}
    groups = []
    for category in Category:
        steps = []
        for step in Step:
            scripts = sorted(
                (s for s in library.scripts if category in s.categories and step in s.steps),
                key=lambda s: (bool(s.settings), bool(s.professions), tone_order[s.tone], s.id),
            )
            if scripts:
                steps.append({"step": step, "scripts": scripts})
        if steps:
            groups.append({"category": category, "steps": steps})
    return groups


def render_catalogue(library: Library, fmt: str = "markdown") -> str:
    import jinja2

    if fmt not in CATALOGUE_FORMATS:
        raise ValueError(f"unknown catalogue format {fmt!r}; use one of {CATALOGUE_FORMATS}")
    env = jinja2.Environment(
        autoescape=fmt == "html", trim_blocks=False, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.from_string(_HTML if fmt == "html" else _MARKDOWN)
    text = template.render(groups=catalogue_groups(library), total=len(library.scripts))
    return re.sub(r"\n{3,}", "\n\n", text)
