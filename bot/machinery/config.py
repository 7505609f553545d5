"""Settings, read from the environment (and a ``.env`` file) only when asked for.

Names follow each ecosystem: ``DATABASE_URL`` and ``PORT``; Slack's ``SLACK_*``; Bot
Framework's ``MicrosoftApp*``; OpenTelemetry's ``OTEL_*``. Nothing is read at import time.

Every field has a description: ``boundary-bot config docs`` writes docs/configuration.md
from them (a test keeps that file in step with this model), so a new setting is documented
by writing its description here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./boundary-bot.db"


def normalise_database_url(url: str) -> str:
    """Accept the URL spellings deployers commonly have and pick the async driver."""
    url = url.strip()
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # --- server and storage ------------------------------------------------------------
    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL",
        description="The database: `postgresql://user:password@host:5432/name` in production (the async "
                    "driver is picked for you), or a SQLite file (the default, for one instance).")
    host: str = Field(
        "127.0.0.1", validation_alias="HOST",
        description="Address `serve` listens on; `0.0.0.0` to accept connections from other machines "
                    "(the container image sets it). `serve --host` overrides it.")
    port: int = Field(3978, validation_alias="PORT", description="Port `serve` listens on. `serve --port` overrides it.")
    auto_migrate: bool = Field(
        True, validation_alias="BOUNDARY_AUTO_MIGRATE",
        description="Apply pending database migrations when `serve` starts (instances take turns under a "
                    "lock). With `false`, run `boundary-bot db upgrade` yourself; `serve` refuses to start "
                    "while the schema is behind. The container image sets `false`.")
    shutdown_grace: float = Field(
        20.0, validation_alias="BOUNDARY_SHUTDOWN_GRACE", ge=0, le=600,
        description="Seconds `serve` gives in-flight requests, turns and deliveries to finish after SIGTERM "
                    "before it lets go of what is left (another instance takes it over at once). Keep it "
                    "below your orchestrator's kill timeout (Kubernetes: terminationGracePeriodSeconds).")
    workers: int = Field(
        1, validation_alias="BOUNDARY_WORKERS", ge=1, le=64,
        description="Server processes `serve` runs, all listening on the one port (SO_REUSEPORT), so every "
                    "core of the machine is used (e.g. one per core). Platform mode only: the local web chat "
                    "runs as one. Above 1, each worker serves its metrics on `BOUNDARY_METRICS_PORT` + its "
                    "number (from 0), or, without that port, `/metrics` shows whichever worker answers. If "
                    "a worker stops, `serve` stops the others and exits non-zero. Meant for PostgreSQL (on "
                    "SQLite the workers take turns to write). `serve --workers` overrides it.")
    public_url: str | None = Field(
        None, validation_alias="BOUNDARY_PUBLIC_URL",
        description="The HTTPS address people, Slack and Teams reach this server at, e.g. "
                    "`https://bot.example.org`. Links the bot sends (the console's one-time sign-in link) are "
                    "built on it, and session cookies are Secure when it is https; without it, links use the "
                    "address the server listens on. `boundary-bot doctor` also uses it to check the "
                    "platforms' configured URLs and that the endpoints answer from outside.")

    # --- content, keys and the organisation --------------------------------------------
    encryption_key: str | None = Field(
        None, validation_alias="BOUNDARY_ENCRYPTION_KEY",
        description="Fernet keys for report free text, comma-separated, newest first: the first encrypts, "
                    "all decrypt (so keys can be rotated). Make one with `boundary-bot key generate`. "
                    "Without it, keys are read from `BOUNDARY_ENCRYPTION_KEYS_DIR` or the key file (created "
                    "in local mode only).")
    key_file: str = Field(
        "./boundary-bot.key", validation_alias=AliasChoices("BOUNDARY_ENCRYPTION_KEY_FILE", "BOUNDARY_KEY_FILE"),
        description="A file of keys, one per line, newest first, used when `BOUNDARY_ENCRYPTION_KEY` is not "
                    "set; readable by the bot and nobody else (0600). Re-read when it changes (`key rotate`).")
    keys_dir: str | None = Field(
        None, validation_alias="BOUNDARY_ENCRYPTION_KEYS_DIR",
        description="A directory of key files, one key each (e.g. a mounted Kubernetes or Docker secret); "
                    "the name that sorts last encrypts.")
    pattern_secret: str | None = Field(
        None, validation_alias="BOUNDARY_PATTERN_SECRET",
        description="The secret client references are fingerprinted with (HMAC) for same-client pattern "
                    "alerts; make one with `boundary-bot key generate`. Unset outside local mode: derived "
                    "from the encryption key, with a warning.")
    pattern_secret_file_setting: str | None = Field(
        None, validation_alias="BOUNDARY_PATTERN_SECRET_FILE",
        description="A file holding the pattern secrets, one per line, newest first (instead of "
                    "`BOUNDARY_PATTERN_SECRET`).")
    pattern_secrets_dir: str | None = Field(
        None, validation_alias="BOUNDARY_PATTERN_SECRETS_DIR",
        description="A directory of pattern secret files, one each (a mounted secret); the name that sorts "
                    "last is the newest.")
    audit_anchor_file: str | None = Field(
        None, validation_alias="BOUNDARY_AUDIT_ANCHOR_FILE",
        description="Where the server also appends the audit chain's hourly anchors (they always go to the "
                    "log); an auditor checks them with `boundary-bot audit verify --anchor FILE`.")
    web_demo_on_network: bool = Field(
        False, validation_alias="BOUNDARY_WEB_DEMO_ON_NETWORK",
        description="Let the local web chat (a demo: anyone who reaches it picks who they are) serve on an address "
                    "other than loopback. Without it, local mode on such an address refuses to start.")
    local_mode: bool | None = Field(
        None, validation_alias="BOUNDARY_LOCAL_MODE",
        description="The local web chat at `/` with a demo organisation. On by default when no chat platform "
                    "is configured; `false` turns the web chat off, `true` keeps it beside Slack or Teams.")
    responses_dir: str | None = Field(
        None, validation_alias="BOUNDARY_RESPONSES_DIR",
        description="A directory of boundary scripts to use instead of the built-in `responses/`.")
    org_file: str | None = Field(
        None, validation_alias="BOUNDARY_ORG_FILE",
        description="The organisation file; `boundary-bot doctor` checks it and whether the database "
                    "matches it (`org apply` still takes the file as an argument).")

    # --- logs, metrics, traces ---------------------------------------------------------
    log_level: str = Field(
        "INFO", validation_alias="LOG_LEVEL",
        description="DEBUG, INFO, WARNING or ERROR. Libraries that would log payloads at DEBUG are held "
                    "back whatever this says.")
    log_format: Literal["text", "json"] = Field(
        "text", validation_alias="BOUNDARY_LOG_FORMAT",
        description="`json`: one JSON object per line, for a log stack; `text`: readable lines. Both carry "
                    "a `request_id` and ids of people and items, never names, emails or what anyone typed.")
    metrics_port: int | None = Field(
        None, validation_alias="BOUNDARY_METRICS_PORT", ge=1, le=65535,
        description="Serve Prometheus metrics on this port only (and not on `/metrics` of the main port), "
                    "so they can be kept off the public address. With `BOUNDARY_WORKERS` above 1, worker i "
                    "(from 0) serves its own on this port + i: scrape each.")
    metrics_host: str | None = Field(
        None, validation_alias="BOUNDARY_METRICS_HOST",
        description="Address for the metrics port (default: the address `serve` listens on).")
    otel_endpoint: str | None = Field(
        None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="Send OpenTelemetry traces by OTLP over HTTP (protobuf) to this collector, e.g. "
                    "`http://otel-collector:4318`; spans go to `<endpoint>/v1/traces`. Tracing is off "
                    "when unset.")
    otel_service_name: str = Field(
        "boundary-bot", validation_alias="OTEL_SERVICE_NAME",
        description="The `service.name` traces are reported under.")

    # --- Slack -----------------------------------------------------------------------------
    slack_bot_token: str | None = Field(
        None, validation_alias="SLACK_BOT_TOKEN",
        description="The Slack app's Bot User OAuth Token (`xoxb-…`). With a signing secret or an app "
                    "token it turns the Slack adapter on.")
    slack_signing_secret: str | None = Field(
        None, validation_alias="SLACK_SIGNING_SECRET",
        description="The Slack app's signing secret: requests to `/slack/events` must be signed with it.")
    slack_app_token: str | None = Field(
        None, validation_alias="SLACK_APP_TOKEN",
        description="An app-level token (`xapp-…`, `connections:write`) to use Socket Mode instead of a "
                    "public URL.")
    slack_api_url: str | None = Field(
        None, validation_alias="SLACK_API_URL",
        description="Another base URL for the Slack Web API (tests, proxies).")
    slack_command: str = Field("/boundary", validation_alias="SLACK_COMMAND",
                               description="The slash command's name.")
    slack_workers: int = Field(
        16, ge=1, validation_alias="SLACK_WORKERS",
        description="How many Slack commands and clicks are worked on at once after Slack has been "
                    "answered (each holds a database connection while the core runs).")
    slack_queue_depth: int = Field(
        500, ge=0, validation_alias="SLACK_QUEUE_DEPTH",
        description="How many more may wait for a worker. Beyond that a command is answered \"busy, try "
                    "again\" at once and nothing of it is done.")
    slack_app_id: str | None = Field(
        None, validation_alias="SLACK_APP_ID",
        description="The Slack app's id (`A0…`); with `SLACK_CONFIG_TOKEN`, `doctor` compares the installed "
                    "app's manifest with ours.")
    slack_config_token: str | None = Field(
        None, validation_alias="SLACK_CONFIG_TOKEN",
        description="A Slack app configuration token (`xoxe.xoxp-…`), only for `doctor`'s manifest check "
                    "(apps.manifest.export). It expires after 12 hours; leave it unset otherwise.")

    # --- Microsoft Teams -------------------------------------------------------------------
    microsoft_app_id: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"),
        description="The Azure Bot's Microsoft App ID: turns the Teams adapter on and makes every request "
                    "to `/api/messages` carry a valid Bot Connector token.")
    microsoft_app_password: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"),
        description="The app's client secret, for sending messages.")
    microsoft_app_tenant_id: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"),
        description="Your Microsoft Entra tenant id; required when `MicrosoftAppType` is `SingleTenant`.")
    microsoft_app_type: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE"),
        description="`SingleTenant` or `MultiTenant` (the default), as registered in Azure.")
    teams_engine: Literal["botbuilder", "agents"] = Field(
        "botbuilder", validation_alias="BOUNDARY_TEAMS_ENGINE",
        description="Which SDK runs Teams turns: `botbuilder` (Bot Framework SDK 4.17, retired) or `agents` "
                    "(Microsoft 365 Agents SDK). Same app registration and stored conversations: switching "
                    "is this setting and a restart.")
    teams_service_url_hosts: str = Field(
        "smba.trafficmanager.net,*.botframework.com", validation_alias="TEAMS_SERVICE_URL_HOSTS",
        description="Comma-separated hosts a Teams activity's `serviceUrl` may name (`*.` for any subdomain); "
                    "the bot sends replies, and its token, nowhere else (https only; loopback in local mode).")
    teams_login_url: str | None = Field(
        None, validation_alias="BOUNDARY_TEAMS_LOGIN_URL",
        description="Another Microsoft login service for the Teams app's tokens (tests, proxies); by default "
                    "`https://login.microsoftonline.com`.")
    teams_openid_url: str | None = Field(
        None, validation_alias="BOUNDARY_TEAMS_OPENID_URL",
        description="Another OpenID metadata document for the keys that sign the Bot Connector's tokens on "
                    "incoming activities (a sovereign cloud, or a local fake in load tests); by default the "
                    "Bot Framework's public one.")

    # OpenID Connect sign-in to the console (Entra ID, Sign in with Slack, any issuer):
    # on when the issuer and client id are set.
    oidc_issuer: str | None = Field(
        None, validation_alias="BOUNDARY_OIDC_ISSUER",
        description="The console's OpenID Connect issuer, e.g. `https://login.microsoftonline.com/<tenant>/v2.0` "
                    "for Entra ID or `https://slack.com` for Sign in with Slack. With the client id set, the "
                    "console's sign-in page offers it; people are matched by verified email to the org file.")
    oidc_client_id: str | None = Field(
        None, validation_alias="BOUNDARY_OIDC_CLIENT_ID",
        description="The client (application) id registered with the OpenID Connect issuer.")
    oidc_client_secret: str | None = Field(
        None, validation_alias="BOUNDARY_OIDC_CLIENT_SECRET",
        description="The client secret for the OpenID Connect issuer (from your secret store).")
    oidc_label: str = Field(
        "your organisation's sign-in", validation_alias="BOUNDARY_OIDC_LABEL",
        description="What the console's sign-in button calls the identity provider, e.g. `Microsoft`.")

    # --- directory sync (SCIM and `org sync`) -------------------------------------------
    scim_token_hash: str | None = Field(
        None, validation_alias="BOUNDARY_SCIM_TOKEN_HASH",
        description="Turns the SCIM 2.0 endpoint (`/scim/v2`) on: the SHA-256 of the bearer token your "
                    "identity provider sends (`boundary-bot scim token` makes a token and prints both; only "
                    "the hash is kept).")
    graph_url: str | None = Field(
        None, validation_alias="BOUNDARY_GRAPH_URL",
        description="Another base URL for Microsoft Graph in `org sync --graph` (tests, proxies); by default "
                    "`https://graph.microsoft.com/v1.0`.")

    @property
    def public_base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("log_format", "teams_engine", mode="before")
    @classmethod
    def _lower(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def pattern_secret_file(self) -> str:
        """BOUNDARY_PATTERN_SECRET_FILE, else ``boundary-bot.pattern-secret`` next to the key file."""
        from pathlib import Path

        return self.pattern_secret_file_setting or str(Path(self.key_file).with_name("boundary-bot.pattern-secret"))

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id)

    @property
    def is_local(self) -> bool:
        if self.local_mode is not None:
            return self.local_mode
        return not (self.slack_enabled or self.teams_enabled)
