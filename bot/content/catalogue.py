"""The catalogue: the whole library as a document a clinical lead can read and sign off,
grouped by situation and ladder step, with review status, sources and where each applies."""

from __future__ import annotations

import re

from bot.content.library import Library, Tone
from bot.content.situations import Pathway, all_situations, pathway_of, situation_label
from bot.content.taxonomy import Step

CATALOGUE_FORMATS = ("markdown", "html")

_SCRIPT_MD = """\
#### `{{ s.id }}` ({{ s.tone.label }}{% if s.settings %}; {{ s.settings | map(attribute="label") | join(", ") | lower }} only{% endif %}{% if s.professions %}; for {{ s.professions | join(", ") }}s{% endif %})

{{ s.audience.heading }}:

> {{ s.say }}

- **Next step:** {{ s.next_step.label }}. {{ s.why }}
{% for setting, note in s.setting_notes.items() %}- **{{ setting.label }}:** {{ s.note_for(note, None) }}
{% endfor %}{% for profession, note in s.profession_notes.items() %}- **For {{ profession.value }}s:** {{ s.note_for(note, None) }}
{% endfor %}{% if s.phrases %}- **Found by:** {{ s.phrases | join("; ") }}
{% endif %}- **Sources:** {% for src in s.sources %}{{ src.code }} ({{ src.region_label }}){% if not loop.last %}; {% endif %}{% endfor %}
- **Review:** {% if s.reviewed %}signed off by {{ s.reviewed_by }} on {{ s.reviewed_at }}{% else %}not yet reviewed{% endif %}
"""

_MARKDOWN = """\
# Boundary script catalogue

{{ total }} scripts ({{ reviewed }} signed off by a clinical lead, {{ total - reviewed }} not yet
reviewed), grouped by situation and ladder step. Generated from `responses/` by
`boundary-bot scripts export --format markdown`; edit the YAML files, not this document.
Each source names where it applies: US, UK (all four nations), GB (England, Scotland and
Wales), or one nation (UK-England, UK-Scotland, UK-Wales, UK-Northern-Ireland). The bot
shows only the sources that apply in the organisation's region.
{% for group in groups %}

## {{ group.label }} (`{{ group.situation }}`{% if group.risk %}; risk and capacity pathway{% endif %})
{% for step in group.steps %}

### Step {{ step.step.value }}: {{ step.step.label }}
{% for s in step.scripts %}

""" + _SCRIPT_MD + """{% endfor %}{% endfor %}{% endfor %}
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
.unreviewed { color: #8a4b00; }
code { font-size: .85rem; }
nav li { margin: .1rem 0; }
</style>
</head>
<body>
<h1>Boundary script catalogue</h1>
<p>{{ total }} scripts ({{ reviewed }} signed off, {{ total - reviewed }} not yet reviewed), grouped
by situation and ladder step. Generated from <code>responses/</code>; edit the YAML files, not this
document. Each source names where it applies (US, UK, GB, or one UK nation).</p>
<nav><ul>
{% for group in groups %}<li><a href="#{{ group.situation }}">{{ group.label }}</a></li>
{% endfor %}</ul></nav>
{% for group in groups %}
<section id="{{ group.situation }}">
<h2>{{ group.label }}{% if group.risk %} (risk and capacity pathway){% endif %}</h2>
{% for step in group.steps %}
<h3>Step {{ step.step.value }}: {{ step.step.label }}</h3>
{% for s in step.scripts %}
<article>
<p class="meta"><code>{{ s.id }}</code> · {{ s.tone.label }}{% if s.settings %} · {{ s.settings | map(attribute="label") | join(", ") | lower }} only{% endif %}{% if s.professions %} · for {{ s.professions | join(", ") }}s{% endif %}</p>
<p class="meta">{{ s.audience.heading }}:</p>
<blockquote>{{ s.say }}</blockquote>
<p><strong>Next step:</strong> {{ s.next_step.label }}. {{ s.why }}</p>
{% for setting, note in s.setting_notes.items() %}<p><strong>{{ setting.label }}:</strong> {{ s.note_for(note, None) }}</p>
{% endfor %}{% for profession, note in s.profession_notes.items() %}<p><strong>For {{ profession.value }}s:</strong> {{ s.note_for(note, None) }}</p>
{% endfor %}<p class="meta"><strong>Sources:</strong> {% for src in s.sources %}{{ src.code }} ({{ src.region_label }}){% if not loop.last %}; {% endif %}{% endfor %}</p>
<p class="meta{% if not s.reviewed %} unreviewed{% endif %}"><strong>Review:</strong> {% if s.reviewed %}signed off by {{ s.reviewed_by }} on {{ s.reviewed_at }}{% else %}not yet reviewed{% endif %}</p>
</article>
{% endfor %}{% endfor %}
</section>
{% endfor %}
</body>
</html>
"""


def catalogue_groups(library: Library) -> list[dict]:
    """Situation → step → scripts, in the situations' reading order; general scripts first."""
    tone_order = {Tone.GENTLE: 0, Tone.FIRM: 1, Tone.HUMOUR: 2}
    groups = []
    for situation in all_situations(with_unsure=True):
        steps = []
        for step in Step:
            scripts = sorted(
                (s for s in library.scripts if situation in s.situations and step in s.steps),
                key=lambda s: (bool(s.settings), bool(s.professions), tone_order[s.tone], s.id),
            )
            if scripts:
                steps.append({"step": step, "scripts": scripts})
        if steps:
            groups.append({
                "situation": situation, "label": situation_label(situation), "steps": steps,
                "risk": pathway_of(situation) is Pathway.RISK,
            })
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
    text = template.render(
        groups=catalogue_groups(library), total=len(library.scripts),
        reviewed=sum(1 for s in library.scripts if s.reviewed),
    )
    return re.sub(r"\n{3,}", "\n\n", text)
