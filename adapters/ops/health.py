"""``/livez``, ``/readyz`` and ``/healthz``.

- ``/livez``: the process answers (200). Nothing else is asked: a liveness probe that touched
  the database would restart every instance when the database blinks.
- ``/readyz``: this instance can do its work — the database answers, its schema is at this
  code's migration head, the encryption key is readable, the outbox and timer loops are
  alive, and each configured platform accepts our credentials (checked at most once a minute,
  sooner again after a failure; a platform that cannot be reached is reported, not held
  against this instance). 200 when all hold; 503 with each problem named otherwise, in a
  sentence — never a stack trace or an exception's message.
- ``/healthz``: for people — the same checks, the features' counts (escalations overdue…)
  and the version; 503 only when the database is unreachable, "degraded" when a count is up.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiohttp import web

from adapters.appkeys import BACKGROUND_KEY, BOT_KEY, CREDENTIAL_CHECKS_KEY, SETTINGS_KEY
from adapters.ops.version import version
from bot.machinery.crypto import EncryptionKeyError, load_sealer
from bot.machinery.storage import migrate
from bot.machinery.storage.db import DatabaseUnavailable

CHECK_TIMEOUT = 3.0
CREDENTIALS_OK_FOR = 60.0  # seconds a good platform answer is trusted
CREDENTIALS_BAD_FOR = 10.0  # seconds before a failed platform check is tried again
OK = "ok"
NOT_CHECKED = "not checked"


@dataclass
class _Cached:
    problem: str | None
    until: float


@dataclass
class Health:
    """Per application: cached platform checks, and whether it is shutting down."""

    credentials: dict[str, _Cached] = field(default_factory=dict)
    shutting_down: bool = False


HEALTH_KEY = web.AppKey("health", Health)


def setup_health(app: web.Application) -> None:
    app[HEALTH_KEY] = Health()
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/healthz", healthz)

    async def shutting_down(app: web.Application) -> None:
        app[HEALTH_KEY].shutting_down = True

    app.on_shutdown.append(shutting_down)


async def livez(_request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    checks = await run_checks(request.app)
    problems = {name: result for name, result in checks.items() if failing(result)}
    if problems:
        return web.json_response({"status": "not ready", "checks": checks,
                                  "problems": [f"{k}: {v}" for k, v in problems.items()]}, status=503)
    return web.json_response({"status": "ready", "checks": checks})


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    bot = app[BOT_KEY]
    checks = await run_checks(app)
    counts: dict[str, int] = {}
    if checks.get("database") == OK:
        try:
            async with bot.db.transaction() as tx:
                for name, check in bot.features.health.items():
                    counts[name] = await check(tx, bot.clock.now())
        except Exception:
            checks["database"] = "the database stopped answering"
    if checks.get("database") != OK:
        return web.json_response({"status": "unavailable", "database": "unreachable", "checks": checks,
                                  "version": version()}, status=503)
    degraded = any(counts.values()) or any(failing(v) for v in checks.values())
    return web.json_response({"status": "degraded" if degraded else "ok", "database": "ok", **counts,
                              "checks": checks, "version": version()})


def failing(result: str) -> bool:
    """Anything but "ok" fails readiness, except a platform we could not reach to ask: its
    outage is not this instance's fault, and taking every instance out of service for it
    would stop the other platforms too."""
    return result != OK and not result.startswith(NOT_CHECKED)


async def run_checks(app: web.Application) -> dict[str, str]:
    """Check name → "ok" or the problem, in words."""
    checks: dict[str, str] = {}
    if app[HEALTH_KEY].shutting_down:
        checks["shutdown"] = "this instance is shutting down"
    checks["database"], checks["migrations"] = await _database(app)
    checks["encryption_key"] = _key(app)
    background = app.get(BACKGROUND_KEY)
    if background is not None and background.running:
        for loop, problem in background.problems().items():
            checks[f"{loop}_loop"] = problem or OK
    for platform, check in sorted(app.get(CREDENTIAL_CHECKS_KEY, {}).items()):
        checks[platform] = await _credentials(app, platform, check)
    return checks


async def _database(app: web.Application) -> tuple[str, str]:
    bot = app.get(BOT_KEY)
    if bot is None:
        return "not started", "not checked"
    try:
        await asyncio.wait_for(bot.db.ping(), CHECK_TIMEOUT)
    except DatabaseUnavailable as exc:
        return str(exc), "not checked"
    except TimeoutError:
        return f"the database did not answer within {CHECK_TIMEOUT:.0f} s", "not checked"
    try:
        at = await asyncio.wait_for(migrate.current(bot.db.engine), CHECK_TIMEOUT)
    except Exception as exc:
        return OK, f"could not read the schema version ({type(exc).__name__})"
    want = migrate.heads()
    if at == want:
        return OK, OK
    if not at:
        return OK, "the database has never been migrated: run boundary-bot db upgrade"
    if at - set(migrate.revisions()):
        return OK, (f"the database is at {', '.join(sorted(at))}, newer than this version knows "
                    f"({', '.join(sorted(want))}): a newer release has migrated it")
    return OK, f"the database is at {', '.join(sorted(at))}, not {', '.join(sorted(want))}: run boundary-bot db upgrade"


def _key(app: web.Application) -> str:
    settings = app[SETTINGS_KEY]
    if settings.encryption_key:
        return OK  # from the environment, checked at start
    try:  # a key file or directory: still there, still readable (key rotation re-reads it)
        load_sealer(None, settings.key_file, create_if_missing=False, keys_dir=settings.keys_dir)
    except EncryptionKeyError as exc:
        return str(exc)
    return OK


async def _credentials(app: web.Application, platform: str, check) -> str:
    cache = app[HEALTH_KEY].credentials
    now = time.monotonic()
    hit = cache.get(platform)
    if hit is None or hit.until < now:
        try:
            problem = await asyncio.wait_for(check(), CHECK_TIMEOUT * 2)
        except TimeoutError:
            problem = f"{NOT_CHECKED}: {platform} did not answer within {CHECK_TIMEOUT * 2:.0f} s"
        except Exception as exc:  # unreachable: the check raises rather than judging
            problem = f"{NOT_CHECKED}: {platform} could not be reached ({type(exc).__name__})"
        hit = _Cached(problem, now + (CREDENTIALS_BAD_FOR if problem else CREDENTIALS_OK_FOR))
        cache[platform] = hit
    return hit.problem or OK
