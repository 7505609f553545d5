"""POST /slack/events: the aiohttp request in, a Bolt request to the adapter's AsyncApp, the
Bolt response back out.

Requests are checked here before bolt parses anything: the signature (always, 401 when
missing, bad or older than five minutes), the timestamp (numeric), the encoding and the JSON
of a ``payload`` (400). Bolt answers 500 to some of those because it parses before it
verifies. Request bodies are never logged: they can hold what a clinician typed.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

MAX_BODY = 1024 * 1024


def unauthorised() -> web.Response:
    return web.json_response({"error": "invalid or missing Slack signature"}, status=401)


def bad_request(what: str) -> web.Response:
    return web.json_response({"error": what}, status=400)


def well_formed(body: str, content_type: str) -> bool:
    if content_type == "application/json":
        try:
            return isinstance(json.loads(body), dict)
        except ValueError:
            return False
    try:
        form = parse_qs(body, keep_blank_values=True, strict_parsing=False)
    except ValueError:
        return False
    if "payload" in form:
        try:
            return isinstance(json.loads(form["payload"][0]), dict)
        except ValueError:
            return False
    return True


def make_handler(get_adapter, verifier: SignatureVerifier):
    async def slack_events(request: web.Request) -> web.Response:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp.isdigit() or not signature:
            return unauthorised()
        if request.content_length is not None and request.content_length > MAX_BODY:
            return bad_request("request too large")
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return bad_request("request body is not UTF-8")
        if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            return unauthorised()
        if not well_formed(body, request.content_type):
            return bad_request("malformed Slack payload")

        headers = {key.lower(): request.headers.getall(key) for key in request.headers}
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
        bolt_response = await get_adapter(request).bolt.async_dispatch(bolt_request)

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
