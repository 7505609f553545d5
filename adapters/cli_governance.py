"""``boundary-bot audit …`` and ``boundary-bot retention …``: data governance from the command
line (the key commands live in adapters/cli_keys.py)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.machinery.config import Settings
from bot.runtime import StartupError, load_key, open_database


def settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError names the variable and the problem
        fail(f"configuration: {exc}")


def fail(message: str, code: int = 1) -> None:
    click.echo(f"boundary-bot: {message}", err=True)
    sys.exit(code)


async def open_signed(config: Settings):
    """The database, with audit entries signed by the configured key, and the sealer."""
    import bot.features  # noqa: F401  (every feature's tables)
    from bot.machinery.storage.audit_chain import SIGNING_PURPOSE

    sealer = load_key(config)
    database = await open_database(config)
    database.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
    return database, sealer


def run(coroutine):
    try:
        return asyncio.run(coroutine)
    except StartupError as exc:
        fail(str(exc))


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@click.option("--anchor", "anchor_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A file of anchors (from 'audit anchor' or the server's log) the chain must still match. "
                   "May be given more than once.")
def audit_verify(anchor_files: tuple[Path, ...]) -> None:
    """Walk the audit chain and name the first entry edited, deleted or inserted by hand.

    Exits 0 when the chain is intact, 2 when it is broken."""
    from bot.machinery.storage.audit_verify import read_anchors, verify

    anchors = []
    for path in anchor_files:
        try:
            found, problems = read_anchors(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {path} ({exc.__class__.__name__})")
        if problems:
            fail(f"{path}: " + "; ".join(problems))
        if not found:
            fail(f"{path}: no anchors in it")
        anchors.extend(found)

    async def check():
        database, sealer = await open_signed(settings())
        from bot.machinery.storage.audit_chain import SIGNING_PURPOSE

        try:
            async with database.transaction() as tx:
                return await verify(tx, sealer.signer(SIGNING_PURPOSE), anchors)
        finally:
            await database.dispose()

    report = run(check())
    for note in report.notes:
        click.echo(f"note: {note}")
    if not report.ok:
        fail(f"the audit chain is BROKEN: {report.problem}", code=2)
    anchored = f"; {report.anchors_checked} anchor(s) match" if anchors else ""
    click.echo(f"audit chain intact: {report.entries} entries, head #{report.head_seq} {report.head_hash}{anchored}")


@audit.command("anchor")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Append the anchor to this file (keep it somewhere the database's admins can't write).")
def audit_anchor(output: Path | None) -> None:
    """Print the chain head as an anchor line (and append it to --output). Refuses if the
    chain is broken: an anchor must vouch for an intact chain."""
    from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
    from bot.machinery.storage.audit_verify import verify

    async def make():
        database, sealer = await open_signed(settings())
        try:
            async with database.transaction() as tx:
                return await verify(tx, sealer.signer(SIGNING_PURPOSE))
        finally:
            await database.dispose()

    report = run(make())
    if not report.ok:
        fail(f"the audit chain is BROKEN, so no anchor was written: {report.problem}", code=2)
    line = report.anchor(datetime.now(UTC)).line()
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    click.echo(line)


@click.group()
def retention() -> None:
    """Retention (deleting what is past the organisation's periods) and legal holds."""


def _hold_command(verb: str):
    @click.argument("report")
    @click.option("--by", "admin_key", required=True, help="Your key in the organisation file (an admin).")
    def command(report: str, admin_key: str) -> None:
        from bot.features import governance

        try:
            report_id = governance.report_number(report)
        except governance.HoldRefused as exc:
            fail(str(exc))

        async def act():
            database, _ = await open_signed(settings())
            try:
                async with database.transaction() as tx:
                    admin = await tx.people.by_key(admin_key)
                    if admin is None:
                        raise governance.HoldRefused(f"no person with key {admin_key!r} in the organisation file")
                    action = governance.place if verb == "hold" else governance.release
                    return await action(tx, report_id, admin, datetime.now(UTC))
            finally:
                await database.dispose()

        try:
            click.echo(run(act()))
        except governance.HoldRefused as exc:
            fail(str(exc))

    return command


retention.command("hold", help="Put a report (R-12) on legal hold: retention leaves it alone. Audited.")(
    _hold_command("hold"))
retention.command("release", help="Release the legal hold on a report (R-12): retention applies again. Audited.")(
    _hold_command("release"))


@retention.command("holds")
def retention_holds() -> None:
    """List the reports on legal hold."""
    from bot.features import governance

    async def listing():
        database, _ = await open_signed(settings())
        try:
            async with database.transaction() as tx:
                return await governance.holds(tx)
        finally:
            await database.dispose()

    found = run(listing())
    if not found:
        click.echo("no reports are on legal hold")
    for hold in found:
        click.echo(f"R-{hold.report_id}: held by {hold.placed_by} since {hold.placed_at:%Y-%m-%d %H:%M} UTC")


@retention.command("run")
def retention_run() -> None:
    """Delete now what is past retention (the server does this daily), and say how much."""
    from bot.features import governance

    async def purge():
        database, _ = await open_signed(settings())
        total = {}
        try:
            while True:
                async with database.transaction() as tx:
                    done = await governance.purge(tx, datetime.now(UTC))
                for kind, n in done.items():
                    if kind != "more":
                        total[kind] = total.get(kind, 0) + n
                if not done.get("more"):
                    return total
        finally:
            await database.dispose()

    removed = {k: v for k, v in run(purge()).items() if v}
    click.echo("removed: " + (", ".join(f"{k} {v}" for k, v in sorted(removed.items())) or "nothing was past retention"))
