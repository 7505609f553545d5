"""``boundary-bot identities``: a second account claiming a person's email is held until an
admin links or unlinks it, each decision audited; foreign workspaces and unconfirmed emails
never link at all."""

import asyncio

from sqlalchemy import select

from bot.machinery.storage.models import AuditEntry, Identity, IdentityClaim
from bot.org import orgfile
from bot.port.events import Command
from bot.port.events import Identity as Account
from tests.cli_harness import invoke
from tests.world import World

ORG = """
organisation: {name: Test Clinic, slack_workspaces: [T1]}
people:
  - {key: morgan, name: Morgan Manager, email: morgan@clinic.invalid}
  - {key: alex, name: Alex Admin, email: alex@clinic.invalid, admin: true,
     identities: [{platform: slack, workspace: T1, user: UALEX}]}
"""
REAL, SECOND = Account("slack", "T1", "UMORGAN", "morgan@clinic.invalid"), Account("slack", "T1", "UFAKE", "Morgan@Clinic.invalid")


async def cli(args, **env):
    return await asyncio.to_thread(invoke, args, **env)  # the command runs its own event loop


async def actions(db) -> list[str]:
    async with db.transaction() as tx:
        return list((await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all())


async def test_two_accounts_one_email_neither_linked_until_an_admin_decides(db, sealer, library, clock, tmp_path,
                                                                             database_url):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    world = World(db, sealer, library, clock)
    [hello] = await world.bot.handle(Command(REAL, "help"))
    assert "don't recognise you" not in str(hello)  # the first, with a confirmed email, is linked
    [refused] = await world.bot.handle(Command(SECOND, "help"))
    assert "don't recognise you" in refused.text
    # now neither speaks for Morgan: the earlier email link is held too
    assert "don't recognise you" in (await world.bot.handle(Command(Account("slack", "T1", "UMORGAN"), "help")))[0].text
    assert await actions(db) == ["identity.linked", "identity.held"]
    # another workspace never links, whatever email it brings
    assert "don't recognise you" in (await world.bot.handle(Command(
        Account("slack", "T9", "UMORGAN", "morgan@clinic.invalid"), "help")))[0].text

    env = {"DATABASE_URL": database_url, "BOUNDARY_KEY_FILE": str(tmp_path / "k.key"), "BOUNDARY_LOCAL_MODE": "1"}
    listed = await cli(["identities", "list"], **env)
    assert "2 held claim(s)" in listed.output and "slack:T1:UFAKE claims morgan" in listed.output
    assert (await cli(["identities", "link", "slack:T1:UMORGAN", "morgan", "--by", "alex"], **env)).exit_code == 0
    assert (await cli(["identities", "unlink", "slack:T1:UFAKE", "--by", "alex"], **env)).exit_code == 0
    assert (await cli(["identities", "unlink", "slack:T1:UFAKE"], **env)).exit_code == 1  # nothing left to drop
    async with db.transaction() as tx:
        assert (await tx.session.scalars(select(IdentityClaim))).all() == []
        linked = {(i.user_id, i.linked_by) for i in (await tx.session.scalars(select(Identity))).all()}
    assert linked == {("UALEX", "org_file"), ("UMORGAN", "admin")}
    assert (await actions(db))[-2:] == ["identity.admin_linked", "identity.unlinked"]
    assert "don't recognise you" not in str(await world.bot.handle(Command(Account("slack", "T1", "UMORGAN"), "help")))
    # the impostor comes back: held again, Morgan's admin link stands
    assert "don't recognise you" in (await world.bot.handle(Command(SECOND, "help")))[0].text
    assert "don't recognise you" not in str(await world.bot.handle(Command(Account("slack", "T1", "UMORGAN"), "help")))
