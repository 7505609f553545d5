"""An acknowledged press is a done press (issue 16): a Slack command answered 200 is
recorded before the answer, so killing the server (SIGKILL) right after the 200 — before the
work ran — loses nothing: the next server carries it out, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from urllib.parse import urlencode

import aiohttp
from sqlalchemy import func, select

from bot.machinery.storage.db import Database
from bot.machinery.storage.models import PendingPress
from tests.conftest import free_port
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, signed_headers

ASHA = "UASHA"
CLEARED = ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY", "BOUNDARY_LOCAL_MODE", "SLACK_BOT_TOKEN",
           "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "MicrosoftAppId", "PORT", "HOST")


def start(database_url: str, tmp_path, fake: FakeSlack, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DATABASE_URL=database_url, PORT=str(port), LOG_LEVEL="WARNING", BOUNDARY_LOCAL_MODE="true",
               BOUNDARY_KEY_FILE=str(tmp_path / "test.key"), SLACK_BOT_TOKEN=BOT_TOKEN,
               SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url.rstrip("/"))
    return subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def ready(process: subprocess.Popen, base: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            assert process.poll() is None, f"serve exited: {process.stderr.read()}"
            try:
                async with http.get(base + "/livez") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "serve did not become ready"
            await asyncio.sleep(0.1)


async def pending(database_url: str) -> int:
    db = Database(database_url)
    try:
        async with db.transaction() as tx:
            return await tx.session.scalar(select(func.count()).select_from(PendingPress))
    finally:
        await db.dispose()


async def test_a_press_acknowledged_then_killed_is_carried_out_after_restart(database_url, tmp_path):
    fake = await FakeSlack(users={ASHA: "asha@demo.invalid"}).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = start(database_url, tmp_path, fake, port)
    second = None
    try:
        await ready(first, base)
        fake.delays["users.info"] = 30.0  # the work stalls at its first step, after the ack
        body = urlencode({"team_id": TEAM, "user_id": ASHA, "command": "/boundary", "text": "help",
                          "channel_id": "C0GENERAL", "trigger_id": "trigger-killed",
                          "response_url": f"{fake.url}/response/1"})
        async with aiohttp.ClientSession() as http, http.post(
                base + "/slack/events", data=body.encode(),
                headers=signed_headers(body, "application/x-www-form-urlencoded")) as response:
            assert response.status == 200  # Slack has been told we have it
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert not fake.of("chat.postMessage"), "the work ran before the kill; the test proves nothing"
        assert await pending(database_url) == 1

        fake.delays.clear()
        second = start(database_url, tmp_path, fake, port)
        await ready(second, base)
        messages = await fake.wait_for("chat.postMessage", timeout=40.0)
        assert len(messages) == 1
        for _ in range(50):
            if await pending(database_url) == 0:
                break
            await asyncio.sleep(0.1)
        assert await pending(database_url) == 0
        await asyncio.sleep(6)  # another sweep: nothing is carried out twice
        assert len(fake.of("chat.postMessage")) == 1
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=15)
        await fake.stop()
