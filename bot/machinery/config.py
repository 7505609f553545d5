"""Settings, read from the environment (and a ``.env`` file) only when asked for.

Names follow each ecosystem: ``DATABASE_URL`` and ``PORT``; Slack's ``SLACK_*``; Bot
Framework's ``MicrosoftApp*``. Nothing is read at import time.
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

    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(3978, validation_alias="PORT")

    # Report free text is encrypted with these Fernet keys (comma-separated; the first
    # encrypts, all decrypt, so keys can be rotated). Without one, local mode generates
    # a key file; any other mode refuses to start.
    encryption_key: str | None = Field(None, validation_alias="BOUNDARY_ENCRYPTION_KEY")
    key_file: str = Field(
        "./boundary-bot.key", validation_alias=AliasChoices("BOUNDARY_ENCRYPTION_KEY_FILE", "BOUNDARY_KEY_FILE")
    )
    # A directory of key files (e.g. a mounted secret): the name that sorts last encrypts.
    keys_dir: str | None = Field(None, validation_alias="BOUNDARY_ENCRYPTION_KEYS_DIR")

    # Client references for pattern alerts are kept only as HMACs with this secret (same
    # three sources as the encryption key). Unset outside local mode: derived from the
    # encryption key, with a warning.
    pattern_secret: str | None = Field(None, validation_alias="BOUNDARY_PATTERN_SECRET")
    pattern_secret_file_setting: str | None = Field(None, validation_alias="BOUNDARY_PATTERN_SECRET_FILE")
    pattern_secrets_dir: str | None = Field(None, validation_alias="BOUNDARY_PATTERN_SECRETS_DIR")

    # Where the server also appends the audit chain's periodic anchors (they always go to
    # the log); an auditor checks them with: boundary-bot audit verify --anchor FILE
    audit_anchor_file: str | None = Field(None, validation_alias="BOUNDARY_AUDIT_ANCHOR_FILE")

    # Local mode: the web chat at / with a demo organisation. On by default when no chat
    # platform is configured; set BOUNDARY_LOCAL_MODE=false to turn the web chat off.
    local_mode: bool | None = Field(None, validation_alias="BOUNDARY_LOCAL_MODE")

    responses_dir: str | None = Field(None, validation_alias="BOUNDARY_RESPONSES_DIR")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")

    slack_bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str | None = Field(None, validation_alias="SLACK_API_URL")
    slack_command: str = Field("/boundary", validation_alias="SLACK_COMMAND")

    microsoft_app_id: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID")
    )
    microsoft_app_password: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    microsoft_app_tenant_id: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    )
    microsoft_app_type: str | None = Field(
        None, validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    # Which SDK runs Teams turns: botbuilder (Bot Framework SDK 4.17, retired) or agents
    # (Microsoft 365 Agents SDK). Same app registration, same stored conversation
    # references: switching is this setting and a restart.
    teams_engine: Literal["botbuilder", "agents"] = Field(
        "botbuilder", validation_alias="BOUNDARY_TEAMS_ENGINE"
    )

    # The console (web pages for managers, admins and auditors). Links the bot sends are
    # built on BOUNDARY_PUBLIC_URL; without it, on the address the server listens on.
    public_url: str | None = Field(None, validation_alias="BOUNDARY_PUBLIC_URL")
    # OpenID Connect sign-in to the console (Entra ID, Sign in with Slack, any issuer):
    # on when the issuer and client id are set.
    oidc_issuer: str | None = Field(None, validation_alias="BOUNDARY_OIDC_ISSUER")
    oidc_client_id: str | None = Field(None, validation_alias="BOUNDARY_OIDC_CLIENT_ID")
    oidc_client_secret: str | None = Field(None, validation_alias="BOUNDARY_OIDC_CLIENT_SECRET")
    oidc_label: str = Field("your organisation's sign-in", validation_alias="BOUNDARY_OIDC_LABEL")

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

    @field_validator("teams_engine", mode="before")
    @classmethod
    def _engine_name(cls, value: object) -> object:
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
