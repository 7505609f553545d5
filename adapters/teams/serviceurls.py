"""Where the bot may send a Teams activity (and so its Bot Framework token).

A ``serviceUrl`` arrives inside an activity; the bot answers and writes proactively to that
address with its bearer token attached. So an address is used only when it is an
``https`` URL on one of the allowed hosts (``TEAMS_SERVICE_URL_HOSTS``; by default the Bot
Framework's public connector hosts), whatever the activity or its token says. Loopback
addresses (the local fake connector) are allowed in local mode, or when listed, over http or
https.

Engine-neutral: ``hosting`` refuses an activity naming another address before its turn runs,
and both engines' connectors refuse to call one (before any token is fetched).
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

DEFAULT_HOSTS = ("smba.trafficmanager.net", "*.botframework.com")
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_matches(host: str, pattern: str) -> bool:
    """``*.example.com`` matches any subdomain of example.com (not example.com itself)."""
    host, pattern = host.lower().rstrip("."), pattern.lower().strip()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def allowed(url: object, hosts: tuple[str, ...], allow_loopback: bool) -> bool:
    if not isinstance(url, str) or len(url) > 2048:
        return False
    return _allowed(url, hosts, allow_loopback)


@functools.lru_cache(maxsize=1024)
def _allowed(url: str, hosts: tuple[str, ...], allow_loopback: bool) -> bool:
    """Asked twice a turn (the activity, then the reply) about the few URLs Teams uses."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or not host:
        return False
    listed = any(host_matches(host, pattern) for pattern in hosts)
    if is_loopback(host):  # the local fake connector: in local mode, or when listed by name
        return (allow_loopback or listed) and parts.scheme in ("http", "https")
    return parts.scheme == "https" and listed


def open_endpoint_allowed(host: str, slack_enabled: bool, slack_api_url: str | None) -> bool:
    """Whether ``/api/messages`` may run without the Bot Connector's token (local mode, no
    MicrosoftAppId): only on a loopback address, and never beside Slack credentials that
    talk to the real Slack (a local fake Slack API is fine)."""
    if not is_loopback(host):
        return False
    return not slack_enabled or (bool(slack_api_url) and is_loopback(urlsplit(slack_api_url).hostname))
