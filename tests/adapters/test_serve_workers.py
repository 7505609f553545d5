"""`serve --workers N` (issue 19): several real server processes on one port, in platform
mode against the fake Slack. Both workers listen and do the work; SIGTERM stops everything
cleanly; a worker that dies takes the server down with one clear line; local mode refuses."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys

import aiohttp
import psutil
import pytest

from bot.machinery.crypto import generate_key
from tests.cli_harness import CLEARED, run
from tests.conftest import free_port
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient

GRACE = 2.0


def free_port_pair() -> int:
    """A port whose next one is free too (the second worker's metrics)."""
    for _ in range(50):
        first = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first
    raise AssertionError("no two consecutive free ports")


def start(database_url: str, tmp_path, fake: FakeSlack, port: int, **env) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k not in (*CLEARED, "HOST", "BOUNDARY_WORKERS")}
    environment.update({"DATABASE_URL": database_url, "PORT": str(port), "LOG_LEVEL": "WARNING",
                        "BOUNDARY_ENCRYPTION_KEY": generate_key(), "BOUNDARY_SHUTDOWN_GRACE": str(GRACE),
                        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                        "SLACK_API_URL": fake.api_url.rstrip("/"), **env})
    return subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve", "--workers", "2"], cwd=tmp_path,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def serving(process: subprocess.Popen, port: int) -> list[psutil.Process]:
    """Waits for the one "serving" line (printed once both workers listen); the workers."""
    line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 40)
    expected = f"Boundary Bot serving on http://127.0.0.1:{port} (platform mode, 2 workers)"
    if line.strip() != expected:  # the whole of stderr, not a shortened repr: it says why
        pytest.fail(f"not serving: {line!r}, exit {process.poll()}; stderr:\n{stderr_of(process)}")
    return psutil.Process(process.pid).children()


def stderr_of(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.kill()
        process.wait()
    return process.stderr.read()


def listening(process: psutil.Process) -> set[int]:
    return {c.laddr.port for c in process.net_connections("tcp") if c.status == psutil.CONN_LISTEN}


async def slack_acks(http: aiohttp.ClientSession, metrics_port: int) -> float:
    async with http.get(f"http://127.0.0.1:{metrics_port}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    found = re.search(r'^boundary_ack_seconds_count\{platform="slack"\} (\S+)$', text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()  # the workers get SIGTERM from the kernel when the parent dies
        process.wait()


@pytest.mark.e2e
async def test_two_workers_share_the_port_do_the_work_and_stop_cleanly(fresh_database_url, tmp_path):
    # An empty database: both workers start at once and migrate it, taking turns under the lock.
    fake = await FakeSlack().start()
    port, metrics = free_port(), free_port_pair()
    process = start(fresh_database_url, tmp_path, fake, port, BOUNDARY_METRICS_PORT=str(metrics))
    try:
        workers = await serving(process, port)
        assert len(workers) == 2 and all(w.is_running() for w in workers)
        assert not listening(psutil.Process(process.pid)), "the parent binds nothing"
        ports = sorted(listening(w) for w in workers)  # each: the shared port and its own metrics
        assert sorted(map(sorted, ports)) == sorted([sorted({port, metrics}), sorted({port, metrics + 1})]), ports

        connector = aiohttp.TCPConnector(force_close=True)  # a new connection, so a new pick, each time
        async with aiohttp.ClientSession(connector=connector) as http:
            for _ in range(10):
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    assert response.status == 200, await response.text()
            slack = SlackClient(f"http://127.0.0.1:{port}", http, fake)
            commands = 30
            statuses = await asyncio.gather(*(slack.slash("UNOBODY", "help") for _ in range(commands)))
            assert [status for status, _ in statuses] == [200] * commands
            per_worker = [await slack_acks(http, metrics), await slack_acks(http, metrics + 1)]
        assert sum(per_worker) == commands and all(per_worker), per_worker  # both did some

        process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(process.wait, 2 * GRACE + 5)
        err = process.stderr.read()
        assert code == 0, err
        assert not any(w.is_running() for w in workers)
        assert "Traceback" not in err
    finally:
        stop(process)
        await fake.stop()


@pytest.mark.e2e
async def test_a_worker_that_dies_stops_the_server_with_one_line(database_url, tmp_path):
    fake = await FakeSlack().start()
    port = free_port()
    process = start(database_url, tmp_path, fake, port, LOG_LEVEL="INFO")
    try:
        workers = await serving(process, port)
        victim, other = workers
        victim.send_signal(signal.SIGKILL)
        code = await asyncio.to_thread(process.wait, GRACE + 5)
        err = process.stderr.read()
        assert code == 1, err
        other.wait(timeout=1)  # gone, not serving on unsupervised
        lines = [line for line in err.splitlines() if line.startswith("boundary-bot:")]
        assert len(lines) == 1, err
        assert re.fullmatch(rf"boundary-bot: worker [01] \(pid {victim.pid}\) stopped on its own with exit code -9 "
                            r"\(killed by SIGKILL\); stopping the other workers and exiting", lines[0]), lines
        # Without BOUNDARY_METRICS_PORT, /metrics stays on the shared port, and the log says what that means.
        assert "set BOUNDARY_METRICS_PORT to scrape each worker on its own port" in err
    finally:
        stop(process)
        await fake.stop()


@pytest.mark.parametrize("how", [["--workers", "2"], []])
def test_local_mode_refuses_several_workers_and_starts_nothing(tmp_path, how):
    port = free_port()
    env = {} if how else {"BOUNDARY_WORKERS": "2"}
    result = run(["serve", *how], tmp_path, timeout=30, PORT=str(port), **env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("boundary-bot: --workers 2: the local web chat keeps each conversation "
                                    "in one process's memory, so it runs as one worker"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "boundary-bot.key").exists()  # local mode never got as far as making its key
    assert not list(tmp_path.glob("*.db"))


@pytest.mark.parametrize("args, env, problem", [
    (["--workers", "0"], {}, "Invalid value for '--workers': 0 is not in the range 1<=x<=64"),
    (["--workers", "65"], {}, "Invalid value for '--workers': 65 is not in the range 1<=x<=64"),
    ([], {"BOUNDARY_WORKERS": "99"}, "BOUNDARY_WORKERS\n  Input should be less than or equal to 64"),
    (["--workers", "3"], {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                          "BOUNDARY_ENCRYPTION_KEY": "unused", "BOUNDARY_METRICS_PORT": "3977", "PORT": "3978"},
     "BOUNDARY_METRICS_PORT=3977 with 3 workers uses ports 3977-3979, which include PORT=3978"),
])
def test_bad_worker_counts_are_one_clear_message(tmp_path, args, env, problem):
    result = run(["serve", *args], tmp_path, timeout=30, **env)
    assert result.returncode in (1, 2) and problem in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
