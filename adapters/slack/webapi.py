"""The Web API calls every answer makes (chat.postMessage, chat.update), straight through the
adapter's aiohttp session with orjson.

slack_sdk's general call machinery (argument handling, retry bookkeeping, response parsing)
cost more of the server's time per command than the call itself. What comes back is
slack_sdk's own answer (:class:`AsyncSlackResponse`, validated, so a refusal raises its
``SlackApiError``), so everything that reads answers and failures stays as it is.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse


def _encoded(payload: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(payload)
    except TypeError:  # what only the standard library encodes (a lone surrogate)
        return json.dumps(payload).encode()


def _decoded(raw: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return {}  # not Slack's JSON (a proxy's error page): validate() refuses it
    return data if isinstance(data, dict) else {}


async def call(client: AsyncWebClient, method: str, payload: dict[str, Any]) -> AsyncSlackResponse:
    """POST ``payload`` as JSON to ``method`` with the bot token; Slack's answer, validated."""
    session = client.session
    if session is None or session.closed:  # not started: slack_sdk opens a session of its own
        return await client.api_call(method, json=payload)
    url = client.base_url + method
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json;charset=utf-8"}
    async with session.post(url, data=_encoded(payload), headers=headers) as response:
        raw = await response.read()
        status, answer_headers = response.status, dict(response.headers)
    return AsyncSlackResponse(client=client, http_verb="POST", api_url=url, req_args={}, data=_decoded(raw),
                              headers=answer_headers, status_code=status).validate()
