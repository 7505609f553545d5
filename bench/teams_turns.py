"""Benchmark: Teams turns per second through POST /api/messages, on both engines, against the
stock SDKs' echo bots.

    .venv/bin/python bench/teams_turns.py [--seconds 4] [--concurrency 16] [--only NAME…]
        [--database-url postgresql+asyncpg://…/EMPTY_DB]   (the whole bot on PostgreSQL)

In the same run, on loopback, with the same load generator and the same fake Bot Connector
(tests/fake_connector.py, in this process), each bot in its own process:

- **stock botbuilder echo** (the anchor): a bare botbuilder 4.17.1 ``CloudAdapter`` echo bot
  (``ActivityHandler`` that replies with the text), served with aiohttp as Microsoft's samples do;
- **stock Agents SDK echo**: the same on the Microsoft 365 Agents SDK 1.9 (its aiohttp
  ``CloudAdapter``, anonymous);
- **our adapter, echo core**, on each engine (``BOUNDARY_TEAMS_ENGINE``): our server and Teams
  adapter with the core replaced by an echo, so the adapter is compared like for like;
- **Boundary Bot** on each engine: `boundary-bot serve` (local mode, SQLite, demo organisation),
  for ``help`` (person resolved in the database, the core's help card) and for a report
  submit (the report form's card answered: a report stored, the card closed in place, the
  script sent: two connector calls). For the submit the server is the same application with
  the per-person form rate limit lifted (six people submitting every few milliseconds would
  otherwise be refused after ten forms each, as they should be).

A turn is one message activity POSTed and answered; each bot's replies reach the fake
connector before the HTTP answer. Reported: turns/s, p50 and p99 latency, and the connector
calls per turn. No app id anywhere (no JWT, no tokens).
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
import psutil
from cryptography.fernet import Fernet

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


STOCK_AGENTS_BOT = '''
import sys
from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ActivityHandler, AgentAuthConfiguration, TurnContext

class EchoAgent(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

connections = MsalConnectionManager({"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)})
adapter = CloudAdapter(connection_manager=connections)
agent = EchoAgent()

async def messages(request):
    return await adapter.process(request, agent)

async def healthz(request):
    return web.Response(text="ok")

app = web.Application()
app.router.add_post("/api/messages", messages)
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
'''


DATABASE = {"url": "", "key": ""}  # --database-url: the whole bot's database (empty: a SQLite file per bot)


def _env(engine: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY") and not k.lower().startswith("microsoftapp")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    if DATABASE["url"]:  # one database for every bot run: one key, so the audit chain stays signed alike
        env["BENCH_DATABASE_URL"] = env["DATABASE_URL"] = DATABASE["url"]
        env["BOUNDARY_ENCRYPTION_KEY"] = DATABASE["key"]
    if engine:
        env["BOUNDARY_TEAMS_ENGINE"] = engine
    return env


def start_ours(engine: str):
    def start(workdir: str, port: int) -> subprocess.Popen:
        env = _env(engine)
        env.update(PORT=str(port), LOG_LEVEL="WARNING", BOUNDARY_LOCAL_MODE="true")
        folder = Path(workdir) / f"serve-{engine}-{port}"
        folder.mkdir()
        process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=folder, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(process, port)
        return process
    return start


OUR_ECHO = '''
import sys
from aiohttp import web
from adapters.appkeys import BOT_KEY
from adapters.server import create_app
from bot.machinery.config import Settings
from bot.port.views import Notice

settings = Settings(_env_file=None, DATABASE_URL=f"sqlite+aiosqlite:///./echo-{sys.argv[1]}.db",
                    BOUNDARY_KEY_FILE="./echo.key", BOUNDARY_LOCAL_MODE=True, LOG_LEVEL="WARNING",
                    BOUNDARY_TEAMS_ENGINE=sys.argv[2])
app = create_app(settings)

async def echo_core(app):
    async def handle(event):
        return [Notice(f"Echo: {event.verb} {event.args}".strip())]
    app[BOT_KEY].handle = handle  # the core replaced by an echo: the adapter alone is measured
    yield

app.cleanup_ctx.append(echo_core)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
'''


OUR_UNLIMITED = '''
import os
import sys
from aiohttp import web
from adapters.appkeys import BOT_KEY
from adapters.server import create_app
from bot.machinery.config import Settings
from bot.machinery.ratelimit import Rate, TokenBuckets

settings = Settings(_env_file=None, DATABASE_URL=os.environ.get("BENCH_DATABASE_URL")
                    or f"sqlite+aiosqlite:///./bot-{sys.argv[1]}.db",
                    BOUNDARY_KEY_FILE="./bot.key", BOUNDARY_LOCAL_MODE=True, LOG_LEVEL="WARNING",
                    BOUNDARY_TEAMS_ENGINE=sys.argv[2])
app = create_app(settings)

async def unlimited_forms(app):
    # Six people submitting a form every few milliseconds are (rightly) refused after ten each:
    # lifted here so that every turn measured files a report.
    bot = app[BOT_KEY]
    bot.submissions = TokenBuckets(bot.clock, Rate(capacity=1e9, per_second=1e9))
    yield

app.cleanup_ctx.append(unlimited_forms)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
'''


def start_our_unlimited(engine: str):
    def start(workdir: str, port: int) -> subprocess.Popen:
        script = Path(workdir) / "our_unlimited.py"
        script.write_text(OUR_UNLIMITED)
        process = subprocess.Popen([sys.executable, str(script), str(port), engine], cwd=workdir, env=_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(process, port)
        return process
    return start


def start_our_echo(engine: str):
    def start(workdir: str, port: int) -> subprocess.Popen:
        script = Path(workdir) / "our_echo.py"
        script.write_text(OUR_ECHO)
        process = subprocess.Popen([sys.executable, str(script), str(port), engine], cwd=workdir, env=_env(),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(process, port)
        return process
    return start


def start_script(source: str, name: str):
    def start(workdir: str, port: int) -> subprocess.Popen:
        script = Path(workdir) / name
        script.write_text(source)
        process = subprocess.Popen([sys.executable, str(script), str(port)], cwd=workdir,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_ready(process, port)
        return process
    return start


REPORT_ANSWERS = {"category": "GIFT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}


def activity(fake_url: str, who: str, n: int, text: str | None, value: dict | None = None,
             reply_to: str | None = None) -> dict:
    body = {
        "type": "message", "id": f"bench:{n}", "serviceUrl": fake_url, "channelId": "msteams",
        "from": {"id": f"29:{who}", "name": who, "aadObjectId": f"aad-{who}"},
        "recipient": {"id": "28:bench-bot", "name": "Boundary Bot"},
        "conversation": {"id": f"a:bench-{who}", "conversationType": "personal", "tenantId": "bench"},
        "channelData": {"tenant": {"id": "bench"}}, "locale": "en-GB",
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    if reply_to:
        body["replyToId"] = reply_to
    return body


def report_form(fake: FakeConnector, who: str) -> tuple[dict, str]:
    """(the report form's submit data, the form card's message id) for ``who``, from the
    reply to their ``report``."""
    for (conversation, activity_id), body in reversed(fake.activities.items()):
        if conversation == f"a:bench-{who}" and body.get("attachments"):
            card = body["attachments"][0]["content"]
            return dict(card["actions"][0]["data"]), activity_id
    raise SystemExit(f"no report form reached {who}")


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


async def drive(url: str, fake: FakeConnector, seconds: float, concurrency: int, workload: str,
                server_pid: int) -> dict:
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency), timeout=timeout) as http:
        # Warm up: one turn per person (first-time member lookups and references); for the
        # report workload, each person opens the form whose card every turn then answers.
        forms = {}
        for who in PEOPLE:
            async with http.post(url, json=activity(fake.url, who, next(counter), "report" if workload == "report" else "help")) as r:
                await r.read()
            if workload == "report":
                forms[who] = report_form(fake, who)

        def turn(who: str) -> dict:
            if workload == "report":
                data, card_id = forms[who]
                return activity(fake.url, who, next(counter), None, {**data, **REPORT_ANSWERS}, card_id)
            return activity(fake.url, who, next(counter), "help")

        before = len(fake.requests)
        deadline = time.perf_counter() + seconds

        async def client(i: int) -> None:
            nonlocal errors
            who = PEOPLE[i % len(PEOPLE)]
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    async with http.post(url, json=turn(who)) as r:
                        await r.read()
                        if r.status >= 300:
                            errors += 1
                except (TimeoutError, aiohttp.ClientError):
                    errors += 1
                latencies.append(time.perf_counter() - began)

        began, cpu_before, own_before = time.perf_counter(), cpu_seconds(server_pid), cpu_seconds(os.getpid())
        await asyncio.gather(*(client(i) for i in range(concurrency)))
        elapsed, cpu = time.perf_counter() - began, cpu_seconds(server_pid) - cpu_before
        own = cpu_seconds(os.getpid()) - own_before
    latencies.sort()
    return {
        "turns": len(latencies),
        "turns_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "errors": errors,
        "calls_per_turn": (len(fake.requests) - before) / max(1, len(latencies)),
        "cpu_ms": cpu * 1000 / max(1, len(latencies)),
        # The load generator and the fake Bot Connector (this process) share the 2 cores.
        "driver_cpu_ms": own * 1000 / max(1, len(latencies)),
    }


ANCHOR = "stock botbuilder CloudAdapter echo"
BOTS = (  # (name, how to start it, workload)
    (ANCHOR, start_script(STOCK_BOT, "stock_echo.py"), "help"),
    ("stock Agents SDK CloudAdapter echo", start_script(STOCK_AGENTS_BOT, "stock_agents_echo.py"), "help"),
    ("our adapter, echo core, botbuilder", start_our_echo("botbuilder"), "help"),
    ("our adapter, echo core, agents", start_our_echo("agents"), "help"),
    ("Boundary Bot help, botbuilder", start_ours("botbuilder"), "help"),
    ("Boundary Bot help, agents", start_ours("agents"), "help"),
    ("Boundary Bot report submit, botbuilder", start_our_unlimited("botbuilder"), "report"),
    ("Boundary Bot report submit, agents", start_our_unlimited("agents"), "report"),
)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--only", nargs="*", help="run only the bots whose names contain one of these words")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database for the whole bot")
    args = parser.parse_args()
    DATABASE["url"] = args.database_url
    DATABASE["key"] = Fernet.generate_key().decode()

    fake = FakeConnector()
    await fake.start()
    for who in PEOPLE:
        fake.add_member(f"29:{who}", f"aad-{who}", f"{who}@demo.invalid", who.title())

    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, starter, workload in BOTS:
            if args.only and name != ANCHOR and not any(word in name for word in args.only):
                continue
            print(f"running {name}…", file=sys.stderr, flush=True)
            port = free_port()
            process = starter(workdir, port)
            try:
                results[name] = await drive(f"http://127.0.0.1:{port}/api/messages", fake,
                                            args.seconds, args.concurrency, workload, process.pid)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    await fake.stop()

    anchor = results[ANCHOR]
    print(f"{args.concurrency} concurrent clients, {args.seconds:g} s each; load average before: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'bot':40} {'turns/s':>8} {'x anchor':>8} {'p50 ms':>8} {'p99 ms':>8} {'turns':>6} {'errors':>6} "
          f"{'calls/turn':>10} {'server CPU ms/turn':>18} {'x anchor':>8} {'driver CPU ms/turn':>18}")
    for name, r in results.items():
        print(f"{name:40} {r['turns_per_s']:8.1f} {r['turns_per_s'] / anchor['turns_per_s']:8.1f} {r['p50_ms']:8.1f} "
              f"{r['p99_ms']:8.1f} {r['turns']:6d} {r['errors']:6d} {r['calls_per_turn']:10.2f} "
              f"{r['cpu_ms']:18.2f} {anchor['cpu_ms'] / r['cpu_ms']:8.1f} {r['driver_cpu_ms']:18.2f}")
    print("x anchor: turns/s over the stock botbuilder echo bot's; for CPU, its CPU per turn over this bot's")
    print("driver CPU: this process (the 16 clients and the fake Bot Connector) per turn, on the same 2 cores")


if __name__ == "__main__":
    asyncio.run(main())
