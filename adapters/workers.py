"""``serve`` as one process, or as several sharing the port (``--workers N``).

Why several: one Python process works on one core, and a busy deployment on a small machine
(issue 19: 1,000 Teams turns a second on two cores) needs every core. Each worker is the whole
server, the same application ``serve`` runs alone, listening on the same port with
SO_REUSEPORT so the kernel spreads connections among them. They share nothing but the
database, exactly like separate instances: migrations take turns under the start-up lock,
the outbox and timers are leased.

The parent binds nothing and never runs an event loop (it forks first). It forwards SIGTERM
and SIGINT to the workers once and waits while they finish within BOUNDARY_SHUTDOWN_GRACE.
If a worker stops on its own (a crash, or a start-up problem such as an unreachable
database) it stops the others and exits non-zero with one line naming the worker, so the
orchestrator restarts the whole server instead of it running on with fewer workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import NoReturn

from aiohttp import web

from bot.machinery.config import Settings
from bot.runtime import StartupError, load_content, load_key

log = logging.getLogger(__name__)

# A worker still running this long after the shutdown grace has passed twice (requests, then
# background work) is killed: the parent must end before the orchestrator's own kill timeout.
KILL_MARGIN = 5.0
POLL_SECONDS = 0.2  # how soon the parent notices a worker has stopped
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class Refused(Exception):
    """Several workers cannot run with this configuration; the message says why."""


# New objects between collections, then collections of each generation before the next one's.
GC_THRESHOLDS = (20_000, 50, 50)


def tune_garbage_collection() -> None:
    """Once the server is up, the cyclic collector runs less often. With the defaults it ran
    every 700 new objects, several times per event, and its older generations walked the
    whole cached organisation again and again; bench/slack_commands.py measured a few per
    cent of the server's time per command back. (Freezing what start-up loaded, after a full
    collection, gained nothing more.)"""
    gc.set_threshold(*GC_THRESHOLDS)


def serve_one(settings: Settings, announce: Callable[[], None],
              prepare: Callable[[web.Application], None] | None = None, **listen) -> None:
    """One server process until SIGTERM: ``announce()`` once it listens, ``prepare(app)``
    before it starts, ``listen`` more options for ``run_app`` (``reuse_port``). A problem
    starting is a StartupError with the line to print."""
    from adapters.ops import logs
    from adapters.server import create_app

    try:
        app = create_app(settings)
        if prepare is not None:
            prepare(app)
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            # After SIGTERM: stop listening, give in-flight requests this long, then the
            # background loops as long again (see adapters/server.py).
            shutdown_timeout=settings.shutdown_grace,
            access_log_class=logs.AccessLog,
            print=lambda _: (tune_garbage_collection(), announce()),
            **listen,
        )
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        raise StartupError(f"cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}); "
                           "set PORT to another port") from None


def check(settings: Settings) -> None:
    """What can be refused before any worker starts, so it is said once."""
    count = settings.workers
    if settings.is_local:
        raise Refused(
            f"--workers {count}: the local web chat keeps each conversation in one process's memory, so it "
            "runs as one worker. Several workers are for platform mode (Slack or Teams credentials set, "
            "BOUNDARY_LOCAL_MODE not true); leave out --workers and BOUNDARY_WORKERS here")
    if settings.metrics_port:
        last = settings.metrics_port + count - 1
        if last > 65535:
            raise Refused(f"BOUNDARY_METRICS_PORT={settings.metrics_port} with {count} workers needs ports up to "
                          f"{last}, past 65535; choose a lower metrics port")
        if settings.metrics_port <= settings.port <= last:
            raise Refused(f"BOUNDARY_METRICS_PORT={settings.metrics_port} with {count} workers uses ports "
                          f"{settings.metrics_port}-{last}, which include PORT={settings.port}; move one of them")
    load_content(settings)  # the script library and the key: every worker would refuse alike
    load_key(settings)


def worker_settings(settings: Settings, index: int) -> Settings:
    """Worker ``index`` (from 0) serves its metrics on BOUNDARY_METRICS_PORT + index."""
    if not settings.metrics_port:
        return settings
    return settings.model_copy(update={"metrics_port": settings.metrics_port + index})


def supervise(settings: Settings, announce: Callable[[], None]) -> int:
    """Start ``settings.workers`` workers, wait for them, and return the exit code."""
    check(settings)
    import adapters.server  # noqa: F401 - imported once, before forking, rather than by each worker

    if not settings.metrics_port:
        log.info("metrics: /metrics answers for whichever of the %d workers takes the connection; set "
                 "BOUNDARY_METRICS_PORT to scrape each worker on its own port", settings.workers)
    supervisor = Supervisor(settings, announce)
    supervisor.start()
    return supervisor.wait()


class Supervisor:
    """The parent: forks the workers, announces once all listen, passes a stop on, reaps."""

    def __init__(self, settings: Settings, announce: Callable[[], None]) -> None:
        self.settings = settings
        self.announce = announce
        self.parent = os.getpid()
        self.children: dict[int, int] = {}  # pid → worker number
        self.stopping_since: float | None = None
        self.code = 0
        self.ready = 0
        self.ready_pipe: int | None = None
        self.killed = False

    def start(self) -> None:
        # Handlers first, so a signal arriving while workers are forked reaches those forked.
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        ready_read, ready_write = os.pipe()
        for index in range(self.settings.workers):
            if self.stopping_since is not None:
                break  # told to stop while starting: those started are stopping
            sys.stdout.flush()  # or text buffered here would be written again by each worker
            sys.stderr.flush()
            # Held back across the fork: a stop signal then either reaches the parent after it
            # knows this worker, or the worker once it has its own handling.
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
            pid = os.fork()
            if pid == 0:
                os.close(ready_read)
                run_worker(index, self.parent, ready_write, worker_settings(self.settings, index))
            self.children[pid] = index
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        os.close(ready_write)
        self.ready_pipe = ready_read

    def stop(self, _signum: int | None = None, _frame=None) -> None:
        """Ask every worker to stop, once (each finishes what it has in hand)."""
        if self.stopping_since is not None:
            return
        self.stopping_since = time.monotonic()
        for pid in list(self.children):
            _signal(pid, signal.SIGTERM)

    def wait(self) -> int:
        while self.children:
            self._watch_readiness()
            self._reap()
            self._kill_if_overdue()
        if self.ready_pipe is not None:
            os.close(self.ready_pipe)
        return self.code

    def _watch_readiness(self) -> None:
        if self.ready_pipe is None:
            time.sleep(POLL_SECONDS)
            return
        readable, _, _ = select.select([self.ready_pipe], [], [], POLL_SECONDS)
        if not readable:
            return
        data = os.read(self.ready_pipe, 64)
        if not data:  # every worker has gone
            os.close(self.ready_pipe)
            self.ready_pipe = None
            return
        self.ready += len(data)
        if self.ready == self.settings.workers and self.stopping_since is None:
            self.announce()

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            index = self.children.pop(pid, None)
            if index is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if self.stopping_since is None:
                _say(f"worker {index} (pid {pid}) stopped on its own with {_exit(code)}; "
                     f"stopping the other workers and exiting")
                self.code = 1
                self.stop()
            elif code != 0 and self.code == 0:
                _say(f"worker {index} (pid {pid}) stopped with {_exit(code)}")
                self.code = 1

    def _kill_if_overdue(self) -> None:
        if self.stopping_since is None or self.killed or not self.children:
            return
        limit = 2 * self.settings.shutdown_grace + KILL_MARGIN
        if time.monotonic() - self.stopping_since < limit:
            return
        for pid, index in list(self.children.items()):
            _say(f"worker {index} (pid {pid}) did not stop within {limit:g} seconds; killing it")
            _signal(pid, signal.SIGKILL)
        self.code = 1
        self.killed = True


def run_worker(index: int, parent: int, ready_write: int, settings: Settings) -> NoReturn:
    """A forked worker: serve until told to stop, then leave the process without returning
    into the parent's command line code."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which tells us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        _stop_when_parent_dies(parent)
        serve_one(settings, lambda: os.write(ready_write, b"."), _one_stop_signal, reuse_port=True)
        code = 0
    except StartupError as exc:
        _say(f"worker {index}: {exc}")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed stream must not keep the worker alive
                stream.flush()
        os._exit(code)


def _one_stop_signal(app: web.Application) -> None:
    """The parent sends each worker one SIGTERM; a second one (a terminal's Ctrl-C reaching the
    whole process group, systemd signalling every process) would cut aiohttp's graceful
    shutdown short, so after the first, SIGTERM is ignored and SIGINT always is."""

    async def install(_app: web.Application) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_signal_handler(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

        def stop_once() -> None:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            raise web.GracefulExit

        loop.add_signal_handler(signal.SIGTERM, stop_once)

    app.on_startup.insert(0, install)  # before the database is opened: that can take a while


def _stop_when_parent_dies(parent: int) -> None:
    """If the parent is killed outright (SIGKILL), Linux sends the worker SIGTERM, so no worker
    serves on unsupervised."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the parent's SIGTERM handling still stops the workers
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the line above


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone: reaped on the next pass
        os.kill(pid, signum)


def _exit(code: int) -> str:
    if code < 0:
        return f"exit code {code} (killed by {signal.Signals(-code).name})"
    return f"exit code {code}"


def _say(line: str) -> None:
    print(f"boundary-bot: {line}", file=sys.stderr, flush=True)
