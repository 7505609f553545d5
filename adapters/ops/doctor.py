"""``boundary-bot doctor``: one command that says what is misconfigured and how to fix it.

Each check returns :class:`Finding` rows — OK (with what was found), a problem (with how to
fix it) or not checked (with why) — printed as a table; any problem makes the exit code 1.
The checks: the configuration itself, the encryption key (and its file's permissions), the
database and its migrations, Slack (``auth.test``, the token's scopes, the installed app's
manifest against ours when a configuration token is given, the public endpoint), Teams
(token acquisition and the public messaging endpoint), the organisation file against the
database, and the clock (against the database server and the platforms).

Secrets are never printed: a finding names the variable, not its value.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from adapters.ops.doctor_checks import Checks
from adapters.ops.findings import Finding, bad, ok, skip, table
from bot.machinery.config import Settings

__all__ = ["diagnose", "table"]

GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
APP_TYPES = {"singletenant", "multitenant", "userassignedmsi"}
LOOPBACK = re.compile(r"^http://(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(/|$)")  # trying it on this machine


async def diagnose(org_file: Path | None = None) -> list[Finding]:
    try:
        settings = Settings()
    except ValidationError as exc:
        return [bad("configuration", f"{_variable(error)}: {error['msg']}",
                    "correct the variable (docs/configuration.md lists every one)") for error in exc.errors()]
    checks = Checks(settings)
    findings = configuration(settings)
    findings.append(checks.encryption_key())
    findings.extend(await checks.database())
    if settings.slack_bot_token:
        findings.extend(await checks.slack())
    else:
        findings.append(skip("slack", "not configured (SLACK_BOT_TOKEN is unset)"))
    if settings.microsoft_app_id:
        findings.extend(await checks.teams())
    else:
        findings.append(skip("teams", "not configured (MicrosoftAppId is unset)"))
    org = org_file or (Path(settings.org_file) if settings.org_file else None)
    findings.append(await checks.organisation(org))
    findings.extend(checks.clock())
    return findings


def _variable(error: dict) -> str:
    loc = error.get("loc") or ("?",)
    field = Settings.model_fields.get(str(loc[0]))
    alias = getattr(field, "validation_alias", None) if field else None
    choices = getattr(alias, "choices", None)
    return str(choices[0] if choices else alias or loc[0])


def configuration(settings: Settings) -> list[Finding]:
    """What can be told from the settings alone."""
    found: list[Finding] = []
    s = settings
    if s.slack_bot_token and not (s.slack_signing_secret or s.slack_app_token):
        found.append(bad("configuration", "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET nor "
                         "SLACK_APP_TOKEN: Slack stays off", "set SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN "
                         "(Socket Mode)"))
    if (s.slack_signing_secret or s.slack_app_token) and not s.slack_bot_token:
        found.append(bad("configuration", "Slack is half configured: SLACK_BOT_TOKEN is unset",
                         "set SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token)"))
    if s.slack_bot_token and not s.slack_bot_token.startswith("xoxb-"):
        found.append(bad("configuration", "SLACK_BOT_TOKEN is not a bot token (xoxb-…)",
                         "use the Bot User OAuth Token, not a user or app token"))
    if s.slack_app_token and not s.slack_app_token.startswith("xapp-"):
        found.append(bad("configuration", "SLACK_APP_TOKEN is not an app-level token (xapp-…)",
                         "create one under Basic Information → App-Level Tokens with connections:write"))
    if s.microsoft_app_id:
        if not GUID.match(s.microsoft_app_id):
            found.append(bad("configuration", "MicrosoftAppId is not a GUID",
                             "copy the Microsoft App ID from the Azure Bot's Configuration page"))
        if not s.microsoft_app_password:
            found.append(bad("configuration", "MicrosoftAppPassword is unset: the bot cannot send to Teams",
                             "create a client secret for the app and set MicrosoftAppPassword"))
        app_type = (s.microsoft_app_type or "MultiTenant").lower()
        if app_type not in APP_TYPES:
            found.append(bad("configuration", f"MicrosoftAppType {s.microsoft_app_type!r} is not known",
                             "use SingleTenant or MultiTenant, as registered in Azure"))
        if app_type == "singletenant" and not s.microsoft_app_tenant_id:
            found.append(bad("configuration", "MicrosoftAppType is SingleTenant but MicrosoftAppTenantId is unset",
                             "set MicrosoftAppTenantId to your Microsoft Entra tenant id"))
    if s.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        found.append(bad("configuration", f"LOG_LEVEL {s.log_level!r} is not a level", "use DEBUG, INFO, WARNING or ERROR"))
    if s.public_url and not s.public_url.startswith("https://") and not LOOPBACK.match(s.public_url):
        found.append(bad("configuration", "BOUNDARY_PUBLIC_URL is not https://",
                         "Slack and Teams only call HTTPS addresses: give the https:// address of your proxy"))
    if not found:
        mode = "local mode (demo web chat)" if s.is_local else "platform mode"
        platforms = [p for p, on in (("Slack", s.slack_enabled), ("Teams", s.teams_enabled)) if on]
        found.append(ok("configuration", f"{mode}; platforms: {', '.join(platforms) or 'none'}"))
    return found
