"""The audit chain in operation: /healthz turns degraded when a hand edit breaks it, the
server writes anchors out, and `boundary-bot audit verify/anchor` work as commands."""

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text

from adapters.appkeys import BOT_KEY
from adapters.server import BACKGROUND_KEY, create_app
from bot.port.events import ButtonPressed, FormSubmitted, Identity
from tests.cli_harness import run
from tests.conftest import free_port, local_settings

ASHA = Identity("web", "demo", "asha")
REPORT = {"category": "GIFT", "setting": "in_person", "occurrence": "first", "felt_unsafe": "no"}

TAMPERING = {
    "edit": "UPDATE audit_log SET actor_id = NULL WHERE seq = 2",
    "delete": "DELETE FROM audit_log WHERE seq = 2",
    "insert": "INSERT INTO audit_log (org_id, seq, at, action, subject_type, subject_id, prev_hash, hash) "
              "SELECT 1, seq + 1, at, 'report.viewed', 'report', 1, hash, hash FROM audit_log WHERE seq = 3",
}


@pytest.fixture
async def running(database_url, tmp_path, clock):
    settings = local_settings(database_url, tmp_path, BOUNDARY_AUDIT_ANCHOR_FILE=str(tmp_path / "anchors.log"))
    app = create_app(settings, clock=clock, run_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", free_port())
    await site.start()
    yield f"http://127.0.0.1:{site._port}", app
    await runner.cleanup()


async def health(url):
    async with aiohttp.ClientSession() as http, http.get(url + "/healthz") as response:
        return response.status, await response.json()


async def three_audited_actions(bot):
    await bot.handle(FormSubmitted(ASHA, "report", REPORT))
    await bot.handle(ButtonPressed(ASHA, "report.withdraw", "1"))
    await bot.handle(FormSubmitted(ASHA, "report", REPORT))


@pytest.mark.parametrize("how", sorted(TAMPERING))
async def test_a_hand_edit_turns_healthz_degraded(running, clock, tmp_path, how):
    url, app = running
    bot, background = app[BOT_KEY], app[BACKGROUND_KEY]
    await three_audited_actions(bot)
    await background.watch_once()
    status, body = await health(url)
    assert (status, body["status"], body["audit_chain_broken"]) == (200, "ok", 0)
    anchors = (tmp_path / "anchors.log").read_text()
    assert 'audit-anchor {"org": 1, "seq": 3, "hash": "' in anchors  # written out at the first check

    async with bot.db.engine.begin() as conn:
        await conn.execute(text(TAMPERING[how]))
    clock.advance(minutes=5)
    await background.watch_once()
    status, body = await health(url)
    assert (status, body["status"], body["audit_chain_broken"]) == (200, "degraded", 1)


def test_audit_verify_and_anchor_commands(tmp_path, database_url):
    env = dict(DATABASE_URL=database_url, BOUNDARY_ENCRYPTION_KEY_FILE=str(tmp_path / "cli.key"),
               BOUNDARY_LOCAL_MODE="true")
    import asyncio

    from bot.machinery.crypto import load_sealer
    from bot.machinery.storage.audit_chain import SIGNING_PURPOSE
    from bot.machinery.storage.db import Database

    sealer = load_sealer(None, str(tmp_path / "cli.key"), create_if_missing=True)

    async def audited():
        db = Database(database_url)
        db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
        from datetime import UTC, datetime
        for n in range(4):
            async with db.transaction() as tx:
                await tx.audit.record(datetime.now(UTC), None, "report.viewed", "report", n)
        await db.dispose()

    asyncio.run(audited())
    intact = run(["audit", "verify"], tmp_path, **env)
    assert intact.returncode == 0 and "audit chain intact: 4 entries, head #4" in intact.stdout, intact.stderr
    anchor = run(["audit", "anchor", "--output", "kept/anchors.txt"], tmp_path, **env)
    assert anchor.returncode == 0 and anchor.stdout.startswith('audit-anchor {"org": 1, "seq": 4')
    assert (tmp_path / "kept" / "anchors.txt").read_text().strip() == anchor.stdout.strip()
    checked = run(["audit", "verify", "--anchor", "kept/anchors.txt"], tmp_path, **env)
    assert checked.returncode == 0 and "1 anchor(s) match" in checked.stdout

    async def tamper():
        db = Database(database_url)
        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE audit_log SET subject_id = 77 WHERE seq = 3"))
        await db.dispose()

    asyncio.run(tamper())
    broken = run(["audit", "verify", "--anchor", "kept/anchors.txt"], tmp_path, **env)
    assert broken.returncode == 2
    assert "the audit chain is BROKEN: entry #3 (id 3, report.viewed) was edited" in broken.stderr
    assert "Traceback" not in broken.stderr
    refused = run(["audit", "anchor"], tmp_path, **env)
    assert refused.returncode == 2 and "no anchor was written" in refused.stderr
    missing = run(["audit", "verify", "--anchor", "nowhere.txt"], tmp_path, **env)
    assert missing.returncode == 1 and "cannot read nowhere.txt" in missing.stderr


async def test_a_long_chain_is_checked_a_slice_per_tick(db, sealer, clock, monkeypatch):
    from bot.features.governance import audit as scheduled
    from bot.machinery.storage.audit_chain import SIGNING_PURPOSE

    monkeypatch.setattr(scheduled, "SLICE", 4)
    db.sign_audit_with(lambda: sealer.signer(SIGNING_PURPOSE))
    async with db.transaction() as tx:
        for n in range(10):
            await tx.audit.record(clock.now(), None, "report.viewed", "report", n)

    async def tick():
        async with db.transaction() as tx:
            flagged = await scheduled.check_chain(tx, clock.now())
            state = await scheduled.last_check(tx)
            return flagged, state.cursor_seq, state.checked_at

    assert await tick() == (0, 4, None)
    assert await tick() == (0, 8, None)
    assert await tick() == (0, None, clock.now())  # reached the head: the check is complete
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE audit_log SET subject_id = 99 WHERE seq = 6"))
    clock.advance(minutes=5)
    assert (await tick())[:2] == (0, 4)
    assert (await tick())[:2] == (1, None)  # the second slice holds the edited entry
    async with db.transaction() as tx:
        assert "entry #6" in (await scheduled.last_check(tx)).problem
