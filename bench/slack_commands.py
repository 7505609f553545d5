"""Benchmark: acknowledgement latency and throughput of signed `/boundary` slash commands,
side by side with a bare slack-bolt app that only acknowledges (the stack's ceiling).

    .venv/bin/python bench/slack_commands.py [--rate 100] [--seconds 10] [--concurrency 16] [--verb help]
        [--database-url postgresql+asyncpg://…/EMPTY_DB] [--only WORD]

Each server runs in its own process (`boundary-bot serve` on a fresh SQLite file with the demo
organisation; `bench/slack_bare_app.py`), with the Slack Web API answered by the fake from
tests/fake_slack.py in this process. Latency: commands sent open-loop at --rate per second,
time from sending the request to its HTTP answer (the ack). Throughput: --concurrency
commands in flight for --seconds, answers per second. Our server also does the real work
after each ack (the core, users.info, conversations.open, chat.postMessage and the
response_url hint), in the same process, while it is being measured.

Our server runs on the hospital organisation (tests/big_org.py: 20,000 staff with Slack
identities already linked; --database-url, or a SQLite file) and the commands come from
--people different staff in turn, each once in a warm-up first: a person may act about twice a
second, so hundreds of commands a second from a handful of people would measure the "you're
going faster than I can keep up" answer instead of the command (counted as *slowed*). The
runs named *N workers* serve as deployed: `serve --workers N` in platform mode. CPU is the
server's (all its processes) and this process's (the clients and the fake Slack), per command.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import gauge  # noqa: E402
import teams_servers as hospital  # noqa: E402  (bench/, beside this script)
from lean_slack import LeanSlackClient  # noqa: E402
from teams_turns import cpu_seconds, database_cpu, server_pids  # noqa: E402

from adapters.slack.work import BUSY  # noqa: E402
from tests import big_org  # noqa: E402
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, SlackClient  # noqa: E402

CHANNEL = (lambda user: {"channel": "D" + user}) if os.environ.get("BENCH_FROM_DM") else (lambda user: {})
SLOWED = "faster than I can keep up"  # bot.app.slow_down
_TRIGGERS = itertools.count()
RUN = f"{time.time():.0f}"


def trigger() -> str:
    """A trigger id unique across runs sharing a database (the core takes a command sent again
    with the same trigger for a redelivery, and does nothing)."""
    return f"bench-{RUN}-{next(_TRIGGERS)}"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(command: list[str], port: int, env_extra: dict[str, str], cwd: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "BOUNDARY_"))}
    env.update(PORT=str(port), LOG_LEVEL="WARNING", PYTHONPATH=str(REPO), **env_extra)
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode()) from None
            time.sleep(0.05)
    raise SystemExit("server did not start")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Posted:
    """How many messages the fake Slack has posted, counted as they come (the fake keeps every
    call: scanning them all on each look would cost this process more than the clients)."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake, self.seen, self.posted = fake, 0, 0

    def count(self) -> int:
        calls = self.fake.calls
        self.posted += sum(call.method == "chat.postMessage" for call in calls[self.seen:])
        self.seen = len(calls)
        return self.posted


async def measure(client: SlackClient, verb: str, rate: float, seconds: float, concurrency: int,
                  does_work: bool, users: list[str], pids: list[int]) -> dict:
    fake = client.fake
    dms = Posted(fake)
    dms_before = dms.count()
    # Warm up: each person once (users.info, conversations.open, the person cache).
    warm = asyncio.Semaphore(concurrency)

    async def first(user: str) -> None:
        async with warm:
            while BUSY in (await client.slash(user, verb, trigger=trigger()))[1]:  # the queue is full: as a person would, later
                await asyncio.sleep(0.2)
    # Each person four times: with two workers, nearly every one has then seen each person.
    rounds = int(os.environ.get("BENCH_WARM_ROUNDS", "4"))
    for _ in range(rounds):
        await asyncio.gather(*(first(user) for user in users))
    deadline = time.perf_counter() + 120
    while does_work and dms.count() < dms_before + rounds * len(users):
        if time.perf_counter() > deadline:
            raise SystemExit("the warm-up's commands were not all done within two minutes")
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)

    if os.environ.get("BENCH_CAPACITY_ONLY"):  # for profiling the capacity run alone
        capacity = await fully_done(client, verb, seconds, concurrency * 2, users, pids)
        return {"work": None, "slowed": 0, **capacity, "n": 0, "p50": 0, "p95": 0, "p99": 0, "max": 0,
                "mean": 0, "throughput": 0, "errors": 0, "busy": 0}
    latencies: list[float] = []
    errors = busy = 0

    async def one(i: int) -> None:
        nonlocal errors, busy
        began = time.perf_counter()
        status, body = await client.slash(users[i % len(users)], verb, trigger=trigger())
        latencies.append((time.perf_counter() - began) * 1000)
        if status != 200:
            errors += 1
        busy += BUSY in body

    total = int(rate * seconds)
    tasks = []
    start = time.perf_counter()
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(i)))
    await asyncio.gather(*tasks)
    await asyncio.sleep(1)  # let the background work of the last commands finish

    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal done, errors, busy
        i = w
        while time.perf_counter() < stop_at:
            status, body = await client.slash(users[i % len(users)], verb, trigger=trigger())
            done += 1
            errors += status != 200
            busy += BUSY in body  # refused at once ("busy, try again"): nothing to finish
            i += concurrency

    began = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - began
    # The work behind the acks: every command's DM has been posted.
    work = None
    if does_work:
        expected = dms_before + rounds * len(users) + len(latencies) + done - busy
        deadline = time.perf_counter() + 120
        while dms.count() < expected and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        work = (done - busy) / (time.perf_counter() - began)
    posted = fake.of("chat.postMessage")[dms_before:]
    slowed = sum(SLOWED in json.dumps(call.body) for call in posted)
    capacity = await fully_done(client, verb, seconds, concurrency * 2, users, pids) if does_work else {}
    return {"work": work, "slowed": slowed, **capacity,
            "n": len(latencies), "p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99),
            "max": max(latencies), "mean": statistics.mean(latencies), "throughput": done / elapsed,
            "errors": errors, "busy": busy}


def profile(pids: list[int], seconds: float) -> list[subprocess.Popen]:
    """With BENCH_PROFILE=DIR: py-spy samples the server's processes and this one while
    capacity is measured, as collapsed stacks in DIR/<pid>.txt (py-spy must be installed)."""
    where = os.environ.get("BENCH_PROFILE")
    if not where:
        return []
    return [subprocess.Popen(["py-spy", "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "250",
                              "--nonblocking", *os.environ.get("BENCH_PROFILE_FLAGS", "").split(), "-f", "raw", "-o", f"{where}/{pid}.txt"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in [*pids, os.getpid()]]


async def fully_done(client: SlackClient, verb: str, seconds: float, people: int, users: list[str],
                     pids: list[int]) -> dict:
    """Commands fully done per second when each of ``people`` sends a command, waits for the
    answer in their DM (told "busy", tries again shortly), and sends the next: the bot's
    capacity, with the CPU each done command cost (server, and this process: clients and the
    fake Slack). A flood that is not waited on measures mostly "busy" answers instead."""
    fake = client.fake
    waiting: dict[str, asyncio.Future] = {}
    post = fake._chat_postMessage

    def posted(body: dict) -> dict:
        if (answer := waiting.pop(str(body.get("channel", "")), None)) is not None and not answer.done():
            answer.set_result(None)
        return post(body)
    fake._chat_postMessage = posted  # the fake finds its methods by name: this one says when a DM came
    done = retried = lost = 0
    stop_at = time.perf_counter() + seconds

    async def person(p: int) -> None:
        nonlocal done, retried, lost
        mine = itertools.cycle(users[p::people] or users)
        while time.perf_counter() < stop_at:
            user = next(mine)
            answer = waiting["D" + user] = asyncio.get_running_loop().create_future()
            while BUSY in (await client.slash(user, verb, trigger=trigger(), **CHANNEL(user)))[1]:
                retried += 1
                await asyncio.sleep(0.05)
            try:
                await asyncio.wait_for(answer, 10)
                done += 1
            except TimeoutError:
                lost += 1

    profilers = profile(pids, seconds)
    lookups_before = len(fake.of("users.info"))
    each_before = [cpu_seconds([pid]) for pid in pids]
    began, cpu_before, own_before = time.perf_counter(), cpu_seconds(pids), cpu_seconds([os.getpid()])
    database_before = database_cpu()
    try:
        await asyncio.gather(*(person(p) for p in range(people)))
    finally:
        fake._chat_postMessage = post
        for profiler in profilers:
            profiler.wait()
    elapsed = time.perf_counter() - began
    cpu, own = cpu_seconds(pids) - cpu_before, cpu_seconds([os.getpid()]) - own_before
    database = database_cpu() - database_before
    if os.environ.get("BENCH_SHOW_LOOKUPS"):
        print(f"users.info during the run: {len(fake.of('users.info')) - lookups_before}; CPU s by server "
              f"process: {[round(cpu_seconds([pid]) - was, 2) for pid, was in zip(pids, each_before, strict=True)]}", file=sys.stderr)
    return {"done_per_s": done / elapsed, "retried": retried, "lost": lost, "people": people,
            "cpu_ms": cpu * 1000 / max(1, done), "driver_ms": own * 1000 / max(1, done),
            "database_ms": database * 1000 / max(1, done)}

async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--verb", default="help")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database for Boundary Bot")
    parser.add_argument("--only", default="", help="run only the servers whose names contain this word")
    parser.add_argument("--people", type=int, default=2400, help="different staff sending commands")
    parser.add_argument("--client", choices=("lean", "aiohttp"), default="lean",
                        help="how commands are sent: bench/lean_slack.py, or tests/fake_slack.py's aiohttp client")
    args = parser.parse_args()

    gauge_before = gauge.reading()
    users = [big_org.slack_user(n) for n in range(args.people)]
    fake = await FakeSlack(users={user: None for user in users}).start()
    # One key for every run on the shared database (platform mode makes none by itself).
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
           "BOUNDARY_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    serve = [sys.executable, "-m", "adapters.cli", "serve"]
    targets = {
        "bare slack-bolt, ack only (default)": [sys.executable, str(REPO / "bench/slack_bare_app.py")],
        "bare slack-bolt, ack only (process_before_response)": [
            sys.executable, str(REPO / "bench/slack_bare_app.py"), "--process-before-response"],
        "Boundary Bot (full work after the ack)": serve,
        "Boundary Bot, 1 worker (platform mode)": [*serve, "--workers", "1"],
        "Boundary Bot, 2 workers (platform mode)": [*serve, "--workers", "2"],
    }
    results = {}
    with tempfile.TemporaryDirectory() as shared:
        hospital.DATABASE["url"] = args.database_url
        if any("Boundary" in name and (not args.only or args.only in name) for name in targets):
            await asyncio.to_thread(hospital.prepare_database, shared)
        try:
            for name, command in targets.items():
                if args.only and args.only not in name:
                    continue
                port = free_port()
                with tempfile.TemporaryDirectory() as workdir:
                    extra = dict(env, BOUNDARY_LOCAL_MODE="false" if "workers" in name or "worker" in name else "true")
                    if "bare" not in name:
                        extra["DATABASE_URL"] = hospital.DATABASE["url"]
                    if "bare" in name:
                        command = [*command[:2], str(port), *command[2:]]
                    process = launch(command, port, extra, workdir)
                    try:
                        async with aiohttp.ClientSession() as session:
                            base = f"http://127.0.0.1:{port}"
                            client = (LeanSlackClient(base, fake) if args.client == "lean"
                                      else SlackClient(base, session, fake))
                            before = len(fake.of("chat.postMessage"))
                            results[name] = await measure(client, args.verb, args.rate, args.seconds,
                                                          args.concurrency, "bare" not in name, users,
                                                          server_pids(process))
                            results[name]["dms"] = len(fake.of("chat.postMessage")) - before
                            if args.client == "lean":
                                await client.close()
                    finally:
                        process.terminate()
                        process.wait(timeout=30)
        finally:
            await fake.stop()

    print(f"verb={args.verb} rate={args.rate:g}/s for {args.seconds:g}s; throughput with {args.concurrency} in flight; "
          f"{args.client} client")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; machine gauge (bench/gauge.py) "
          f"{gauge_before:.2f} s before, {gauge.reading():.2f} s after")
    print("| server | ack p50 ms | p95 ms | p99 ms | max ms | flood: acks /s | flood: done /s | flood: busy "
          "| non-200 | slowed | DMs sent | **fully done /s** (waiting for each) | told busy, tried again | lost "
          "| server CPU ms per command done | driver CPU ms per command done | PostgreSQL CPU ms per command done |")
    print("|" + "---|" * 17)
    for name, r in results.items():
        work = f"{r['work']:.0f}" if r["work"] is not None else "—"
        capacity = (f"{r['done_per_s']:.0f} | {r['retried']} | {r['lost']} | {r['cpu_ms']:.2f} | {r['driver_ms']:.2f} "
                    f"| {r['database_ms']:.2f}" if "done_per_s" in r else "— | — | — | — | — | —")
        print(f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | "
              f"{r['throughput']:.0f} | {work} | {r['busy']} | {r['errors']} | {r['slowed']} | {r['dms']} | "
              f"{capacity} |")
    if len(results) < len(targets):
        return
    bare = results["bare slack-bolt, ack only (default)"]["throughput"]
    ours = results["Boundary Bot (full work after the ack)"]
    print(f"Boundary Bot acks = {ours['throughput'] / bare:.0%}, commands fully done = "
          f"{ours['done_per_s'] / bare:.0%} of the bare default bolt app's acks")


if __name__ == "__main__":
    asyncio.run(main())
