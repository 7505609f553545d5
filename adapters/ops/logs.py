"""Logging: one structlog formatter for every log line, ours and the libraries'.

``BOUNDARY_LOG_FORMAT=json`` writes one JSON object per line (for a log stack); the default is
readable text. Every line carries the core's log context (:mod:`bot.machinery.observe`): the
request id that ties a request to the turn, the timers it set and the messages it queued, and
the ids of the person, notification or timer concerned — never a name, an email or anything
anyone typed.

Privacy at the edges of logging:

- exceptions are written as their type and stack, never their message (messages can quote
  what someone typed, or a row);
- libraries that log payloads or rows at DEBUG (SQLAlchemy's engine, aiosqlite, slack_bolt,
  slack_sdk, botbuilder, msrest, urllib3) are held at a level where they do not, whatever
  ``LOG_LEVEL`` says;
- aiohttp's access log (which prints the raw request line, query string included) is
  replaced by :class:`AccessLog`: method, route pattern, status, duration, request id.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import IO, Any

import structlog
from aiohttp.abc import AbstractAccessLogger

from adapters.ops.http import REQUEST_ID_KEY
from bot.machinery import observe

# Logger → the lowest level it may log at (its DEBUG, sometimes INFO, carries payloads or rows).
FLOORS: dict[str, int] = {
    "sqlalchemy.engine": logging.WARNING,  # DEBUG prints result rows, INFO every statement
    "sqlalchemy.pool": logging.WARNING,
    "sqlalchemy.orm": logging.WARNING,
    "aiosqlite": logging.INFO,  # DEBUG prints every result
    "asyncpg": logging.INFO,
    "slack_bolt": logging.INFO,  # DEBUG prints request bodies
    "slack_sdk": logging.INFO,  # DEBUG prints API requests and responses
    "slack": logging.INFO,
    "botbuilder": logging.INFO,
    "msrest": logging.WARNING,  # DEBUG prints request and response bodies
    "msal": logging.WARNING,
    "urllib3": logging.INFO,
    "aiohttp.access": logging.INFO,
    "aiohttp.client": logging.INFO,
}
ACCESS_LOGGER = "boundary.access"


def add_core_context(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in observe.context().items():
        event.setdefault(key, value)
    return event


def exception_without_message(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """``exc_info`` → ``exception``: the type and the stack, not the message."""
    info = event.pop("exc_info", None)
    if info is True:
        info = sys.exc_info()
    if isinstance(info, BaseException):
        info = (type(info), info, info.__traceback__)
    if info and isinstance(info, tuple) and info[0] is not None:
        kind, _, tb = info
        event["exception"] = f"{kind.__module__}.{kind.__qualname__}\n" + "".join(traceback.format_tb(tb))
    return event


def _shared() -> list:
    return [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(allow=("request_id",)),
        add_core_context,
        exception_without_message,
    ]


def formatter(fmt: str, colors: bool = False) -> logging.Formatter:
    renderer = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=colors, exception_formatter=structlog.dev.plain_traceback)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )


def configure(level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record to ``stream`` (standard error by default) in ``fmt`` ("json" or
    "text"), at ``level``, with the floors above, instead of wherever they went before.
    Returns the handler it installed."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    return attach(level, fmt, stream)


def attach(level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """Like :func:`configure`, but beside the handlers already there (tests keep pytest's)."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    isatty = getattr(stream, "isatty", None)
    handler.setFormatter(formatter(fmt, colors=bool(isatty and isatty()) and fmt != "json"))
    root = logging.getLogger()
    root.addHandler(handler)
    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.INFO
    root.setLevel(numeric)
    hold_libraries_at(numeric)
    structlog.configure(
        processors=[*_shared()[:-1], structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler


def hold_libraries_at(level: int) -> None:
    """Apply the floors without touching handlers (for embedding and tests)."""
    for name, floor in FLOORS.items():
        logging.getLogger(name).setLevel(max(level, floor))


class AccessLog(AbstractAccessLogger):
    """One line per HTTP request: method, route pattern (never the raw path or query string),
    status, duration in milliseconds and the request id."""

    def log(self, request, response, time: float) -> None:
        route = getattr(getattr(request.match_info, "route", None), "resource", None)
        pattern = route.canonical if route is not None else "unmatched"
        logging.getLogger(ACCESS_LOGGER).info(
            "%s %s %s %.1fms", request.method, pattern, response.status, time * 1000,
            extra={"request_id": request.get(REQUEST_ID_KEY)},
        )
