"""docs/configuration.md is generated from the settings model and must match it."""

from adapters.ops.configdoc import render
from bot.machinery.config import Settings
from tests.cli_harness import run
from tests.conftest import REPO


def test_the_configuration_reference_is_up_to_date():
    committed = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/configuration.md is out of date: run `boundary-bot config docs --output docs/configuration.md`")


def test_every_setting_is_in_the_reference_with_its_default():
    text = render()
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} needs a description"
    for variable in ("`DATABASE_URL` | `sqlite+aiosqlite:///./boundary-bot.db`", "`BOUNDARY_LOG_FORMAT` | `text`",
                     "`MicrosoftAppId` or `MICROSOFT_APP_ID` | unset", "`BOUNDARY_AUTO_MIGRATE` | `true`",
                     "`OTEL_EXPORTER_OTLP_ENDPOINT` | unset", "`BOUNDARY_METRICS_PORT` | unset"):
        assert variable in text


def test_the_cli_writes_it_and_prints_the_version(tmp_path):
    result = run(["config", "docs", "--output", str(tmp_path / "c.md")], tmp_path)
    assert result.returncode == 0 and (tmp_path / "c.md").read_text() == render()
    version = run(["--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("boundary-bot ")
