"""Which platform accounts the bot believes, and how an account comes to speak for a person.

- **Workspaces and tenants.** Requests from Slack and Teams are accepted only from the
  workspaces (Slack team ids) and tenants (Teams tenant ids) the organisation file lists
  (``organisation.slack_workspaces`` / ``organisation.teams_tenants``). A file that lists
  none for a platform accepts the workspaces its people's own ``identities`` name, and no
  other; a demo organisation (its people are made up) accepts any. The web chat is local
  only and has no workspace to check. Anything else is answered as an unknown person.
- **Linking by email.** An account seen for the first time, inside an accepted workspace,
  is linked to the active person whose email the platform gives as the account's own. The
  adapters pass an email only then: Slack's ``users.info`` with ``is_email_confirmed``,
  Teams' connector member (the Azure AD email or UPN of that object id).
- **Two accounts, one email.** When a new account claims by email a person who already has
  an account on the same platform (or a claim waiting), nobody is linked: the newcomer is
  held in ``identity_claims``; an earlier account linked only by email is held with it;
  one written in the organisation file or linked by an admin stands. Audited either way.
  An admin decides with ``boundary-bot identities``.
- **Every link is audited**: ``identity.linked``, ``identity.held``, ``identity.admin_linked``,
  ``identity.unlinked`` (ids only).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.machinery.storage import orgcache
from bot.machinery.storage.audit_chain import Audit
from bot.machinery.storage.models import Identity, IdentityClaim, Organisation, Person
from bot.machinery.storage.sql import insert_ignoring_duplicates
from bot.port import events

CHECKED_PLATFORMS = ("slack", "teams")
SETTING = {"slack": ("Slack workspaces", "slack_workspaces"), "teams": ("Teams tenants", "teams_tenants")}
HELD_BACK = ("email",)  # links that a competing claim holds back


def accepts(org: Organisation | None, identity: events.Identity) -> bool:
    """Whether a request from this account's workspace or tenant is believed at all."""
    if identity.platform not in CHECKED_PLATFORMS:
        return True
    if org is None:
        return False
    if org.is_demo:
        return True
    return identity.workspace in ((org.platforms or {}).get(identity.platform) or ())


def platforms_json(slack_listed: list[str], teams_listed: list[str], named: list[tuple[str, str]]) -> dict:
    """What the organisation row keeps: the lists given, or the workspaces its identities name."""
    found: dict[str, list[str]] = {}
    for platform, listed in (("slack", slack_listed), ("teams", teams_listed)):
        found[platform] = sorted(set(listed) or {w for p, w in named if p == platform})
    return found


async def link_by_email(session: AsyncSession, audit: Audit, identity: events.Identity,
                        at: datetime) -> None:
    """Link a new account to the person its confirmed email names, unless another account
    of the same platform claims them too (then hold both; see the module docstring)."""
    person = await session.scalar(select(Person).where(
        func.lower(Person.email) == (identity.email or "").strip().lower(), Person.active.is_(True)))
    if person is None:
        return
    rivals = (await session.scalars(select(Identity).where(
        Identity.person_id == person.id, Identity.platform == identity.platform,
        (Identity.workspace != identity.workspace) | (Identity.user_id != identity.user_id)))).all()
    waiting = await session.scalar(select(IdentityClaim.id).where(
        IdentityClaim.person_id == person.id, IdentityClaim.platform == identity.platform).limit(1))
    if rivals or waiting is not None:
        await _hold(session, identity, person.id, at)
        for rival in rivals:
            if rival.linked_by in HELD_BACK:  # the org file's and an admin's links stand
                await _hold(session, events.Identity(rival.platform, rival.workspace, rival.user_id), person.id, at)
                # A statement, not session.delete(): a click and a command from the new account
                # can arrive together, and the second finds the rival already gone.
                await session.execute(delete(Identity).where(Identity.id == rival.id))
                session.expunge(rival)
        await audit.record(at, None, "identity.held", "person", person.id)
        return
    # Two first events from the same new user can arrive together (a command and a
    # click): the second link is a no-op rather than a unique violation (both are audited).
    # A new link changes nothing anyone cached: not an organisation change (orgcache).
    changed_before = session.info.get(orgcache.CHANGED, False)
    await session.execute(insert_ignoring_duplicates(
        session, Identity,
        {"person_id": person.id, "platform": identity.platform, "workspace": identity.workspace,
         "user_id": identity.user_id, "linked_by": "email"},
        ["platform", "workspace", "user_id"],
    ))
    session.info[orgcache.CHANGED] = changed_before
    await audit.record(at, None, "identity.linked", "person", person.id)


async def _hold(session: AsyncSession, identity: events.Identity, person_id: int, at: datetime) -> None:
    await session.execute(insert_ignoring_duplicates(
        session, IdentityClaim,
        {"person_id": person_id, "platform": identity.platform, "workspace": identity.workspace,
         "user_id": identity.user_id, "claimed_at": at},
        ["platform", "workspace", "user_id"],
    ))


async def is_held(session: AsyncSession, identity: events.Identity) -> bool:
    return await session.scalar(select(IdentityClaim.id).where(
        IdentityClaim.platform == identity.platform, IdentityClaim.workspace == identity.workspace,
        IdentityClaim.user_id == identity.user_id)) is not None


async def claims(session: AsyncSession) -> list[tuple[IdentityClaim, Person]]:
    """Accounts waiting for an admin, oldest first."""
    rows = await session.execute(select(IdentityClaim, Person).join(Person, Person.id == IdentityClaim.person_id)
                                 .order_by(IdentityClaim.claimed_at, IdentityClaim.id))
    return [(claim, person) for claim, person in rows.all()]


async def admin_link(session: AsyncSession, audit: Audit, identity: events.Identity, person: Person,
                     admin_id: int | None, at: datetime) -> None:
    """An admin says this account is this person: link it, and drop its claim."""
    await session.execute(delete(IdentityClaim).where(
        IdentityClaim.platform == identity.platform, IdentityClaim.workspace == identity.workspace,
        IdentityClaim.user_id == identity.user_id))
    row = await session.scalar(select(Identity).where(
        Identity.platform == identity.platform, Identity.workspace == identity.workspace,
        Identity.user_id == identity.user_id))
    if row is None:
        session.add(Identity(person_id=person.id, platform=identity.platform, workspace=identity.workspace,
                             user_id=identity.user_id, linked_by="admin"))
    else:
        row.person_id, row.linked_by = person.id, "admin"
    await session.flush()
    await audit.record(at, admin_id, "identity.admin_linked", "person", person.id)


async def admin_unlink(session: AsyncSession, audit: Audit, identity: events.Identity,
                       admin_id: int | None, at: datetime) -> bool:
    """An admin says this account is nobody's: drop its link or its claim. (If it claims the
    person again while they have another account, it is held again.)"""
    person_ids = set((await session.scalars(select(Identity.person_id).where(
        Identity.platform == identity.platform, Identity.workspace == identity.workspace,
        Identity.user_id == identity.user_id))).all())
    person_ids |= set((await session.scalars(select(IdentityClaim.person_id).where(
        IdentityClaim.platform == identity.platform, IdentityClaim.workspace == identity.workspace,
        IdentityClaim.user_id == identity.user_id))).all())
    for table in (Identity, IdentityClaim):
        await session.execute(delete(table).where(
            table.platform == identity.platform, table.workspace == identity.workspace,
            table.user_id == identity.user_id))
    for person_id in sorted(person_ids):
        await audit.record(at, admin_id, "identity.unlinked", "person", person_id)
    return bool(person_ids)
