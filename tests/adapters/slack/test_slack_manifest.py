"""``boundary-bot slack-manifest``: only the scopes, command and URLs the bot needs."""

import json

import yaml
from click.testing import CliRunner

from adapters.cli import main


def test_manifest_points_everything_at_the_events_url(monkeypatch):
    monkeypatch.setenv("SLACK_COMMAND", "/boundary-test")
    result = CliRunner().invoke(main, ["slack-manifest", "--url", "https://bot.example.org/"])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    url = "https://bot.example.org/slack/events"
    assert data["oauth_config"]["scopes"]["bot"] == ["commands", "chat:write", "im:write", "users:read", "users:read.email"]
    (command,) = data["features"]["slash_commands"]
    assert command["command"] == "/boundary-test" and command["url"] == url
    # Searchable selects load their options from the same URL.
    assert data["settings"]["interactivity"] == {"is_enabled": True, "request_url": url, "message_menu_options_url": url}
    assert data["settings"]["event_subscriptions"] == {"request_url": url, "bot_events": ["app_home_opened"]}
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is False

    as_json = CliRunner().invoke(main, ["slack-manifest", "--url", "https://bot.example.org", "--format", "json"])
    assert json.loads(as_json.output) == data


def test_manifest_needs_a_web_url():
    result = CliRunner().invoke(main, ["slack-manifest", "--url", "bot.example.org"])
    assert result.exit_code == 1 and "--url must start with https://" in result.output
