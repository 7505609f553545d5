"""The real server with its SCIM endpoint on, on a free port, and SCIM clients from scim2-client
(over httpx2) pointed at it, as Entra ID or Okta would provision."""

from __future__ import annotations

import httpx2
import pytest
from aiohttp import web
from scim2_client.engines.httpx2 import AsyncSCIMClient, SyncSCIMClient

from adapters.scim import token_hash
from adapters.server import create_app
from tests.conftest import free_port, local_settings

TOKEN = "scim-test-token-0123456789"


@pytest.fixture
async def scim_server(database_url, tmp_path, clock):
    """(base URL of /scim/v2, app); the demo organisation is loaded (local mode)."""
    settings = local_settings(database_url, tmp_path, BOUNDARY_SCIM_TOKEN_HASH=token_hash(TOKEN))
    app = create_app(settings, clock=clock, run_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/scim/v2", app
    await runner.cleanup()


@pytest.fixture
async def scim_client(scim_server):
    base, app = scim_server
    async with httpx2.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        client = AsyncSCIMClient(http)
        await client.discover()
        yield client, app


def sync_client(base: str, token: str = TOKEN) -> tuple[SyncSCIMClient, httpx2.Client]:
    http = httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
    return SyncSCIMClient(http), http
