"""docs/configuration.md, written from the settings model (``boundary-bot config docs``).

Every variable, its default and what it means come from :class:`~bot.machinery.config.Settings`
(each field's alias and description), so the reference cannot drift from the code; a test
fails when the committed file differs from what this writes.
"""

from __future__ import annotations

from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from bot.machinery.config import Settings

HEADER = """# Configuration

Boundary Bot reads its configuration from environment variables (and a `.env` file in the
working directory, if there is one); nothing else. In a container, pass them with `-e`,
`env_file:` or a Kubernetes Secret; mount files (the key file, the organisation file) and
point the variables at them. Variables a platform defines keep that platform's name
(`SLACK_*`, Bot Framework's `MicrosoftApp*`, OpenTelemetry's `OTEL_*`). The container
entrypoint also reads secrets from files: `NAME_FILE=/run/secrets/…` sets `NAME` for
`DATABASE_URL`, the `SLACK_*` tokens and secret, `MicrosoftAppId`, `MicrosoftAppPassword`,
`MicrosoftAppTenantId` and `OTEL_EXPORTER_OTLP_HEADERS`. Keys and the pattern secret have
file and directory settings of their own (below), which the bot re-reads when they change.

This file is generated from the settings model by `boundary-bot config docs --output
docs/configuration.md`; a test fails when it is out of date. `boundary-bot doctor` checks a
running configuration.

| variable | default | meaning |
|---|---|---|
"""


def names(field: FieldInfo, attribute: str) -> list[str]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [str(alias or attribute).upper()]


def default(field: FieldInfo) -> str:
    value = field.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def render() -> str:
    rows = []
    for attribute, field in Settings.model_fields.items():
        if not field.description:
            raise ValueError(f"Settings.{attribute} has no description: write one, it is the documentation")
        variable = " or ".join(f"`{n}`" for n in names(field, attribute))
        meaning = " ".join(field.description.split()).replace("|", "\\|")
        rows.append(f"| {variable} | {default(field)} | {meaning} |")
    return HEADER + "\n".join(rows) + "\n"
