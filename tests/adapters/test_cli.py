"""The ``boundary-bot`` command, run as a real process."""

import asyncio
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.cli_harness import CLEARED, CLI, run
from tests.conftest import free_port


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["db"], ["db", "upgrade"], ["org"], ["org", "apply"], ["org", "example"],
                ["org", "sync"], ["scim", "token"], ["key", "generate"], ["scripts", "check"], ["doctor"],
                ["config"], ["config", "docs"],
                ["identities"], ["identities", "list"], ["identities", "link"], ["identities", "unlink"]]
)
def test_every_command_has_help(command, tmp_path):
    result = run(command + ["--help"], tmp_path)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_db_upgrade_and_org_apply_end_to_end(tmp_path, fresh_database_url):
    url = fresh_database_url
    assert run(["db", "upgrade"], tmp_path, DATABASE_URL=url).stdout.strip() == "database is up to date"
    example = run(["org", "example"], tmp_path).stdout
    (tmp_path / "org.yaml").write_text(example)

    dry = run(["org", "apply", "org.yaml", "--dry-run"], tmp_path, DATABASE_URL=url)
    assert dry.returncode == 0 and "would apply (dry run, nothing changed)" in dry.stdout
    first = run(["org", "apply", "org.yaml"], tmp_path, DATABASE_URL=url)
    assert first.returncode == 0 and "people created: 5 (asha, sam, morgan, alex, robin)" in first.stdout, first.stdout
    again = run(["org", "apply", "org.yaml"], tmp_path, DATABASE_URL=url)
    assert "no changes: the database already matches the file" in again.stdout

    (tmp_path / "bad.yaml").write_text(example.replace("members: [asha, sam]", "members: [asha, zed]").replace(
        "email: sam.okafor@example.org", "email: not-an-email"))
    bad = run(["org", "apply", "bad.yaml"], tmp_path, DATABASE_URL=url)
    assert bad.returncode == 1 and bad.stdout == ""
    assert "nothing was applied" in bad.stderr
    assert "bad.yaml: people[1] (key 'sam').email: not an email address" in bad.stderr
    assert "bad.yaml: teams[0] (key 'community-nursing'): members: no person with key 'zed'" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert "no changes" in run(["org", "apply", "org.yaml"], tmp_path, DATABASE_URL=url).stdout

    missing = run(["org", "apply", "absent.yaml"], tmp_path, DATABASE_URL=url)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_an_unreachable_database_is_one_clear_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connection refused
        url = f"postgresql+asyncpg://bot:hunter2@127.0.0.1:{port}/nothing"
        result = run(["serve"], tmp_path, DATABASE_URL=url, PORT=str(free_port()))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL=postgresql+asyncpg://bot:***@127.0.0.1" in lines[0], result.stderr
    assert "hunter2" not in result.stderr


def test_a_missing_key_outside_local_mode_refuses_to_start(tmp_path):
    result = run(["serve"], tmp_path, BOUNDARY_LOCAL_MODE="false", PORT=str(free_port()))
    assert result.returncode == 1
    assert "encryption key" in result.stderr and "boundary-bot key generate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_script_library_refuses_to_start(tmp_path):
    (tmp_path / "bad.yaml").write_text("scripts:\n  - id: x\n")
    result = run(["serve"], tmp_path, BOUNDARY_RESPONSES_DIR=str(tmp_path), PORT=str(free_port()))
    assert result.returncode == 1 and "bad.yaml: scripts[0]" in result.stderr


def _wait_ready(port: int, process, limit=15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise AssertionError("serve did not become ready")


def test_serve_answers_and_sigterm_lets_an_in_flight_request_finish(tmp_path, database_url):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(DATABASE_URL=database_url, PORT=str(port))
    process = subprocess.Popen(CLI + ["serve"], cwd=tmp_path, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        _wait_ready(port, process)
        assert (tmp_path / "boundary-bot.key").exists()
        status, saved = asyncio.run(_report_in_flight_during_sigterm(process, port, database_url))
        assert status == 303 and saved == 1
        assert process.wait(timeout=15) == 0
        err = process.stderr.read()
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def _report_in_flight_during_sigterm(process, port, database_url):
    """Hold the database's write lock so a report submission is mid-handler, send SIGTERM,
    then let it go: the request must still complete and be saved."""
    import aiohttp
    from sqlalchemy import text

    from bot.machinery.storage.db import make_engine

    engine = make_engine(database_url)
    csrf = "0123456789abcdef0123456789abcdef"  # the page's token: cookie and field must match
    form = {"_form": "report", "category": "GIFT", "felt_unsafe": "no", "csrf": csrf}
    try:
        async with engine.connect() as conn, aiohttp.ClientSession(
                cookies={"bb_person": "asha", "bb_csrf": csrf},
                headers={"Origin": f"http://127.0.0.1:{port}"}) as web:
            transaction = await conn.begin()
            if engine.dialect.name == "sqlite":
                await conn.execute(text("INSERT INTO teams (key, name) VALUES ('lock', 'lock')"))
            else:
                await conn.execute(text("LOCK TABLE reports IN EXCLUSIVE MODE"))
            request = asyncio.create_task(
                web.post(f"http://127.0.0.1:{port}/chat/submit", data=form, allow_redirects=False)
            )
            await asyncio.sleep(0.5)
            assert not request.done(), "the request should be waiting for the lock"
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            await transaction.rollback()
            response = await asyncio.wait_for(request, 10)
            status = response.status
            response.release()
        async with engine.connect() as conn:
            saved = (await conn.execute(text("SELECT count(*) FROM reports"))).scalar_one()
        return status, saved
    finally:
        await engine.dispose()
