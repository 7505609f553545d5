"""``boundary-bot doctor`` as a real process, against fake Slack and Teams services and a
running bot: all OK with a good configuration, and each of fourteen deliberately broken
settings named, with how to fix it, and exit code 1."""

from __future__ import annotations

import asyncio
import copy
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy.engine.url import make_url

from adapters.server import create_app
from adapters.slack.manifest import BOT_SCOPES, manifest
from bot.machinery.config import Settings
from bot.machinery.crypto import generate_key
from bot.machinery.storage.db import Database
from bot.org import orgfile
from tests.cli_harness import CLEARED
from tests.conftest import REPO, free_port
from tests.fake_connector import FakeConnector
from tests.fake_slack import BOT_TOKEN, CONFIG_TOKEN, SIGNING_SECRET, FakeSlack

APP_ID = "00000000-1111-2222-3333-444444444444"
EXAMPLE_ORG = REPO / "examples" / "org.yaml"


async def doctor(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(env)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "doctor", cwd=cwd, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert b"Traceback" not in err, err.decode()
    return process.returncode, out.decode()


@pytest.fixture
async def world(database_url, tmp_path):
    """A migrated database with the example organisation, fake Slack and Teams services, and
    the bot itself listening (the public endpoints doctor calls from outside)."""
    db = Database(database_url)
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.load(EXAMPLE_ORG))
    await db.dispose()
    slack = await FakeSlack().start()
    connector = FakeConnector()
    connector.login.secrets = {APP_ID: "client-secret"}  # the only secret the login service accepts
    await connector.start()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = {
        "DATABASE_URL": database_url, "BOUNDARY_ENCRYPTION_KEY": generate_key(), "BOUNDARY_PUBLIC_URL": public,
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url,
        "SLACK_CONFIG_TOKEN": CONFIG_TOKEN, "SLACK_APP_ID": "A0TEST",
        "MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "client-secret", "MicrosoftAppType": "MultiTenant",
        "BOUNDARY_TEAMS_LOGIN_URL": connector.login.url, "BOUNDARY_ORG_FILE": str(EXAMPLE_ORG),
        "SSL_CERT_FILE": connector.login.ca_file,  # trust the local login service's throwaway CA
    }
    slack.headers = {"x-oauth-scopes": ",".join(BOT_SCOPES)}
    slack.manifest = manifest(public, "/boundary")
    app = create_app(Settings(_env_file=None, **{k: v for k, v in env.items() if k != "SSL_CERT_FILE"}))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield env, slack, connector, tmp_path
    await runner.cleanup()
    await connector.stop()
    await slack.stop()


async def test_a_good_configuration_is_all_ok(world):
    env, _, _, cwd = world
    code, out = await doctor(env, cwd)
    assert code == 0, out
    assert "No problems found." in out and "PROBLEM" not in out
    for check in ("configuration", "encryption key", "database", "migrations", "slack auth.test", "slack scopes",
                  "slack manifest", "slack endpoint", "teams token", "teams messaging endpoint",
                  "organisation file"):
        assert f"OK       {check}" in out, (check, out)
    assert "within" in out  # the clock, compared with Slack's


def _refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _broken_cases(tmp: Path, public: str) -> list:
    readable_key = tmp / "shared.key"
    readable_key.write_text(generate_key() + "\n")
    readable_key.chmod(0o644)
    bad_org = tmp / "bad-org.yaml"
    bad_org.write_text(EXAMPLE_ORG.read_text().replace("email: sam.okafor@example.org", "email: not-an-email"))
    unlisted_org = tmp / "no-workspaces.yaml"
    unlisted_org.write_text("\n".join(
        line.replace("[T0123ABCD]", "[]") for line in EXAMPLE_ORG.read_text().splitlines()
        if "{platform: " not in line and not line.strip().startswith("identities:")))

    def scopes(slack, _):
        slack.headers["x-oauth-scopes"] = ",".join(s for s in BOT_SCOPES if s != "users:read.email")

    def moved(slack, _):
        slack.manifest["settings"]["interactivity"]["request_url"] = "https://old.example.org/slack/events"

    def skewed(slack, _):
        slack.headers["Date"] = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)

    dead = f"postgresql+asyncpg://bot:secret@127.0.0.1:{_refused_port()}/nothing"
    return [  # (what is broken, environment changes, fake changes, what doctor must say)
        ("log format", {"BOUNDARY_LOG_FORMAT": "xml"}, None, "BOUNDARY_LOG_FORMAT: Input should be 'text' or 'json'"),
        ("single tenant without tenant", {"MicrosoftAppType": "SingleTenant"}, None,
         "MicrosoftAppType is SingleTenant but MicrosoftAppTenantId is unset"),
        ("key file others can read", {"BOUNDARY_ENCRYPTION_KEY": "", "BOUNDARY_KEY_FILE": str(readable_key)}, None,
         f"chmod 600 {readable_key}"),
        ("not a key", {"BOUNDARY_ENCRYPTION_KEY": "not-a-key"}, None, "BOUNDARY_ENCRYPTION_KEY is not a valid key"),
        ("database unreachable", {"DATABASE_URL": dead}, None, "cannot reach the database at DATABASE_URL="),
        ("wrong Slack token", {"SLACK_BOT_TOKEN": "xoxb-wrong"}, None, "Slack refused SLACK_BOT_TOKEN (invalid_auth)"),
        ("a scope missing", {}, scopes, "the installed app lacks users:read.email"),
        ("manifest drift", {}, moved, "the interactivity request URL is https://old.example.org/slack/events"),
        ("wrong Teams password", {"MicrosoftAppPassword": "expired"}, None, "no token for MicrosoftAppId"),
        ("public URL elsewhere", {"BOUNDARY_PUBLIC_URL": f"http://127.0.0.1:{_refused_port()}"}, None,
         "/api/messages did not answer"),
        ("public URL not https", {"BOUNDARY_PUBLIC_URL": "http://bot.example.org"}, None,
         "BOUNDARY_PUBLIC_URL is not https://"),
        ("organisation file", {"BOUNDARY_ORG_FILE": str(bad_org)}, None, "email: not an email address"),
        ("no workspace listed", {"BOUNDARY_ORG_FILE": str(unlisted_org)}, None,
         "lists no Slack workspace: every request from it will be refused"),
        ("clock", {}, skewed, "s behind Slack's"),
        ("half-configured Slack", {"SLACK_SIGNING_SECRET": ""}, None,
         "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET nor SLACK_APP_TOKEN"),
    ]


async def test_each_broken_setting_is_named_with_how_to_fix_it(world, fresh_database_url):
    env, slack, connector, cwd = world
    cases = _broken_cases(cwd, env["BOUNDARY_PUBLIC_URL"])
    if fresh_database_url.startswith("sqlite"):
        Path(make_url(fresh_database_url).database).touch()  # an empty database, never migrated
    cases.append(("schema behind", {"DATABASE_URL": fresh_database_url}, None,
                  "migration(s) not applied (0001"))
    assert len(cases) >= 10
    slots = asyncio.Semaphore(4)

    async def check(what, changes, expected) -> None:
        async with slots:
            code, out = await doctor({**env, **changes}, cwd)
        flat = " ".join(out.split())
        assert code == 1 and expected in flat and "how to fix:" in flat, (what, out)
        for secret in ("client-secret", BOT_TOKEN, env["BOUNDARY_ENCRYPTION_KEY"], "expired"):
            assert secret not in out, (what, secret)

    # Broken settings run side by side; broken fakes one at a time (they share the fakes).
    outcomes = await asyncio.gather(*(check(what, changes, expected) for what, changes, fake, expected in cases
                                      if not fake), return_exceptions=True)
    for outcome in outcomes:  # every run finished before any failure is reported
        if isinstance(outcome, BaseException):
            raise outcome
    for what, changes, break_fake, expected in cases:
        if break_fake:
            saved_headers, saved_manifest = dict(slack.headers), copy.deepcopy(slack.manifest)
            break_fake(slack, connector)
            try:
                await check(what, changes, expected)
            finally:
                slack.headers, slack.manifest = saved_headers, saved_manifest
