"""Benchmark: Teams turns per second through POST /api/messages, on both engines, against the
stock SDKs' echo bots.

    .venv/bin/python bench/teams_turns.py [--seconds 4] [--concurrency 16] [--people 2400]
        [--only NAME…] [--database-url postgresql+asyncpg://…/EMPTY_DB]

In the same run, on loopback, with the same load generator and the same fake Bot Connector
(tests/fake_connector.py, in this process), each bot in its own process
(bench/teams_servers.py):

- **stock botbuilder echo** (the anchor): a bare botbuilder 4.17.1 ``CloudAdapter`` echo bot
  (``ActivityHandler`` that replies with the text), served with aiohttp as Microsoft's samples do;
- **stock Agents SDK echo**: the same on the Microsoft 365 Agents SDK 1.9 (its aiohttp
  ``CloudAdapter``, anonymous);
- **our adapter, echo core**, on each engine (``BOUNDARY_TEAMS_ENGINE``): our server and Teams
  adapter with the core replaced by an echo, so the adapter is compared like for like;
- **Boundary Bot** on each engine: `boundary-bot serve` on the hospital organisation (20,000
  staff; --database-url, or a SQLite file), for ``help`` sent by --people different staff in
  turn (the person cache warmed by one round first, as in a running hospital), and for a report
  submit (the report form's card answered: a report stored, the card closed in place, the
  script sent: two connector calls; six people with the per-person limits lifted).

A turn is one message activity POSTed and answered; each bot's replies reach the fake
connector before the HTTP answer. Reported: turns/s, p50 and p99 latency, the connector calls
per turn, the server's and the driver's CPU per turn, and how many turns were **slowed** (the
bot answered "you're going faster than I can keep up" instead of doing the turn: that answer
is cheaper, so a run where it shows is not a measure of the turn). The runs named *platform
mode (JWT)* serve as deployed (`serve --workers N`, an app id: each activity's token checked,
each reply sent with the bot's token); the others have no app id (no JWT).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import aiohttp
import jwt
import orjson
import psutil
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gauge  # noqa: E402
import teams_servers as servers  # noqa: E402  (bench/, beside this script)
from lean_http import KeptAlive  # noqa: E402

from tests.fake_connector import FakeConnector  # noqa: E402

FORM_PEOPLE = ("asha", "sam", "jordan", "priya", "morgan", "alex")  # the demo's, by email
SLOWED = "faster than I can keep up"  # bot.app.slow_down
JSON = {"Content-Type": "application/json"}
RUN = f"{time.time():.0f}"  # activity ids unique across runs sharing a database (else: "redelivered")
REPORT_ANSWERS = {"category": "GIFT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}


def activity(fake_url: str, user: str, n: int, text: str | None, value: dict | None = None,
             reply_to: str | None = None) -> dict:
    body = {
        "type": "message", "id": f"bench:{RUN}:{n}", "serviceUrl": fake_url, "channelId": "msteams",
        "from": {"id": f"29:{user}", "name": user, "aadObjectId": user},
        "recipient": {"id": "28:bench-bot", "name": "Boundary Bot"},
        "conversation": {"id": f"a:bench-{user}", "conversationType": "personal", "tenantId": servers.TENANT},
        "channelData": {"tenant": {"id": servers.TENANT}}, "locale": "en-GB",
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    if reply_to:
        body["replyToId"] = reply_to
    return body


def report_form(fake: FakeConnector, user: str) -> tuple[dict, str]:
    """(the report form's submit data, the form card's message id) for ``user``, from the
    reply to their ``report``."""
    for (conversation, activity_id), body in reversed(fake.activities.items()):
        if conversation == f"a:bench-{user}" and body.get("attachments"):
            card = body["attachments"][0]["content"]
            return dict(card["actions"][0]["data"]), activity_id
    raise SystemExit(f"no report form reached {user}")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def database_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine (the bot's backends among them)."""
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] in ("postgres", "postmaster") and process.info["cpu_times"] is not None:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


def server_pids(process: subprocess.Popen) -> list[int]:
    """The server and, with workers, its worker processes."""
    parent = psutil.Process(process.pid)
    return [process.pid, *(child.pid for child in parent.children(recursive=True))]


async def drive(url: str, fake: FakeConnector, seconds: float, concurrency: int, workload: str,
                pids: list[int], users: list[str], headers: dict[str, str], lean: bool = False) -> dict:
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    timeout = aiohttp.ClientTimeout(total=30)
    # Each client keeps one connection, as the Bot Connector keeps its own: with several
    # workers a connection stays with one of them, and so do the people sent over it.
    https = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=timeout, headers=headers)
             for _ in range(concurrency)]
    # --client lean: the same requests on one kept-alive connection each (bench/lean_http.py),
    # warm-up included, so each client's people stay with the worker that warmed them.
    address = urllib.parse.urlsplit(url)
    lines = "".join(f"{k}: {v}\r\n" for k, v in {**headers, **JSON}.items()).encode()
    connections = [KeptAlive(address.hostname, address.port) if lean else None for _ in range(concurrency)]
    # Client i sends for people i, i + concurrency, …: each person acts well under their limit.
    mine = [users[i::concurrency] or [users[i % len(users)]] for i in range(concurrency)]
    try:
        # Warm up: one turn per person (first contacts, the person cache, the hourly "last
        # seen"); for the report workload, each person opens the form every turn then answers.
        async def first(i: int) -> None:
            for user in mine[i]:
                warm = activity(fake.url, user, next(counter), "report" if workload == "report" else "help")
                if connections[i] is not None:
                    await connections[i].post(address.path, orjson.dumps(warm), lines)
                    continue
                async with https[i].post(url, json=warm) as r:
                    await r.read()
        await asyncio.gather(*(first(i) for i in range(concurrency)))
        forms = {user: report_form(fake, user) for user in users} if workload == "report" else {}
        await asyncio.sleep(1.0)  # a person acts again a moment later, not at once

        def turn(user: str) -> dict:
            if workload == "report":
                data, card_id = forms[user]
                return activity(fake.url, user, next(counter), None, {**data, **REPORT_ANSWERS}, card_id)
            return activity(fake.url, user, next(counter), "help")

        before = len(fake.requests)
        deadline = time.perf_counter() + seconds
        turns_of = [itertools.cycle(people) for people in mine]

        async def client(i: int) -> None:
            nonlocal errors
            connection = connections[i]
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    if connection is not None:
                        status, _ = await connection.post(address.path, orjson.dumps(turn(next(turns_of[i]))), lines)
                        errors += status >= 300
                    else:
                        async with https[i].post(url, data=orjson.dumps(turn(next(turns_of[i]))), headers=JSON) as r:
                            await r.read()
                            errors += r.status >= 300
                except (TimeoutError, aiohttp.ClientError, ConnectionError, asyncio.IncompleteReadError):
                    errors += 1
                latencies.append(time.perf_counter() - began)

        began, cpu_before, own_before = time.perf_counter(), cpu_seconds(pids), cpu_seconds([os.getpid()])
        database_before = database_cpu()
        await asyncio.gather(*(client(i) for i in range(concurrency)))
        elapsed, cpu = time.perf_counter() - began, cpu_seconds(pids) - cpu_before
        own, database = cpu_seconds([os.getpid()]) - own_before, database_cpu() - database_before
    finally:
        await asyncio.gather(*(http.close() for http in https))
        for connection in connections:
            if connection is not None:
                connection.close()
    calls = fake.requests[before:]
    if os.environ.get("BENCH_SHOW_CALLS"):
        print(collections.Counter(f"{c.method} {c.path.rsplit('/', 1)[0]}" for c in calls).most_common(8), file=sys.stderr)
    slowed = sum(SLOWED in json.dumps(call.body) for call in calls)
    latencies.sort()
    return {
        "turns": len(latencies),
        "turns_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "errors": errors,
        "slowed": slowed,
        "calls_per_turn": len(calls) / max(1, len(latencies)),
        "cpu_ms": cpu * 1000 / max(1, len(latencies)),
        # The load generator and the fake Bot Connector (this process) share the 2 cores.
        "driver_cpu_ms": own * 1000 / max(1, len(latencies)),
        "database_cpu_ms": database * 1000 / max(1, len(latencies)),
    }


ANCHOR = "stock botbuilder CloudAdapter echo"
BOTS = (  # (name, how to start it, workload)
    (ANCHOR, servers.start_script(servers.STOCK_BOT, "stock_echo.py"), "help"),
    ("stock Agents SDK CloudAdapter echo", servers.start_script(servers.STOCK_AGENTS_BOT, "stock_agents_echo.py"), "help"),
    ("our adapter, echo core, botbuilder", servers.start_our_echo("botbuilder"), "help"),
    ("our adapter, echo core, agents", servers.start_our_echo("agents"), "help"),
    ("Boundary Bot help, botbuilder", servers.start_ours("botbuilder"), "help"),
    ("Boundary Bot help, agents", servers.start_ours("agents"), "help"),
    ("Boundary Bot help, botbuilder, platform mode (JWT), 1 worker", servers.start_platform("botbuilder", 1), "help"),
    ("Boundary Bot help, botbuilder, platform mode (JWT), 2 workers", servers.start_platform("botbuilder", 2), "help"),
    ("Boundary Bot report submit, botbuilder", servers.start_our_unlimited("botbuilder"), "report"),
    ("Boundary Bot report submit, agents", servers.start_our_unlimited("agents"), "report"),
)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--people", type=int, default=2400,
                        help="different staff sending help to the whole bot (each may act about twice a second)")
    parser.add_argument("--only", nargs="*", help="run only the bots whose names contain one of these words")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database for the whole bot")
    parser.add_argument("--client", choices=("aiohttp", "lean"), default="lean",
                        help="how the measured turns are sent: aiohttp's client, or bench/lean_http.py")
    args = parser.parse_args()
    servers.DATABASE["url"] = args.database_url
    servers.DATABASE["key"] = Fernet.generate_key().decode()

    fake = FakeConnector()
    await fake.start()
    await fake.login.start()
    # The Bot Connector's signing key: its public half in the fake's OpenID keys, the private
    # half signs the one token every activity carries (Teams, too, reuses a token for an hour).
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    fake.jwks = [{**public, "kid": "bench-key", "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}]
    fake.login.secrets = {servers.APP_ID: servers.APP_PASSWORD}
    servers.PLATFORM.update(connector=fake.url, login=fake.login.url, ca_file=fake.login.ca_file)
    now = int(time.time())
    token = jwt.encode({"iss": "https://api.botframework.com", "aud": servers.APP_ID, "nbf": now - 10,
                        "exp": now + 3600, "serviceurl": fake.url}, key, algorithm="RS256",
                       headers={"kid": "bench-key"})
    for who in FORM_PEOPLE:
        fake.add_member(f"29:{who}", who, f"{who}@demo.invalid", who.title(), tenant=servers.TENANT)

    results = {}
    gauge_before = gauge.reading()
    with tempfile.TemporaryDirectory() as workdir:
        chosen = [bot for bot in BOTS if not args.only or bot[0] == ANCHOR or any(w in bot[0] for w in args.only)]
        if any(name.startswith("Boundary Bot") for name, _, _ in chosen):
            await asyncio.to_thread(servers.prepare_database, workdir)
        for name, starter, workload in chosen:
            print(f"running {name}…", file=sys.stderr, flush=True)
            port = servers.free_port()
            process = starter(workdir, port)
            users = (list(FORM_PEOPLE) if workload == "report" else
                     servers.people(args.people) if name.startswith("Boundary Bot") else
                     [f"bench-{n}" for n in range(args.concurrency)])
            try:
                results[name] = await drive(f"http://127.0.0.1:{port}/api/messages", fake, args.seconds,
                                            args.concurrency, workload, server_pids(process), users,
                                            {"Authorization": f"Bearer {token}"} if "JWT" in name else {},
                                            lean=args.client == "lean")
            finally:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    await fake.login.stop()
    await fake.stop()

    anchor = results[ANCHOR]
    print(f"{args.concurrency} concurrent clients ({args.client}), {args.seconds:g} s each; load average before: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; machine gauge (bench/gauge.py) {gauge_before:.2f} s before, "
          f"{gauge.reading():.2f} s after")
    print(f"{'bot':40} {'turns/s':>8} {'x anchor':>8} {'p50 ms':>8} {'p99 ms':>8} {'turns':>6} {'slowed':>6} "
          f"{'errors':>6} {'calls/turn':>10} {'server CPU ms/turn':>18} {'x anchor':>8} {'driver CPU ms/turn':>18}")
    for name, r in results.items():
        print(f"{name:40} {r['turns_per_s']:8.1f} {r['turns_per_s'] / anchor['turns_per_s']:8.1f} {r['p50_ms']:8.1f} "
              f"{r['p99_ms']:8.1f} {r['turns']:6d} {r['slowed']:6d} {r['errors']:6d} {r['calls_per_turn']:10.2f} "
              f"{r['cpu_ms']:18.2f} {anchor['cpu_ms'] / r['cpu_ms']:8.1f} {r['driver_cpu_ms']:18.2f} "
              f"{r['database_cpu_ms']:22.2f}")
    print("x anchor: turns/s over the stock botbuilder echo bot's; for CPU, its CPU per turn over this bot's")
    print("slowed: turns the bot answered with 'going faster than I can keep up' instead of doing them")
    print("driver CPU: this process (the clients and the fake Bot Connector) per turn, on the same cores")


if __name__ == "__main__":
    asyncio.run(main())
