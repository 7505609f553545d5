"""The Slack app manifest: just what the bot needs, nothing more.

Bot scopes:
- ``commands``: the slash command.
- ``chat:write``: DMs and updating the bot's own messages.
- ``im:write``: opening the DM with a person (conversations.open).
- ``users:read`` and ``users:read.email``: the email of the person who used the bot, to link
  them to the organisation file (users.info needs both).
No channel-reading or history scope is requested: the bot never reads conversations.
"""

from __future__ import annotations

from typing import Any

BOT_SCOPES = ["commands", "chat:write", "im:write", "users:read", "users:read.email"]


def manifest(url: str, command: str = "/boundary", name: str = "Boundary Bot") -> dict[str, Any]:
    endpoint = url.rstrip("/") + "/slack/events"
    return {
        "display_information": {
            "name": name,
            "description": "Private help with uncomfortable client behaviour: words to say, next steps, backup.",
            "background_color": "#2c4a52",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,  # /boundary works in the DM too
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [
                {
                    "command": command,
                    "url": endpoint,
                    "description": "Report privately, get words to say, see your reports",
                    "usage_hint": "report | script [what they said] | status | help",
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": {"request_url": endpoint, "bot_events": ["app_home_opened"]},
            "interactivity": {"is_enabled": True, "request_url": endpoint,
                              # Searchable pickers (external_select) load their options here.
                              "message_menu_options_url": endpoint},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
