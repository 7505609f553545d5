"""POST /slack/events: the aiohttp request in, a Bolt request to the adapter's AsyncApp, the
Bolt response back out.

Requests are checked here before bolt parses anything, and nothing a sender can put in a
request makes this answer 5xx:

- the signature and timestamp headers (exactly one of each, ASCII, a timestamp of at most 12
  digits, a ``v0=`` signature of 64 hex digits, within five minutes): 401 otherwise;
- the body (UTF-8, at most 1 MiB) and its shape, against the typed models of
  :mod:`adapters.slack.payloads`: 400 with a short reason otherwise;
- whatever still fails inside bolt or a listener is answered 200 with nothing done (Slack
  would only retry or show an error) and logged by the request's kind and the error's type.

Request bodies are never logged: they can hold what a clinician typed.
"""

from __future__ import annotations

import json
import logging
import re

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.payloads import Malformed, check

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024


def unauthorised() -> web.Response:
    return web.json_response({"error": "invalid or missing Slack signature"}, status=401)


def bad_request(what: str) -> web.Response:
    return web.json_response({"error": what}, status=400)


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def only(request: web.Request, name: str) -> str:
    """The header's value when it is sent exactly once and is plain ASCII; else ''."""
    values = request.headers.getall(name, [])
    return values[0] if len(values) == 1 and values[0].isascii() else ""


def signed(verifier: SignatureVerifier, body: str, timestamp: str, signature: str) -> bool:
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    try:  # slack_sdk raises on some odd inputs; what it raises on is a bad signature
        return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except (ValueError, TypeError, OverflowError, UnicodeError):
        return False


async def slash_command(adapter, fields: dict) -> web.Response:
    """A slash command, straight to the adapter: bolt would only route it (its cost per
    command was a fifth of the server's). The acknowledgement carries the adapter's text."""
    if fields["command"] != adapter.settings.slack_command:
        return web.Response(status=200)  # another app's command: nothing done, as bolt does
    try:
        text = await adapter.slash(fields)
    except Exception as exc:
        log.warning("slack command not handled: %s", type(exc).__name__)
        return web.Response(status=200)
    if not text:
        return web.Response(status=200)
    return web.Response(text=json.dumps({"text": text}, ensure_ascii=False), content_type="application/json")


def make_handler(get_adapter, verifier: SignatureVerifier):
    async def slack_events(request: web.Request) -> web.Response:
        timestamp = only(request, "X-Slack-Request-Timestamp")
        signature = only(request, "X-Slack-Signature")
        if not timestamp or not signature:
            return unauthorised()
        if request.content_length is not None and request.content_length > MAX_BODY:
            return bad_request("request too large")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return bad_request("request too large")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return bad_request("request body is not UTF-8")
        if not signed(verifier, body, timestamp, signature):
            return unauthorised()
        try:
            checked = check(body, request.content_type)
        except Malformed as exc:
            return bad_request(str(exc))
        kind = checked.kind
        if not checked.listened:
            return web.Response(status=200)  # a modal closed, an options request, a message event
        if checked.fields is not None:
            return await slash_command(get_adapter(request), checked.fields)

        headers = {key.lower(): request.headers.getall(key) for key in request.headers}
        headers["content-type"] = [checked.content_type]
        # The body rebuilt from the checked model (signature already verified above).
        bolt_request = AsyncBoltRequest(body=checked.body, query="", headers=headers)
        try:
            bolt_response = await get_adapter(request).bolt.async_dispatch(bolt_request)
        except Exception as exc:
            log.warning("slack %s not handled: %s", kind, type(exc).__name__)
            return web.Response(status=200)
        if bolt_response.status >= 500 or bolt_response.status == 404:
            # A listener failed (bolt has logged the error's type) or nothing listens for
            # this kind (a modal closed, an options request): Slack expects a 200 either way.
            log.info("slack %s answered with nothing done (%s)", kind, bolt_response.status)
            return web.Response(status=200)

        out_headers: dict[str, str] = {}
        for key, values in bolt_response.headers.items():
            if values:
                out_headers[key] = values[-1] if isinstance(values, list | tuple) else str(values)
        body_out = bolt_response.body
        return web.Response(
            status=bolt_response.status,
            body=body_out.encode("utf-8") if isinstance(body_out, str) else body_out,
            headers=out_headers,
        )

    return slack_events
