"""Every way into the core resolves people the same way: nobody from a workspace or tenant
the organisation does not list, whatever email they bring, and nothing is linked for them
(drafts included, which are read outside BoundaryBot.handle)."""

from sqlalchemy import select

from bot.app import BoundaryBot
from bot.machinery.storage.models import Identity, IdentityClaim
from bot.org import orgfile
from bot.port.events import Identity as Account

ORG = """
organisation: {name: Test Clinic, slack_workspaces: [T1], teams_tenants: [tenant-1]}
people:
  - {key: morgan, name: Morgan Manager, email: morgan@clinic.invalid,
     identities: [{platform: slack, workspace: T1, user: UMORGAN}]}
"""
MORGAN = Account("slack", "T1", "UMORGAN")
FOREIGN = (Account("slack", "T2", "UMORGAN", "morgan@clinic.invalid"),
           Account("slack", "T2", "UOTHER", "morgan@clinic.invalid"),
           Account("teams", "tenant-2", "aad-morgan", "morgan@clinic.invalid"))


async def test_foreign_accounts_resolve_to_nobody_and_link_nothing_on_any_path(db, sealer, library, clock):
    async with db.transaction() as tx:
        await orgfile.apply(tx, orgfile.parse(ORG), now=clock.now())
    bot = BoundaryBot(db, sealer, library, clock)
    assert await bot.save_draft(MORGAN, "report", {"details": "half a thought"})
    for account in FOREIGN:
        async with db.transaction() as tx:
            assert await tx.people.resolve(account) is None
        assert await bot.draft(account, "report") == {}
        assert not await bot.save_draft(account, "report", {"details": "x"})
    assert (await bot.draft(MORGAN, "report"))["details"] == "half a thought"
    async with db.transaction() as tx:
        assert [i.user_id for i in (await tx.session.scalars(select(Identity))).all()] == ["UMORGAN"]
        assert (await tx.session.scalars(select(IdentityClaim))).all() == []
