"""/livez, /readyz and /healthz against the real server, with real failures: a database that
stops answering (PostgreSQL behind a proxy the test cuts), a key file taken away, a dead
background loop, a platform that refuses our token."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.engine.url import make_url

from adapters.appkeys import BACKGROUND_KEY
from adapters.ops.health import HEALTH_KEY
from adapters.server import create_app
from tests.cli_harness import CLEARED
from tests.conftest import PG_BASE, free_port, local_settings
from tests.fake_slack import FakeSlack
from tests.slack_harness import slack_settings


async def get(base: str, path: str):
    async with aiohttp.ClientSession() as http, http.get(base + path) as response:
        return response.status, await response.json(), response.headers.copy()


@contextlib.asynccontextmanager
async def serving(settings, clock=None):
    app = create_app(settings, clock=clock)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        await runner.cleanup()


async def test_live_ready_and_health_when_all_is_well(server):
    base, _ = server
    assert (await get(base, "/livez"))[:2] == (200, {"status": "alive"})
    status, body, headers = await get(base, "/readyz")
    assert status == 200 and body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "migrations": "ok", "encryption_key": "ok",
                              "outbox_loop": "ok", "timers_loop": "ok"}
    assert len(headers["X-Request-Id"]) == 16
    status, body, _ = await get(base, "/healthz")
    assert status == 200 and body["status"] == "ok" and body["escalations_overdue"] == 0
    assert body["version"] and body["checks"]["database"] == "ok"


async def test_a_key_file_taken_away_makes_it_unready_until_it_is_back(server, tmp_path):
    base, _ = server
    key = tmp_path / "test.key"
    key.rename(tmp_path / "elsewhere.key")
    status, body, _ = await get(base, "/readyz")
    assert status == 503 and body["status"] == "not ready"
    assert "encryption_key" in body["problems"][0] and str(key) in body["checks"]["encryption_key"]
    assert (await get(base, "/livez"))[0] == 200  # alive all the same: no restart wanted
    (tmp_path / "elsewhere.key").rename(key)
    assert (await get(base, "/readyz"))[0] == 200


async def test_a_dead_outbox_loop_makes_it_unready(server):
    base, app = server
    background = app[BACKGROUND_KEY]
    background._tasks["outbox"].cancel()
    await asyncio.sleep(0.05)
    status, body, _ = await get(base, "/readyz")
    assert status == 503 and body["checks"]["outbox_loop"] == "died" and body["checks"]["timers_loop"] == "ok"


async def test_slack_refusing_the_token_makes_it_unready_slack_down_does_not(database_url, tmp_path, clock):
    fake = await FakeSlack().start()
    try:
        async with serving(slack_settings(database_url, tmp_path, fake), clock) as (base, app):
            assert (await get(base, "/readyz"))[1]["checks"]["slack"] == "ok"
            fake.error_for("auth.test", "token_revoked")
            assert (await get(base, "/readyz"))[0] == 200  # a good answer is trusted for a minute
            app[HEALTH_KEY].credentials.clear()
            status, body, _ = await get(base, "/readyz")
            assert status == 503 and body["checks"]["slack"] == "Slack refused SLACK_BOT_TOKEN (token_revoked)"
            calls = len(fake.of("auth.test"))
            await get(base, "/readyz")
            assert len(fake.of("auth.test")) == calls  # the failure is cached too, briefly

            # Slack itself down: reported, but no reason to take this instance out of service.
            fake._errors.clear()
            fake.fail_next(5, 503, method="auth.test")
            app[HEALTH_KEY].credentials.clear()
            status, body, _ = await get(base, "/readyz")
            assert status == 200 and body["checks"]["slack"].startswith("not checked: slack could not be reached")
    finally:
        await fake.stop()


class Proxy:
    """A TCP proxy in front of PostgreSQL: ``cut()`` closes it and every connection through
    it, as if the database server had stopped; ``restore()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def cut(self) -> None:
        self.server.close()
        for writer in list(self.pipes):
            writer.close()
        await self.server.wait_closed()

    async def _client(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes.update({writer, up_writer})

        async def pump(source, sink):
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self.pipes.difference_update({writer, up_writer})


@pytest.mark.skipif(not PG_BASE, reason="PostgreSQL going away and coming back: TEST_DATABASE_URL")
async def test_readyz_goes_503_when_postgresql_stops_and_200_when_it_returns(database_url, tmp_path, clock):
    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.restore()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    async with serving(local_settings(through, tmp_path), clock) as (base, _):
        assert (await get(base, "/readyz"))[0] == 200
        await proxy.cut()
        status, body, _ = await get(base, "/readyz")
        assert status == 503 and body["checks"]["migrations"] == "not checked"
        assert body["checks"]["database"].startswith(f"cannot reach the database at DATABASE_URL={url.drivername}")
        assert "Traceback" not in str(body) and "File \"" not in str(body)
        assert (await get(base, "/healthz"))[0] == 503
        assert (await get(base, "/livez"))[0] == 200
        await proxy.restore()
        for _ in range(50):
            if (await get(base, "/readyz"))[0] == 200:
                break
            await asyncio.sleep(0.1)
        status, body, _ = await get(base, "/readyz")
        assert status == 200 and body["checks"]["database"] == "ok"
    await proxy.cut()


def test_serve_without_auto_migrate_refuses_a_database_that_is_behind(tmp_path, fresh_database_url):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DATABASE_URL=fresh_database_url, BOUNDARY_AUTO_MIGRATE="false", PORT=str(free_port()))
    result = subprocess.run([sys.executable, "-m", "adapters.cli", "serve"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "BOUNDARY_AUTO_MIGRATE is false: run `boundary-bot db upgrade` first" in result.stderr
