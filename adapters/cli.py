"""The ``boundary-bot`` command line, built with click."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from bot.machinery.config import Settings
from bot.machinery.crypto import generate_key
from bot.org import orgfile
from bot.runtime import StartupError, open_database

EXAMPLE_ORG = Path(__file__).resolve().parents[1] / "examples" / "org.yaml"


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError names the variable and the problem
        _fail(f"configuration: {exc}")


def _fail(message: str) -> None:
    click.echo(f"boundary-bot: {message}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="boundary-bot", prog_name="boundary-bot", message="%(prog)s %(version)s")
def main() -> None:
    """Boundary Bot: private reports, words to say, chaperones, referrals and escalation
    for clinicians, in Slack, Teams and a local web chat."""


@main.command()
@click.option("--host", help="Address to listen on (default: HOST, else 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: PORT, else 3978).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Server processes sharing the port, to use every core (default: BOUNDARY_WORKERS, "
                   "else 1). Platform mode only.")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Apply pending migrations and serve every enabled adapter on one port."""
    from adapters.ops import logs
    from adapters.workers import Refused, serve_one, supervise

    settings = _settings()
    logs.configure(settings.log_level, settings.log_format)
    host = host or settings.host
    port = port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port, "workers": workers or settings.workers})
    if settings.workers > 1:
        try:
            sys.exit(supervise(settings, lambda: click.echo(
                f"Boundary Bot serving on http://{host}:{port} (platform mode, {settings.workers} workers)")))
        except (Refused, StartupError) as exc:
            _fail(str(exc))
    mode = "local mode: web chat at /" if settings.is_local else "platform mode"
    try:
        serve_one(settings, lambda: click.echo(f"Boundary Bot serving on http://{host}:{port} ({mode})"))
    except StartupError as exc:
        _fail(str(exc))


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (serve does this too) and exit."""
    settings = _settings()

    async def run() -> None:
        database = await open_database(settings)
        await database.dispose()

    try:
        asyncio.run(run())
    except StartupError as exc:
        _fail(str(exc))
    click.echo("database is up to date")


@main.group()
def org() -> None:
    """Organisation file commands."""


@org.command("apply")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change, change nothing.")
def org_apply(file: Path, dry_run: bool) -> None:
    """Create or update people, identities and teams from FILE, all or nothing."""
    settings = _settings()
    try:
        spec = orgfile.load(file)
    except orgfile.OrgFileError as exc:
        _fail("the organisation file has problems; nothing was applied:\n  " + "\n  ".join(exc.problems))

    class DryRun(Exception):
        pass

    async def run() -> orgfile.ApplySummary:
        database = await open_database(settings)
        summary = None
        try:
            async with database.transaction() as tx:
                summary = await orgfile.apply(tx, spec)
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        finally:
            await database.dispose()
        return summary

    try:
        summary = asyncio.run(run())
    except StartupError as exc:
        _fail(str(exc))
    prefix = "would apply (dry run, nothing changed)" if dry_run else "applied"
    click.echo(f"{prefix} {file}:")
    for line in summary.lines():
        click.echo(f"  {line}")


@org.command("example")
def org_example() -> None:
    """Print a documented example organisation file."""
    click.echo(EXAMPLE_ORG.read_text(encoding="utf-8"), nl=False)


@main.group()
def roster() -> None:
    """Volunteer chaperone roster commands."""


@roster.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def roster_import(file: Path) -> None:
    """Create or update volunteers' chaperone availability from a CSV FILE, all or nothing.

    Columns: key (required), active, settings, sites, professions, windows, unavailable,
    timezone. Example row: sam,yes,in_person;telehealth,North Wing,,Mon-Fri 08:00-18:00,2026-12-25,
    """
    from datetime import UTC, datetime

    from bot.features.volunteer import apply_roster, parse_roster

    settings = _settings()
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {file} ({getattr(exc, 'strerror', None) or exc.__class__.__name__})")
    parsed = parse_roster(text, str(file))
    if parsed.problems:
        _fail("the roster has problems; nothing was imported:\n  " + "\n  ".join(parsed.problems))

    class Refused(Exception):
        pass

    async def run() -> tuple[int, int, list[str]]:
        database = await open_database(settings)
        outcome = (0, 0, [])
        try:
            with click.progressbar(length=len(parsed.rows), label="Importing volunteers", file=sys.stderr) as bar:
                async with database.transaction() as tx:
                    outcome = await apply_roster(tx, parsed.rows, datetime.now(UTC), str(file), bar.update)
                    if outcome[2]:
                        raise Refused  # roll back: nothing half-applied
        except Refused:
            pass
        finally:
            await database.dispose()
        return outcome

    try:
        created, updated, problems = asyncio.run(run())
    except StartupError as exc:
        _fail(str(exc))
    if problems:
        _fail("the roster has problems; nothing was imported:\n  " + "\n  ".join(problems))
    click.echo(f"imported {file}: {created} volunteer profiles created, {updated} updated")


@main.command("export")
@click.argument("kind", type=click.Choice(["dashboard", "audit", "reports"]))
@click.option("--from", "since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--to", "until", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--as", "who", required=True, help="Key of the admin or auditor (or, for dashboard, manager) "
                                               "exporting: the export is audited under their name.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: "
              "boundary-KIND-FROM-to-TO.FORMAT in the current directory).")
@click.option("--narratives", is_flag=True, help="Reports only, admins only: include what reporters wrote.")
@click.option("--reason", default="", help="Why the narratives are needed (required with --narratives; recorded).")
def export(kind, since, until, fmt, who, output, narratives, reason) -> None:
    """Export dashboard figures, the audit log or report metadata for a date range, as the
    console does (same rules, same audit), with a progress bar for large exports."""
    from datetime import UTC, datetime

    from bot.features import console
    from bot.runtime import load_key

    settings = _settings()
    request = console.ExportRequest(kind=kind, fmt=fmt, since=since.date(), until=until.date(),
                                    narratives=narratives, reason=reason, via="cli")

    async def run():
        database = await open_database(settings)
        try:
            async with database.transaction() as tx:
                person = await tx.people.by_key(who)
                if person is None or not person.active:
                    raise console.ExportRefused(f"no active person with key {who!r} in the organisation")
                access = await console.access_for(tx, person)
                request.check(access)
                total = await console.export_size(tx, request)
                with click.progressbar(length=max(total, 1), label=f"Exporting {kind}", file=sys.stderr) as bar:
                    return await console.run_export(tx, load_key(settings), access, request, datetime.now(UTC), bar.update)
        finally:
            await database.dispose()

    try:
        done = asyncio.run(run())
    except StartupError as exc:
        _fail(str(exc))
    except console.ExportRefused as exc:
        _fail(str(exc))
    target = output or Path(done.filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(done.body, encoding="utf-8")
    click.echo(f"wrote {done.rows} rows to {target} (export record {done.record_id}, audited)")


@main.group()
def config() -> None:
    """Configuration commands."""


@config.command("docs")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output), e.g. docs/configuration.md.")
def config_docs(output: Path | None) -> None:
    """Write the configuration reference (every variable, its default and meaning) from the
    settings model."""
    from adapters.ops.configdoc import render

    text = render()
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")


@main.command()
@click.option("--org", "org_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Organisation file to check (default: BOUNDARY_ORG_FILE).")
def doctor(org_file: Path | None) -> None:
    """Check the configuration, key, database, Slack, Teams, the organisation file and the
    clock; print what is OK and how to fix the rest. Exits 1 if anything is wrong."""
    from adapters.ops.doctor import diagnose, table

    results = asyncio.run(diagnose(org_file))
    click.echo(table(results))
    if any(r.problem for r in results):
        sys.exit(1)


@main.group()
def key() -> None:
    """Encryption key commands."""


@key.command("generate")
def key_generate() -> None:
    """Print a new key for BOUNDARY_ENCRYPTION_KEY."""
    click.echo(generate_key())


@main.command("teams-package")
@click.option("--app-id", help="The bot's Microsoft App ID (default: MicrosoftAppId).")
@click.option("--website", required=True,
              help="https URL of your deployment or organisation, shown as the developer's site, "
                   "privacy and terms pages (e.g. https://boundary.example.org/).")
@click.option("--version", "app_version", default="1.0.0", show_default=True,
              help="Package version; raise it for every upload of a changed package.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("boundary-bot-teams.zip"), show_default=True, help="Zip file to write.")
def teams_package(app_id: str | None, website: str, app_version: str, output: Path) -> None:
    """Build the Teams app package (manifest, command menu, icons) to upload to Teams."""
    import re

    from adapters.teams.package import build

    app_id = app_id or _settings().microsoft_app_id
    if not app_id:
        _fail("no app id: set MicrosoftAppId or pass --app-id (the Azure Bot's Microsoft App ID)")
    if not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", app_id):
        _fail(f"--app-id {app_id!r} is not a GUID like 00000000-0000-0000-0000-000000000000")
    if not website.startswith("https://"):
        _fail("--website must be an https:// URL (Teams requires it)")
    if not re.fullmatch(r"\d+\.\d+\.\d+", app_version):
        _fail("--version must look like 1.0.0")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(build(app_id, website, version=app_version))
    click.echo(f"wrote {output}: upload it in Teams (Apps → Manage your apps → Upload an app)")


@main.command("slack-manifest")
@click.option("--url", required=True, help="The public base URL of this server, e.g. https://bot.example.org")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="Manifest format (Slack accepts both).")
def slack_manifest(url: str, fmt: str) -> None:
    """Print a Slack app manifest: scopes, the slash command (SLACK_COMMAND), interactivity and
    the App Home event, all pointing at URL/slack/events."""
    import json

    import yaml

    from adapters.slack.manifest import manifest

    if not url.startswith(("https://", "http://")):
        _fail("--url must start with https:// (Slack only calls public HTTPS URLs)")
    data = manifest(url, _settings().slack_command)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)


# Data governance: the audit chain, retention and legal holds, key rotation.
from adapters.cli_directory import org_sync, scim  # noqa: E402
from adapters.cli_governance import audit, retention  # noqa: E402
from adapters.cli_identities import identities  # noqa: E402
from adapters.cli_keys import (  # noqa: E402
    key_retire,
    key_retire_pattern_secret,
    key_rotate,
    key_rotate_pattern_secret,
)
from adapters.cli_scripts import scripts  # noqa: E402

main.add_command(audit)
main.add_command(scripts)
main.add_command(retention)
main.add_command(scim)
org.add_command(org_sync)
main.add_command(identities)
key.add_command(key_rotate)
key.add_command(key_retire)
key.add_command(key_rotate_pattern_secret)
key.add_command(key_retire_pattern_secret)


if __name__ == "__main__":
    main()
