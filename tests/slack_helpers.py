"""Signed requests to the real server's /slack/events, as Slack would send them."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.fake_slack import TEAM, FakeSlack

SIGNING_SECRET = "test-signing-secret"
_counter = itertools.count(1)


def signed_headers(body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


@dataclass
class SlackClient:
    """Sends what Slack sends; ``fake`` is the Web API the server calls back."""

    base: str
    session: aiohttp.ClientSession
    fake: FakeSlack
    command: str = "/boundary"

    async def raw(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(f"{self.base}/slack/events", data=body.encode(), headers=headers) as response:
            return response.status, await response.text()

    async def form(self, fields: dict[str, str], **kwargs) -> tuple[int, str]:
        body = urlencode(fields)
        return await self.raw(body, signed_headers(body, "application/x-www-form-urlencoded", **kwargs))

    async def slash(self, user: str, text: str, channel: str = "C0GENERAL", trigger: str | None = None) -> tuple[int, str]:
        n = next(_counter)
        return await self.form({
            "token": "unused", "team_id": TEAM, "team_domain": "test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": self.command,
            "text": text, "api_app_id": "A0TEST", "response_url": f"{self.fake.url}/response/{n}",
            "trigger_id": trigger or f"trigger-{n}",
        })

    async def interaction(self, payload: dict) -> tuple[int, str]:
        return await self.form({"payload": json.dumps(payload)})

    async def event(self, event: dict, event_id: str | None = None, retry: int | None = None) -> tuple[int, str]:
        body = json.dumps({
            "token": "unused", "team_id": TEAM, "api_app_id": "A0TEST", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{next(_counter):06d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
        })
        headers = signed_headers(body, "application/json")
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.raw(body, headers)


def button_payload(user: str, action: str, value: str, *, channel: str | None = None, ts: str = "1700000000.000001",
                   home: bool = False) -> dict:
    container = (
        {"type": "view", "view_id": "VHOME"} if home
        else {"type": "message", "channel_id": channel or "D" + user, "message_ts": ts, "is_ephemeral": False}
    )
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM}, "api_app_id": "A0TEST", "trigger_id": f"trig-{next(_counter)}",
        "container": container,
        "actions": [{"type": "button", "action_id": f"{action}|0", "block_id": "actions", "value": value or "-",
                     "action_ts": f"{time.time():.6f}{next(_counter)}"}],
    }
    if home:
        payload["view"] = {"id": "VHOME", "type": "home"}
    else:
        payload["channel"] = {"id": container["channel_id"]}
        payload["message"] = {"ts": ts, "text": "a card"}
    return payload


def submission_payload(user: str, modal: dict, answers: dict, view_id: str = "V0MODAL") -> dict:
    """A view_submission for ``modal`` (as the server opened it) with ``answers`` filled in."""
    values: dict = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind, name = element["type"], element["action_id"]
        answer = answers.get(name)
        state: dict = {"type": kind}
        if kind in ("radio_buttons", "static_select"):
            state["selected_option"] = next((o for o in element["options"] if o["value"] == answer), None)
        elif kind in ("checkboxes", "multi_static_select"):
            state["selected_options"] = [o for o in element["options"] if o["value"] in (answer or [])]
        elif kind == "datepicker":
            state["selected_date"] = answer
        elif kind == "timepicker":
            state["selected_time"] = answer
        else:
            state["value"] = answer
        values[block["block_id"]] = {name: state}
    return {
        "type": "view_submission", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM}, "api_app_id": "A0TEST", "trigger_id": f"trig-{next(_counter)}",
        "view": {**modal, "id": view_id, "hash": "h1", "team_id": TEAM, "state": {"values": values}},
    }
