"""Benchmark: how fast `boundary-bot serve` is ready, how much memory it holds, and how long
filing a report through the local web chat takes.

    .venv/bin/python bench/serve_and_report.py [--reports 500] [--starts 5] [--concurrency 1]

All three adapters are loaded (web chat, Teams, Slack). Each start uses a fresh directory (new SQLite file, new key, demo organisation created), so
"ready" includes migrations and seeding. Reports are POSTed to /chat/submit exactly as the
browser does (form fields, cookie for the demo person), over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import aiohttp
import psutil

FORM = {
    "_form": "report", "category": "ROMANTIC", "setting": "telehealth", "occurrence": "repeated",
    "felt_unsafe": "no", "client_ref": "Blue heron",
    "details": "Asked me out again at the end of the call and said he would keep asking.",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(workdir: str, port: int) -> tuple[subprocess.Popen, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY")}
    # Every adapter loaded: the web chat and Teams (local mode), and Slack (credentials given;
    # its Web API is never called during this run).
    env.update(PORT=str(port), LOG_LEVEL="WARNING", BOUNDARY_LOCAL_MODE="true", SLACK_BOT_TOKEN="xoxb-bench",
               SLACK_SIGNING_SECRET="bench-secret", SLACK_API_URL="http://127.0.0.1:9/")
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process, time.perf_counter() - began
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode()) from None
            time.sleep(0.01)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=20)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def file_reports(port: int, count: int, concurrency: int) -> list[float]:
    timings: list[float] = []
    async with aiohttp.ClientSession(cookies={"bb_person": "asha"}) as session:
        queue = iter(range(count))

        async def worker() -> None:
            for _ in queue:
                began = time.perf_counter()
                async with session.post(f"http://127.0.0.1:{port}/chat/submit", data=FORM,
                                        allow_redirects=False) as response:
                    assert response.status == 303, response.status
                    await response.read()
                timings.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()

    ready = []
    for _ in range(args.starts):
        with tempfile.TemporaryDirectory() as workdir:
            process, seconds = start(workdir, free_port())
            ready.append(seconds)
            stop(process)
    print(f"serve ready (fresh dir, migrations + demo org): median {statistics.median(ready):.2f} s, "
          f"max {max(ready):.2f} s over {args.starts} starts")

    with tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        process, _ = start(workdir, port)
        try:
            asyncio.run(file_reports(port, 20, 1))  # warm up
            timings = asyncio.run(file_reports(port, args.reports, args.concurrency))
            rss = psutil.Process(process.pid).memory_info().rss / 2**20
        finally:
            stop(process)
    print(f"file a report via web chat (SQLite, concurrency {args.concurrency}, n={len(timings)}): "
          f"p50 {pct(timings, 50):.1f} ms, p95 {pct(timings, 95):.1f} ms, p99 {pct(timings, 99):.1f} ms, "
          f"max {max(timings):.1f} ms")
    print(f"resident memory after the run: {rss:.0f} MB")


if __name__ == "__main__":
    main()
