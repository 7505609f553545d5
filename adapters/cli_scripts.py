"""``boundary-bot scripts ...``: check, look up and export the script library."""

from __future__ import annotations

from pathlib import Path

import click

from adapters.cli_governance import fail, settings
from bot.runtime import StartupError


@click.group()
def scripts() -> None:
    """Boundary script library commands."""


@scripts.command("check")
def scripts_check() -> None:
    """Validate every file in responses/ and report each problem with its file and entry; list
    the scripts a clinical lead has not yet signed off (that alone is not a failure)."""
    from bot.runtime import load_content

    try:
        library = load_content(settings())
    except StartupError as exc:
        fail(str(exc))
    click.echo(f"{len(library.scripts)} scripts, no problems")
    unreviewed = library.unreviewed
    if unreviewed:
        click.echo(f"{len(unreviewed)} of {len(library.scripts)} scripts are not yet signed off by a clinical lead "
                   "(reviewed_by / reviewed_at empty):")
        for script in unreviewed:
            click.echo(f"  {script.id}")


@scripts.command("find")
@click.argument("words")
@click.option("--profession", type=click.Choice(["doctor", "nurse", "therapist", "allied"]),
              help="Tailor to a profession (profession-specific scripts appear only when it is given).")
@click.option("--setting", type=click.Choice(["in_person", "telehealth", "home_visit", "other"]),
              help="Leave out scripts written for other settings.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (for reviewers and tests).")
def scripts_find(words: str, profession: str | None, setting: str | None, as_json: bool) -> None:
    """Look up scripts for WORDS as the bot would: best first, with "Did you mean" choices
    when it is unsure. Nothing is saved or logged."""
    import json

    from bot.content.lookup import find
    from bot.content.situations import situation_button
    from bot.content.taxonomy import Profession, Setting
    from bot.runtime import load_content

    try:
        library = load_content(settings())
    except StartupError as exc:
        fail(str(exc))
    result = find(library, words, profession=Profession(profession) if profession else None,
                  setting=Setting(setting) if setting else None)
    matches = [
        {"id": m.script.id, "situation": m.situation, "category": m.category.value,
         "steps": [int(s) for s in m.script.steps], "tone": m.script.tone.value, "say": m.script.say,
         "next_step": m.script.next_step.value, "pathway": m.script.pathway.value}
        for m in result.matches
    ]
    clarify = [{"situation": s, "label": situation_button(s)} for s in result.clarify]
    if as_json:
        click.echo(json.dumps({"matches": matches, "clarify": clarify}, indent=2, ensure_ascii=False))
        return
    if not matches:
        click.echo("no script fits those words")
    for i, match in enumerate(matches, start=1):
        click.echo(f"{i}. {match['situation']} ({match['pathway']}): {match['id']}\n   {match['say']}")
    if clarify:
        click.echo("did you mean: " + "; ".join(c["label"] for c in clarify))


@scripts.command("export")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="Document format.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
def scripts_export(fmt: str, output: Path | None) -> None:
    """Write the whole library as a catalogue a clinical lead can review, grouped by category
    and ladder step, with tone, words, next step, notes and sources."""
    from bot.content.catalogue import render_catalogue
    from bot.runtime import load_content

    try:
        library = load_content(settings())
    except StartupError as exc:
        fail(str(exc))
    text = render_catalogue(library, fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(library.scripts)} scripts to {output}")
