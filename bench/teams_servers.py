"""The servers bench/teams_turns.py measures, each started in its own process, and the
hospital-sized database the whole bot runs on.

The whole bot answers many different people, as a hospital's bot does: each person may act
about twice a second (bot.machinery.ratelimit.ACTIONS), so a benchmark that sent hundreds of
turns a second from six people would mostly measure the "you're going faster than I can keep
up" answer, not the turn. The people come from tests/big_org.py (20,000 staff with Teams
identities already linked).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests import big_org  # noqa: E402

TENANT = big_org.TEAMS_TENANT  # the hospital's tenant: activities from any other are refused

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


DATABASE = {"url": "", "key": ""}  # the whole bot's database (--database-url, or a SQLite file)


def prepare_database(workdir: str) -> None:
    """Fill the whole bot's database with the hospital organisation, once (an empty
    PostgreSQL database from --database-url, or a new SQLite file)."""
    if not DATABASE["url"]:
        DATABASE["url"] = f"sqlite+aiosqlite:///{workdir}/hospital.db"
    asyncio.run(_build_once(DATABASE["url"]))


async def _build_once(url: str) -> None:
    from sqlalchemy import text

    from bot.machinery.storage.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            built = (await conn.execute(text("SELECT count(*) FROM people WHERE key = 'big00000'"))).scalar()
    except Exception:  # no schema yet
        built = 0
    finally:
        await engine.dispose()
    if not built:
        print("building the hospital organisation (20,000 people)…", file=sys.stderr, flush=True)
        await big_org.build(url)


def people(count: int) -> list[str]:
    """The Teams user ids (Azure AD object ids) of the first ``count`` hospital staff."""
    return [big_org.teams_user(n) for n in range(count)]


def _env(engine: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BOUNDARY_ENCRYPTION_KEY") and not k.lower().startswith("microsoftapp")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    # One database for every bot run: one key, so the audit chain stays signed alike.
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


APP_ID, APP_PASSWORD = "bench-app-id", "bench-app-password"
PLATFORM = {"connector": "", "login": "", "ca_file": ""}  # the fakes a platform-mode server uses


def start_platform(engine: str, workers: int):
    """`boundary-bot serve --workers N` as deployed: an app id, so every activity's Bot
    Connector token is checked (keys from the fake's OpenID document) and every reply carries
    the bot's own token (from the fake login service, over TLS)."""
    def start(workdir: str, port: int) -> subprocess.Popen:
        env = _env(engine)
        env.update(PORT=str(port), LOG_LEVEL="WARNING", BOUNDARY_LOCAL_MODE="false",
                   MicrosoftAppId=APP_ID, MicrosoftAppPassword=APP_PASSWORD,
                   BOUNDARY_TEAMS_OPENID_URL=f"{PLATFORM['connector']}/openid",
                   BOUNDARY_TEAMS_LOGIN_URL=PLATFORM["login"], TEAMS_SERVICE_URL_HOSTS="127.0.0.1",
                   # The fake login service's certificate, trusted by this server only.
                   SSL_CERT_FILE=PLATFORM["ca_file"], REQUESTS_CA_BUNDLE=PLATFORM["ca_file"])
        folder = Path(workdir) / f"serve-{engine}-{port}"
        folder.mkdir()
        process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve", "--workers", str(workers)],
                                   cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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

settings = Settings(_env_file=None, DATABASE_URL=os.environ["BENCH_DATABASE_URL"],
                    BOUNDARY_KEY_FILE="./bot.key", BOUNDARY_LOCAL_MODE=True, LOG_LEVEL="WARNING",
                    BOUNDARY_TEAMS_ENGINE=sys.argv[2])
app = create_app(settings)

async def unlimited_forms(app):
    # Six people submitting a form every few milliseconds are (rightly) slowed down after a
    # few each: lifted here so that every turn measured files a report.
    bot = app[BOT_KEY]
    bot.actions = TokenBuckets(bot.clock, Rate(capacity=1e9, per_second=1e9))
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
