"""``POST /api/messages`` and the Teams adapter's start-up: activities in over HTTP,
status codes and invoke responses out, whichever engine runs the turns.

The HTTP side is ours rather than an SDK's: botbuilder-integration-aiohttp 4.17 answers 500
to invokes with a body and its error middleware is app-wide; the Agents SDK's aiohttp
``CloudAdapter`` answers 500 to an activity its models refuse and builds a connector client
per turn. So this handler checks the request (size, JSON, required fields), has the engine
authenticate it (the Bot Connector's JWT: 401 otherwise), answers a redelivered activity with
the first delivery's answer, and has the engine run the turn.

:func:`setup_teams` chooses the engine from ``BOUNDARY_TEAMS_ENGINE`` and imports only that
one: :mod:`adapters.teams.botbuilder_engine` (botbuilder) or :mod:`adapters.teams.agents`
(the Microsoft 365 Agents SDK).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import Any

import orjson
from aiohttp import web

from adapters.appkeys import CLIENT_TRACING_KEY, CREDENTIAL_CHECKS_KEY, DELIVERERS_KEY
from adapters.teams.auth import Unauthorized
from adapters.teams.deliver import TeamsDeliverer
from adapters.teams.runtime import (
    OPTIONS_KEY,
    TEAMS_KEY,
    TeamsEngine,
    TeamsOptions,
    UnreadableActivity,
)
from adapters.teams.serviceurls import allowed
from adapters.teams.shapes import problem
from adapters.teams.translate import PLATFORM, missing_fields
from bot.machinery.config import Settings

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024

ENGINE_KEY = web.AppKey("teams_engine", TeamsEngine)


def create_engine(app: web.Application, options: TeamsOptions) -> TeamsEngine:
    """The engine ``options.engine`` names; only its SDK is imported."""
    if options.engine == "agents":
        from adapters.teams.agents import create_engine as create
    elif options.engine == "botbuilder":
        from adapters.teams.botbuilder_engine import create_engine as create
    else:
        raise ValueError(f"unknown Teams engine {options.engine!r} (botbuilder or agents)")
    return create(app, options)


def _loads(raw: bytes) -> Any:
    """orjson, several times faster on every activity; what it refuses but JSON allows (a lone
    surrogate, NaN, a huge number) goes to the standard library, which the checks after it
    were written for."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def setup_teams(app: web.Application, settings: Settings) -> None:
    """Mount ``POST /api/messages`` and register the Teams deliverer."""
    options = app[OPTIONS_KEY] = TeamsOptions.from_settings(settings)
    # Outbound spans for the engine's calls, when tracing is on.
    hosts = tuple(h.strip() for h in settings.teams_service_url_hosts.split(",") if h.strip())
    options.connector = replace(options.connector, trace_configs=tuple(app.get(CLIENT_TRACING_KEY, ())),
                                service_hosts=hosts, allow_loopback=settings.is_local)

    async def runtime(app: web.Application):
        engine = create_engine(app, app[OPTIONS_KEY])
        app[ENGINE_KEY] = engine
        app[TEAMS_KEY] = engine.rt
        app[DELIVERERS_KEY][PLATFORM] = TeamsDeliverer(engine.rt)
        if engine.tokens is not None:  # readiness asks Microsoft for a token now and then
            app.setdefault(CREDENTIAL_CHECKS_KEY, {})[PLATFORM] = lambda: credentials_problem(engine.tokens)
        log.info("Teams turns run on the %s engine", engine.name)
        yield
        await engine.close()

    app.cleanup_ctx.append(runtime)
    app.router.add_post("/api/messages", messages)


async def credentials_problem(tokens) -> str | None:
    """None when Microsoft issues a token for the app id and password, else what is wrong. An
    unreachable login service is raised: that is no judgement on the credentials."""
    try:
        await tokens.token()
    except Exception as exc:  # each engine raises its own kind of error
        reason = str(exc) or type(exc).__name__
        if "unreachable" in reason or " answered 5" in reason or isinstance(exc, OSError | TimeoutError):
            raise ConnectionError(reason) from None
        return f"no token for MicrosoftAppId: {reason}"
    return None


def _problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def messages(request: web.Request) -> web.Response:
    rt = request.app[TEAMS_KEY]
    engine = request.app[ENGINE_KEY]
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
        body = _loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested thousands deep
        return _problem(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return _problem(400, "the body is not a JSON object")
    if missing := missing_fields(body):
        return _problem(400, "missing or invalid: " + ", ".join(missing))
    if wrong := problem(body):
        return _problem(400, f"malformed activity ({wrong})")
    try:
        await engine.authenticate(request.headers.get("Authorization"), body)
    except Unauthorized as exc:
        log.info("refused an activity: %s", exc)
        return _problem(401, "unauthorized")
    if not allowed(body["serviceUrl"], request.app[OPTIONS_KEY].connector.service_hosts,
                   request.app[OPTIONS_KEY].connector.allow_loopback):
        # Never answered, never remembered: the bot's token would go with the answer.
        log.info("refused an activity from a service URL that is not allowed")
        return _problem(403, "serviceUrl not allowed")

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
        status, payload = await engine.process(body)
    except UnreadableActivity as exc:
        status, payload = 400, {"error": f"unreadable activity: {exc}"}
    except Exception as exc:
        # Checked above, still not handled: answered 200 (nothing done), logged by type only.
        log.error("teams %s activity not handled: %s", _kind(body), type(exc).__name__)
        status, payload = 200, None
    except BaseException:
        done.set_result((200, None))
        raise
    done.set_result((status, payload))
    return _answer(status, payload)


def _kind(body: dict) -> str:
    kind = body.get("type")
    return kind if isinstance(kind, str) and kind.isalpha() and len(kind) < 40 else "unknown"


def _answer(status: int, payload: Any) -> web.Response:
    if payload is None:
        return web.Response(status=status)
    return web.json_response(payload, status=status)
