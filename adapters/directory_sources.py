"""Where `org sync` reads the directory: Slack's ``users.list`` (through slack_sdk's
AsyncWebClient, page by page) and Microsoft Graph's ``/users`` (over aiohttp, with an app-only
token from the Microsoft login service). Each account becomes a neutral
:class:`bot.org.sync.Listed`; only emails the source vouches for are kept
(:func:`bot.org.directory.matching_email`)."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.org.directory import matching_email
from bot.org.sync import Listed

GRAPH = "https://graph.microsoft.com/v1.0"
LOGIN = "https://login.microsoftonline.com"


class SourceError(Exception):
    """A source could not be read (the message names the source and the reason, no data)."""


async def slack_people(token: str, base_url: str | None = None, page_size: int = 200) -> list[Listed]:
    """Every human member of the workspace. Slack vouches for an email when
    ``is_email_confirmed`` is true; deleted members are listed as inactive."""
    client = AsyncWebClient(token=token, base_url=base_url or AsyncWebClient.BASE_URL)
    # users.list is Tier 2 (about 20 calls a minute): a big workspace meets the limit, so
    # wait as long as Slack says and go on.
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=10))
    found: list[Listed] = []
    cursor = None
    while True:
        response = await client.users_list(limit=page_size, cursor=cursor)
        for member in response["members"]:
            if member.get("is_bot") or member.get("id") == "USLACKBOT" or member.get("is_app_user"):
                continue
            profile = member.get("profile") or {}
            name = profile.get("real_name") or member.get("real_name") or member.get("name") or member["id"]
            team = member.get("team_id") or ""
            found.append(Listed(
                source="slack", account_id=f"{team}:{member['id']}", display_name=name,
                email=matching_email(profile.get("email"), bool(member.get("is_email_confirmed"))),
                active=not member.get("deleted"), identity=("slack", team, member["id"]),
            ))
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


async def graph_token(tenant: str, client_id: str, secret: str, login_url: str | None = None) -> str:
    """An app-only token for Graph (the app needs the User.Read.All application permission)."""
    url = f"{(login_url or LOGIN).rstrip('/')}/{tenant}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
            "scope": "https://graph.microsoft.com/.default"}
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as response:
        if response.status != 200:
            raise SourceError(f"Microsoft login refused the app's credentials (HTTP {response.status})")
        return (await response.json())["access_token"]


async def graph_people(token: str, tenant: str, base_url: str | None = None, page_size: int = 999) -> list[Listed]:
    """Every user in the tenant, following ``@odata.nextLink``. Graph's ``mail`` is the
    mailbox address the tenant manages, so it counts as confirmed; the UPN is not used as an
    email. Disabled accounts are listed as inactive."""
    url = (f"{(base_url or GRAPH).rstrip('/')}/users?$select=id,displayName,mail,accountEnabled,userType"
           f"&$top={page_size}")
    found: list[Listed] = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        throttled = 0
        while url:
            async with http.get(url) as response:
                if response.status in (429, 503) and throttled < 10:
                    # Graph throttles big tenants: wait as long as it says, then ask again.
                    throttled += 1
                    await asyncio.sleep(min(float(response.headers.get("Retry-After", "5")), 120))
                    continue
                if response.status != 200:
                    raise SourceError(f"Microsoft Graph answered HTTP {response.status} to the users list")
                page = await response.json()
            for user in page.get("value", []):
                if user.get("userType") == "Guest":
                    continue
                found.append(Listed(
                    source="graph", account_id=user["id"], display_name=user.get("displayName") or user["id"],
                    email=matching_email(user.get("mail")), active=user.get("accountEnabled") is not False,
                    identity=("teams", tenant, user["id"]),
                ))
            url = page.get("@odata.nextLink")
    return found
