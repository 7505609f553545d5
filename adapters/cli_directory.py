"""``boundary-bot org sync`` (people from Slack and Microsoft Graph, by email) and
``boundary-bot scim token`` (the bearer token an identity provider uses for ``/scim/v2``)."""

from __future__ import annotations

import click

from adapters.cli_governance import fail, open_signed, run, settings


@click.command("sync")
@click.option("--slack/--no-slack", "use_slack", default=None,
              help="Read Slack's users.list (default: when SLACK_BOT_TOKEN is set; needs users:read and "
                   "users:read.email).")
@click.option("--graph/--no-graph", "use_graph", default=None,
              help="Read Microsoft Graph's users (default: when MicrosoftAppId, MicrosoftAppPassword and "
                   "MicrosoftAppTenantId are set; needs the User.Read.All application permission).")
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
def org_sync(use_slack: bool | None, use_graph: bool | None, dry_run: bool) -> None:
    """Make people match the directory: create, rename, link and deactivate by confirmed email.

    People who leave hand their open work to others; the organisation file still sets roles,
    sites, policies and managers (see docs/directory.md)."""
    from adapters import directory_sources as sources
    from bot.features import registry
    from bot.org import sync

    config = settings()
    graph_ready = bool(config.microsoft_app_id and config.microsoft_app_password and config.microsoft_app_tenant_id)
    use_slack = bool(config.slack_bot_token) if use_slack is None else use_slack
    use_graph = graph_ready if use_graph is None else use_graph
    if use_slack and not config.slack_bot_token:
        fail("--slack needs SLACK_BOT_TOKEN")
    if use_graph and not graph_ready:
        fail("--graph needs MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId")
    if not (use_slack or use_graph):
        fail("nothing to read: configure Slack (SLACK_BOT_TOKEN) or Microsoft Graph (MicrosoftAppId, "
             "MicrosoftAppPassword, MicrosoftAppTenantId), or pass --slack / --graph")

    class DryRun(Exception):
        pass

    async def go() -> list[str]:
        listed, names = [], []
        try:
            if use_slack:
                listed += await sources.slack_people(config.slack_bot_token, config.slack_api_url)
                names.append("slack")
            if use_graph:
                token = await sources.graph_token(config.microsoft_app_tenant_id, config.microsoft_app_id,
                                                  config.microsoft_app_password, config.teams_login_url)
                listed += await sources.graph_people(token, config.microsoft_app_tenant_id, config.graph_url)
                names.append("graph")
        except Exception as exc:  # the source's own error, never the data
            fail(f"cannot read the directory: {exc if isinstance(exc, sources.SourceError) else type(exc).__name__}")
        database, _ = await open_signed(config)
        lines: list[str] = []
        try:
            async with database.transaction() as tx:
                planned = await sync.plan(tx, listed, tuple(names))
                lines = planned.lines()  # while the people are still loaded
                if dry_run:
                    raise DryRun
                from datetime import UTC, datetime

                await sync.apply(tx, registry(), planned, datetime.now(UTC))
        except DryRun:
            pass
        finally:
            await database.dispose()
        return lines

    lines = run(go())
    click.echo("would change (dry run, nothing changed):" if dry_run else "changed:")
    for line in lines:
        click.echo(f"  {line}")


@click.group("scim")
def scim() -> None:
    """The SCIM 2.0 endpoint for Entra ID and Okta."""


@scim.command("token")
def scim_token() -> None:
    """Make a bearer token for your identity provider and the hash to configure.

    Give the token to the identity provider once; set BOUNDARY_SCIM_TOKEN_HASH to the hash on
    every instance. Only the hash is kept, so a lost token is replaced, not recovered."""
    from adapters.scim import new_token

    token, digest = new_token()
    click.echo(f"token (give it to Entra ID or Okta, then forget it): {token}")
    click.echo(f"BOUNDARY_SCIM_TOKEN_HASH={digest}")
    click.echo("SCIM base URL: <your public URL>/scim/v2")
