"""Benchmark: Teams turns per second through POST /api/messages, ours against stock botbuilder.

    .venv/bin/python bench/teams_turns.py [--seconds 5] [--concurrency 16] [--text help]

In the same run, on loopback, with the same load generator and the same fake Bot Connector
(tests/fake_connector.py, in this process):

- **ours**: `boundary-bot serve` (local mode, SQLite, demo organisation) — each turn resolves
  the person in the database, runs the core and replies with an Adaptive Card;
- **our echo**: the same server and Teams adapter with the core replaced by an echo, so
  the adapter is compared like for like with the stock echo bot;
- **stock**: a bare botbuilder 4.17.1 ``CloudAdapter`` echo bot (``ActivityHandler`` that
  replies with the text), served with aiohttp exactly as Microsoft's samples do.

A turn is one message activity POSTed and answered; each bot's reply reaches the fake
connector before the HTTP answer. Reported: turns/s, p50 and p99 latency, and the connector
calls per turn. Both servers run without an app id (no JWT, no tokens).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fake_connector import FakeConnector  # noqa: E402

PEOPLE = ("asha", "sam", "jordan", "priya", "morgan", "alex")

STOCK_BOT = '''
import sys
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

class Config:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""

class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Config()))
bot = EchoBot()

async def messages(request):
    return await adapter.process(request, bot)

async def healthz(request):
    return web.Response(text="ok")

app = web.Application()
app.router.add_post("/api/messages", messages)
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(process: subprocess.Popen, port: int) -> None:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode()) from None
            time.sleep(0.02)


def start_ours(workdir: str, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY") and not k.lower().startswith("microsoftapp")}
    env.update(PORT=str(port), LOG_LEVEL="WARNING", BOUNDARY_LOCAL_MODE="true")
    process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(process, port)
    return process


OUR_ECHO = '''
import sys
from aiohttp import web
from adapters.appkeys import BOT_KEY
from adapters.server import create_app
from bot.machinery.config import Settings
from bot.port.views import Notice

settings = Settings(_env_file=None, DATABASE_URL="sqlite+aiosqlite:///./echo.db",
                    BOUNDARY_KEY_FILE="./echo.key", BOUNDARY_LOCAL_MODE=True, LOG_LEVEL="WARNING")
app = create_app(settings)

async def echo_core(app):
    async def handle(event):
        return [Notice(f"Echo: {event.verb} {event.args}".strip())]
    app[BOT_KEY].handle = handle  # the core replaced by an echo: the adapter alone is measured
    yield

app.cleanup_ctx.append(echo_core)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
'''


def start_our_echo(workdir: str, port: int) -> subprocess.Popen:
    script = Path(workdir) / "our_echo.py"
    script.write_text(OUR_ECHO)
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("microsoftapp")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    process = subprocess.Popen([sys.executable, str(script), str(port)], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(process, port)
    return process


def start_stock(workdir: str, port: int) -> subprocess.Popen:
    script = Path(workdir) / "stock_echo.py"
    script.write_text(STOCK_BOT)
    process = subprocess.Popen([sys.executable, str(script), str(port)], cwd=workdir,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(process, port)
    return process


def activity(fake_url: str, who: str, n: int, text: str) -> dict:
    return {
        "type": "message", "id": f"bench:{n}", "serviceUrl": fake_url, "channelId": "msteams",
        "from": {"id": f"29:{who}", "name": who, "aadObjectId": f"aad-{who}"},
        "recipient": {"id": "28:bench-bot", "name": "Boundary Bot"},
        "conversation": {"id": f"a:bench-{who}", "conversationType": "personal", "tenantId": "bench"},
        "channelData": {"tenant": {"id": "bench"}}, "text": text, "locale": "en-GB",
    }


async def drive(url: str, fake: FakeConnector, seconds: float, concurrency: int, text: str) -> dict:
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        # Warm up: one turn per person (first-time member lookups and references).
        for who in PEOPLE:
            async with http.post(url, json=activity(fake.url, who, next(counter), text)) as r:
                await r.read()
        before = len(fake.requests)
        deadline = time.perf_counter() + seconds

        async def client(i: int) -> None:
            nonlocal errors
            who = PEOPLE[i % len(PEOPLE)]
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                async with http.post(url, json=activity(fake.url, who, next(counter), text)) as r:
                    await r.read()
                    if r.status >= 300:
                        errors += 1
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "turns": len(latencies),
        "turns_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
        "calls_per_turn": (len(fake.requests) - before) / max(1, len(latencies)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--text", default="help", help="what each message says (a verb)")
    args = parser.parse_args()

    fake = FakeConnector()
    await fake.start()
    for who in PEOPLE:
        fake.add_member(f"29:{who}", f"aad-{who}", f"{who}@demo.invalid", who.title())

    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        bots = (("stock CloudAdapter echo bot", start_stock), ("our Teams adapter, echo core", start_our_echo),
                ("Boundary Bot (adapter + core)", start_ours))
        for name, starter in bots:
            port = free_port()
            process = starter(workdir, port)
            try:
                results[name] = await drive(f"http://127.0.0.1:{port}/api/messages", fake,
                                            args.seconds, args.concurrency, args.text)
            finally:
                process.terminate()
                process.wait(timeout=20)
    await fake.stop()

    print(f"{args.concurrency} concurrent clients, {args.seconds:g} s each, message text {args.text!r}")
    print(f"{'bot':32} {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'turns':>7} {'errors':>6} {'calls/turn':>10}")
    for name, r in results.items():
        print(f"{name:32} {r['turns_per_s']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['turns']:7d} "
              f"{r['errors']:6d} {r['calls_per_turn']:10.2f}")
    stock, echo, full = results.values()
    print(f"adapter speed-up over stock (echo against echo): {echo['turns_per_s'] / stock['turns_per_s']:.1f}x")
    print(f"whole bot against the stock echo bot: {full['turns_per_s'] / stock['turns_per_s']:.1f}x")


if __name__ == "__main__":
    asyncio.run(main())
