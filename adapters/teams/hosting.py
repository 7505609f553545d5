"""``POST /api/messages`` and the Teams adapter's start-up: activities in over HTTP,
status codes and invoke responses out.

The HTTP side is ours rather than botbuilder-integration-aiohttp's: the 4.17 integration
answers 500 to invokes with a body, and its error middleware is app-wide. So this handler
checks the request (size, JSON, required fields, the Bot Connector's JWT), answers a
redelivered activity with the first delivery's answer, and runs the turn with
:meth:`TeamsAdapter.process <adapters.teams.adapter.TeamsAdapter.process>` (our
``process_activity``).

botbuilder-specific only in that :func:`setup_teams` builds the botbuilder engine
(:class:`~adapters.teams.adapter.TeamsAdapter` with
:class:`~adapters.teams.activity_handler.BoundaryHandler`); the request checks use no
botbuilder.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from adapters.appkeys import DELIVERERS_KEY
from adapters.teams.activity_handler import BoundaryHandler
from adapters.teams.adapter import TeamsAdapter
from adapters.teams.auth import Unauthorized
from adapters.teams.deliver import TeamsDeliverer
from adapters.teams.runtime import OPTIONS_KEY, TEAMS_KEY, TeamsOptions, TeamsRuntime
from adapters.teams.translate import PLATFORM, missing_fields
from bot.machinery.config import Settings

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024

ADAPTER_KEY = web.AppKey("teams_adapter", TeamsAdapter)


def setup_teams(app: web.Application, settings: Settings) -> None:
    """Mount ``POST /api/messages`` and register the Teams deliverer."""
    app[OPTIONS_KEY] = TeamsOptions.from_settings(settings)

    async def runtime(app: web.Application):
        rt = TeamsRuntime(app, app[OPTIONS_KEY])
        app[TEAMS_KEY] = rt
        app[ADAPTER_KEY] = TeamsAdapter(rt.connector, BoundaryHandler(rt))
        app[DELIVERERS_KEY][PLATFORM] = TeamsDeliverer(rt)
        yield
        await rt.close()

    app.cleanup_ctx.append(runtime)
    app.router.add_post("/api/messages", messages)


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.Response:
    rt = request.app[TEAMS_KEY]
    if request.content_type != "application/json":
        return _problem(415, "expected Content-Type: application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _problem(413, "activity too large")
    try:
        raw = await request.read()  # aiohttp caps this at client_max_size (1 MiB)
    except web.HTTPRequestEntityTooLarge:
        return _problem(413, "activity too large")
    except (ConnectionError, asyncio.CancelledError):
        raise
    except Exception:  # a broken or truncated body
        return _problem(400, "could not read the request body")
    if len(raw) > MAX_BODY:
        return _problem(413, "activity too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return _problem(400, "the body is not a JSON object")
    if missing := missing_fields(body):
        return _problem(400, "missing or invalid: " + ", ".join(missing))
    if rt.validator is not None:
        try:
            await rt.validator.check(
                request.headers.get("Authorization"), body["channelId"], body["serviceUrl"]
            )
        except Unauthorized as exc:
            log.info("refused an activity: %s", exc)
            return _problem(401, "unauthorized")

    # A redelivered activity (same conversation and id) has no second effect here: the
    # first delivery's answer is returned. The core also dedupes on event_id across instances.
    key = (body["conversation"]["id"], body.get("id") or "")
    if key[1] and key in rt.seen:
        status, payload = await asyncio.shield(rt.seen[key])
        return _answer(status, payload)
    done: asyncio.Future = asyncio.get_running_loop().create_future()
    if key[1]:
        rt.seen.put(key, done)
    try:
        status, payload = await request.app[ADAPTER_KEY].process(body)
    except BaseException:
        done.set_result((200, None))
        raise
    done.set_result((status, payload))
    return _answer(status, payload)


def _answer(status: int, payload: Any) -> web.Response:
    if payload is None:
        return web.Response(status=status)
    return web.json_response(payload, status=status)
