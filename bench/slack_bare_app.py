"""The stack's ceiling for bench/slack_commands.py: a bare slack-bolt AsyncApp that only
acknowledges the slash command, on an aiohttp route converted the same way as ours.

    python bench/slack_bare_app.py PORT [--process-before-response]
"""

from __future__ import annotations

import os
import sys

from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest


def main() -> None:
    port = int(sys.argv[1])
    bolt = AsyncApp(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response="--process-before-response" in sys.argv,
    )
    bolt.client.base_url = os.environ["SLACK_API_URL"].rstrip("/") + "/"

    @bolt.command(os.environ.get("SLACK_COMMAND", "/boundary"))
    async def ack_only(ack):
        await ack()

    async def events(request: web.Request) -> web.Response:
        body = (await request.read()).decode()
        headers = {k.lower(): request.headers.getall(k) for k in request.headers}
        response = await bolt.async_dispatch(
            AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
        )
        return web.Response(status=response.status, text=response.body)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
