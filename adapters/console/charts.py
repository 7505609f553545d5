"""Charts drawn on the server as SVG: readable at a glance, no script, nothing fetched.

Each chart is an image with a title and a description pointing at the table beside it, which
holds the same figures for screen readers. A suppressed figure is drawn as a short hatched
stub labelled "fewer than 5" (or "hidden"), never as a bar of its true length.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from bot.features.console import Cell

WIDTH = 640
ROW = 26
LABEL_WIDTH = 230
BAR_COLOUR = "#1f5f99"
STUB = 18


def _open(chart_id: str, title: str, description: str, height: int) -> str:
    return (
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        '<defs><pattern id="hatch-' + chart_id + '" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#6b6b6b" stroke-width="3"/></pattern></defs>'
    )


def bars(chart_id: str, title: str, items: Sequence[tuple[str, Cell]], unit: str = "reports") -> Markup:
    """Horizontal bars, one per item."""
    height = max(len(items), 1) * ROW + 12
    peak = max((c.count for _, c in items if c.shown), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 110
    parts = [_open(chart_id, title, f"Bar chart of {unit}; the table beside it has the same figures.", height)]
    for index, (label, cell) in enumerate(items):
        y = 6 + index * ROW
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" class="axis">'
                     f'{escape(_cut(label, 30))}</text>')
        if cell.shown:
            length = max(int(span * cell.count / peak), 1 if cell.count else 0)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 8}" '
                         f'fill="{BAR_COLOUR}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" class="value">{cell.count}</text>')
        else:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{STUB}" height="{ROW - 8}" '
                         f'fill="url(#hatch-{chart_id})" stroke="#6b6b6b"/>')
            parts.append(f'<text x="{LABEL_WIDTH + STUB + 6}" y="{y + 16}" class="muted">{escape(cell.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(chart_id: str, title: str, items: Sequence[tuple[str, Cell]]) -> Markup:
    """Vertical columns over time (one per week or month)."""
    height, base, top = 220, 180, 20
    count = max(len(items), 1)
    slot = (WIDTH - 50) / count
    peak = max((c.count for _, c in items if c.shown), default=0) or 1
    parts = [_open(chart_id, title, "Column chart of reports per period; the table below has the same figures.",
                   height)]
    parts.append(f'<line x1="40" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#6b6b6b"/>')
    parts.append(f'<text x="36" y="{top + 4}" text-anchor="end" class="axis">{peak}</text>')
    parts.append(f'<text x="36" y="{base}" text-anchor="end" class="axis">0</text>')
    every = max(1, count // 8)
    for index, (label, cell) in enumerate(items):
        x = 45 + index * slot
        width = max(slot * 0.7, 2)
        if cell.shown:
            length = (base - top) * cell.count / peak
            parts.append(f'<rect x="{x:.1f}" y="{base - length:.1f}" width="{width:.1f}" height="{length:.1f}" '
                         f'fill="{BAR_COLOUR}"/>')
        else:
            parts.append(f'<rect x="{x:.1f}" y="{base - 14}" width="{width:.1f}" height="14" '
                         f'fill="url(#hatch-{chart_id})" stroke="#6b6b6b"/>')
        if index % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{base + 16}" class="axis">{escape(label[5:] if len(label) == 10 else label)}</text>')
    parts.append(f'<text x="45" y="{height - 4}" class="muted">Hatched: fewer than 5, or hidden to protect a '
                 'smaller figure.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timings(chart_id: str, title: str, rows: Sequence[tuple[str, float | None, float | None, float]]) -> Markup:
    """Per team: median and 90th percentile minutes, against the policy's first wait (a mark)."""
    height = max(len(rows), 1) * ROW * 2 + 30
    peak = max([v for r in rows for v in (r[1], r[2], r[3]) if v is not None] or [1])
    span = WIDTH - LABEL_WIDTH - 120
    parts = [_open(chart_id, title, "Median and 90th percentile minutes per team, with the policy's wait marked; "
                   "the table beside it has the same figures.", height)]
    for index, (team, median, p90, wait) in enumerate(rows):
        y = 8 + index * ROW * 2
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" class="axis">'
                     f'{escape(_cut(team, 34))}</text>')
        for offset, value, colour, name in ((0, median, BAR_COLOUR, "median"), (ROW - 4, p90, "#7a4a9c", "p90")):
            if value is None:
                parts.append(f'<text x="{LABEL_WIDTH}" y="{y + offset + 16}" class="muted">{name}: not shown '
                             '(fewer than 5)</text>')
                continue
            length = max(int(span * value / peak), 1)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + offset + 3}" width="{length}" height="{ROW - 10}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{y + offset + 15}" class="value">{name} '
                         f'{value:g} min</text>')
        mark = LABEL_WIDTH + int(span * wait / peak)
        parts.append(f'<line x1="{mark}" y1="{y}" x2="{mark}" y2="{y + ROW * 2 - 6}" stroke="#b3261e" '
                     'stroke-width="2" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{LABEL_WIDTH}" y="{height - 6}" class="muted">Dashed red line: the policy\'s wait '
                 'at the first level.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
