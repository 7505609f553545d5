"""A fake Slack Web API on a free port, for the real slack_sdk client to talk to.

It answers the methods the bot uses the way Slack does (``{"ok": true, ...}`` or
``{"ok": false, "error": ...}`` with HTTP 200), checks the bearer token, records every call
(method and parsed body), and can be told to fail the next calls with 429 + Retry-After or
500. It also serves ``response_url`` posts and a Socket Mode WebSocket.

Below it, :class:`SlackClient` sends what Slack sends to our server: signed slash commands,
interactions and events.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

from tests import slack_limits

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
CONFIG_TOKEN = "xoxe.xoxp-test-config-token"
TEAM = "T0TEST"


@dataclass
class Call:
    method: str
    body: dict[str, Any]


@dataclass
class FakeSlack:
    users: dict[str, str | None] = field(default_factory=dict)  # user id → email
    unconfirmed: set[str] = field(default_factory=set)  # users whose email Slack has not confirmed
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    socket_received: list[dict] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # added to every successful API answer
    manifest: dict | None = None  # what apps.manifest.export answers (with the config token)
    # users.list: whole member records as Slack gives them (id, deleted, is_bot,
    # is_email_confirmed, profile.real_name/email), served a page at a time.
    directory: list[dict] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)  # calls refused for breaking a Block Kit limit
    delays: dict[str, float] = field(default_factory=dict)  # method → seconds to wait before answering
    # users of another workspace (user id → its team id), as users.info describes them: a
    # Slack Connect colleague, or anyone a forged request names
    teams: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._failures: list[tuple[str | None, int, dict[str, str]]] = []
        self._errors: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None

    # --- test controls --------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def fail_next(self, count: int, status: int, retry_after: int | None = None, method: str | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._failures.extend([(method, status, headers)] * count)

    def error_for(self, method: str, error: str) -> None:
        """Answer ``method`` with ``{"ok": false, "error": error}`` until cleared."""
        self._errors[method] = error

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0, where=None) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.of(method) if where is None or where(c.body)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} call(s), got {len(found)}: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.01)

    async def socket_send(self, message: dict) -> None:
        for ws in self._sockets:
            await ws.send_str(json.dumps(message))

    # --- server ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)  # the fake's own traffic is not the bot's log
        await self._runner.setup()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw = await request.read()
            try:  # orjson: benches post thousands of messages a second through this fake
                body.update(orjson.loads(raw))
            except orjson.JSONDecodeError:
                body.update(json.loads(raw))  # what only the standard library reads
        elif request.can_read_body:
            body.update(dict(await request.post()))
        for key in ("blocks", "view"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        return body

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.socket_received.append(json.loads(message.data))
        self._sockets.remove(ws)
        return ws

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        self.calls.append(Call(method, body))
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        for i, (only, status, headers) in enumerate(self._failures):
            if only in (None, method):
                del self._failures[i]
                if status == 429:
                    return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
                return web.Response(status=status, text="upstream trouble", headers=headers)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or body.get("token")
        expected = {"apps.connections.open": APP_TOKEN, "apps.manifest.export": CONFIG_TOKEN}.get(method, BOT_TOKEN)
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method in self._errors:
            return web.json_response({"ok": False, "error": self._errors[method]})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if refused := self._over_limits(method, body):
            return web.json_response(refused)
        return web.json_response(handler(body), headers=self.headers)

    def _over_limits(self, method: str, body: dict) -> dict | None:
        """Slack's answer when a view or message breaks a Block Kit limit (tests/slack_limits.py)."""
        if method.startswith("views."):
            problems, error = slack_limits.view_problems(body.get("view") or {}), "invalid_arguments"
        elif method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            problems, error = slack_limits.message_problems(body), "invalid_blocks"
        else:
            return None
        if not problems:
            return None
        self.refused.append(Call(method, {"error": error, "messages": problems}))
        return {"ok": False, "error": error, "response_metadata": {"messages": problems}}

    # --- methods ----------------------------------------------------------------------------

    def _auth_test(self, body):
        return {"ok": True, "url": "https://test.slack.invalid/", "team": "Test", "user": "boundary",
                "team_id": TEAM, "user_id": "UBOT", "bot_id": "BBOT"}

    def _apps_manifest_export(self, body):
        if self.manifest is None:
            return {"ok": False, "error": "app_not_found"}
        return {"ok": True, "manifest": self.manifest}

    def _apps_connections_open(self, body):
        return {"ok": True, "url": self.url.replace("http", "ws", 1) + "/socket"}

    def _users_info(self, body):
        user = body.get("user")
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        email = self.users[user]
        return {"ok": True, "user": {"id": user, "team_id": self.teams.get(user, TEAM),
                                     "profile": {"email": email} if email else {},
                                     "is_email_confirmed": user not in self.unconfirmed}}

    def _users_list(self, body):
        """Paginated like Slack: ``limit`` per page, an opaque ``next_cursor`` until the end."""
        limit = int(body.get("limit") or 200)
        start = int(body.get("cursor") or 0)
        page = self.directory[start:start + limit]
        more = start + limit < len(self.directory)
        return {"ok": True, "members": page, "cache_ts": 0,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _conversations_open(self, body):
        user = body.get("users")
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + user}}

    def _message(self, body):
        channel = body.get("channel", "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": channel, "ts": f"1700000000.{next(self._ts):06d}", "message": {"text": body.get("text")}}

    def _chat_postMessage(self, body):
        return self._message(body)

    def _chat_postEphemeral(self, body):
        return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}

    def _chat_update(self, body):
        if not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": body.get("channel"), "ts": body["ts"], "text": body.get("text")}

    def _view(self, body):
        view = dict(body.get("view") or {})
        view.update(id=f"V{next(self._ts):08d}", hash="h1")
        return {"ok": True, "view": view}

    def _views_open(self, body):
        if not body.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view(body)

    _views_update = _views_push = _views_publish = _view


# --- what Slack sends to the bot ----------------------------------------------------------

SIGNING_SECRET = "test-signing-secret"
_counter = itertools.count(1)


def signed_headers(body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


@dataclass
class SlackClient:
    """Sends what Slack sends; ``fake`` is the Web API the server calls back. ``team`` is the
    workspace the requests come from: ``client.as_team("T0OTHER")`` sends as another one."""

    base: str
    session: aiohttp.ClientSession
    fake: FakeSlack
    command: str = "/boundary"
    team: str = TEAM

    def as_team(self, team: str) -> SlackClient:
        """The same client, sending from workspace ``team`` (signed all the same: the app is
        installed there too, or the request is forged with a leaked signing secret)."""
        return dataclasses.replace(self, team=team)

    async def raw(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(f"{self.base}/slack/events", data=body.encode(), headers=headers) as response:
            return response.status, await response.text()

    async def form(self, fields: dict[str, str], **kwargs) -> tuple[int, str]:
        body = urlencode(fields)
        return await self.raw(body, signed_headers(body, "application/x-www-form-urlencoded", **kwargs))

    async def slash(self, user: str, text: str, channel: str = "C0GENERAL", trigger: str | None = None) -> tuple[int, str]:
        n = next(_counter)
        return await self.form({
            "token": "unused", "team_id": self.team, "team_domain": "test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": self.command,
            "text": text, "api_app_id": "A0TEST", "response_url": f"{self.fake.url}/response/{n}",
            "trigger_id": trigger or f"trigger-{n}",
        })

    async def interaction(self, payload: dict) -> tuple[int, str]:
        return await self.form({"payload": json.dumps(payload)})

    async def suggest(self, user: str, modal: dict, field: str, typed: str) -> list[dict]:
        """What Slack shows under a searchable select in ``modal`` after ``typed``: the
        options our server answers to the ``block_suggestion`` (checked against Slack's limits)."""
        started = time.monotonic()
        status, body = await self.interaction(suggestion_payload(user, modal, field, typed, team=self.team))
        assert status == 200, body
        assert time.monotonic() - started < 3, "Slack waits 3 seconds for options, then shows nothing"
        options = json.loads(body)["options"]
        assert len(options) <= slack_limits.STATIC_OPTIONS, len(options)
        for option in options:
            assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150, option
        return options

    async def event(self, event: dict, event_id: str | None = None, retry: int | None = None) -> tuple[int, str]:
        body = json.dumps({
            "token": "unused", "team_id": self.team, "api_app_id": "A0TEST", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{next(_counter):06d}", "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}],
        })
        headers = signed_headers(body, "application/json")
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.raw(body, headers)


def button_payload(user: str, action: str, value: str, *, channel: str | None = None, ts: str = "1700000000.000001",
                   home: bool = False, team: str = TEAM) -> dict:
    container = (
        {"type": "view", "view_id": "VHOME"} if home
        else {"type": "message", "channel_id": channel or "D" + user, "message_ts": ts, "is_ephemeral": False}
    )
    payload = {
        "type": "block_actions", "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team}, "api_app_id": "A0TEST", "trigger_id": f"trig-{next(_counter)}",
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


def suggestion_payload(user: str, modal: dict, field: str, typed: str, team: str = TEAM) -> dict:
    """A ``block_suggestion``: someone typed ``typed`` into the searchable select of ``field``."""
    block = next(b for b in modal["blocks"] if b.get("block_id") == field)
    assert block["element"]["type"] in ("external_select", "multi_external_select"), block["element"]["type"]
    return {
        "type": "block_suggestion", "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team}, "api_app_id": "A0TEST",
        "block_id": field, "action_id": block["element"]["action_id"], "value": typed,
        "container": {"type": "view", "view_id": "V0MODAL"},
        "view": {**modal, "id": "V0MODAL", "state": {"values": {}}},
    }


def submission_payload(user: str, modal: dict, answers: dict, view_id: str = "V0MODAL", team: str = TEAM) -> dict:
    """A view_submission for ``modal`` (as the server opened it) with ``answers`` filled in."""
    values: dict = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind, name = element["type"], element["action_id"]
        answer = answers.get(block["block_id"], answers.get(name))  # searchable selects name their picker
        state: dict = {"type": kind}
        if kind in ("radio_buttons", "static_select"):
            state["selected_option"] = next((o for o in element["options"] if o["value"] == answer), None)
        elif kind in ("checkboxes", "multi_static_select"):
            state["selected_options"] = [o for o in element["options"] if o["value"] in (answer or [])]
        elif kind == "external_select":  # the answer is an option found with SlackClient.suggest
            state["selected_option"] = answer if isinstance(answer, dict) else None
        elif kind == "multi_external_select":
            state["selected_options"] = list(answer or [])
        elif kind == "datepicker":
            state["selected_date"] = answer
        elif kind == "timepicker":
            state["selected_time"] = answer
        else:
            state["value"] = answer
        values[block["block_id"]] = {name: state}
    return {
        "type": "view_submission", "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team}, "api_app_id": "A0TEST", "trigger_id": f"trig-{next(_counter)}",
        "view": {**modal, "id": view_id, "hash": "h1", "team_id": team, "state": {"values": values}},
    }
