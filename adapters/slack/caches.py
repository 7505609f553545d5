"""What the Slack adapter keeps in memory: event ids it acted on, and emails it looked up."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

EMAIL_TTL = 600.0  # seconds an email from users.info is trusted before asking again
SEEN_TTL = 3600.0
SEEN_MAX = 50_000


class Seen:
    """Event ids acted on by this process (bounded, expiring): a redelivery has no second
    effect here even before the core's own dedupe sees it."""

    def __init__(self, ttl: float = SEEN_TTL, size: int = SEEN_MAX) -> None:
        self._ids: OrderedDict[str, float] = OrderedDict()
        self.ttl, self.size = ttl, size

    def first(self, event_id: str) -> bool:
        now = time.monotonic()
        while self._ids and (next(iter(self._ids.values())) < now - self.ttl or len(self._ids) > self.size):
            self._ids.popitem(last=False)
        if event_id in self._ids:
            return False
        self._ids[event_id] = now
        return True

    def forget(self, event_id: str) -> None:
        self._ids.pop(event_id, None)


class Emails:
    """Slack user → email from users.info, cached briefly in memory."""

    def __init__(self, client: AsyncWebClient, ttl: float = EMAIL_TTL) -> None:
        self.client, self.ttl = client, ttl
        self._cache: OrderedDict[tuple[str, str], tuple[float, str | None]] = OrderedDict()

    async def get(self, team: str, user: str) -> str | None:
        hit = self._cache.get((team, user))
        if hit and hit[0] > time.monotonic():
            return hit[1]
        try:
            response = await self.client.users_info(user=user)
        except Exception as exc:  # a known identity still resolves without the email
            log.warning("slack users.info failed: %s", _reason(exc))
            return None
        user_info = response.get("user") or {}
        profile = user_info.get("profile") or {}
        # Only an email Slack says the account has confirmed may link it to a person
        # (bot.machinery.storage.identities); another workspace's users are refused earlier.
        email = (profile.get("email") or None) if user_info.get("is_email_confirmed") is True else None
        self._cache[(team, user)] = (time.monotonic() + self.ttl, email)
        while len(self._cache) > 10_000:
            self._cache.popitem(last=False)
        return email


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError) and isinstance(getattr(exc.response, "data", None), dict):
        return str(exc.response.data.get("error") or exc.response.status_code)
    return type(exc).__name__
