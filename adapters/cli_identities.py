"""``boundary-bot identities …``: which platform accounts speak for which person, and the
accounts held back because two claimed the same email (bot/machinery/storage/identities.py).
An admin decides a held claim with ``link`` or ``unlink``; both are audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from sqlalchemy import select

from adapters.cli_governance import fail, open_signed, run, settings
from bot.port.events import Identity


@click.group()
def identities() -> None:
    """Platform accounts linked to people, and claims waiting for an admin."""


def _account(text: str) -> Identity:
    platform, _, rest = text.partition(":")
    workspace, _, user = rest.partition(":")
    if platform not in ("slack", "teams", "web") or not workspace or not user:
        fail(f"{text!r}: give an account as platform:workspace:user, e.g. slack:T0123:U0456")
    return Identity(platform, workspace, user)


async def _admin_id(tx, key: str | None) -> int | None:
    if key is None:
        return None
    admin = await tx.people.by_key(key)
    if admin is None or not admin.is_admin:
        fail(f"--by {key!r} is not an admin in the organisation file")
    return admin.id


@identities.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def identities_list(as_json: bool) -> None:
    """Every linked account (how it was linked) and every claim waiting for an admin."""
    from bot.machinery.storage import identities as rules
    from bot.machinery.storage.models import Identity as Row
    from bot.machinery.storage.models import Person

    async def go():
        database, _ = await open_signed(settings())
        try:
            async with database.transaction() as tx:
                linked = (await tx.session.execute(
                    select(Row, Person.key).join(Person, Person.id == Row.person_id)
                    .order_by(Person.key, Row.platform, Row.workspace))).all()
                waiting = await rules.claims(tx.session)
                return ([{"account": f"{r.platform}:{r.workspace}:{r.user_id}", "person": key,
                          "linked_by": r.linked_by or "unknown"} for r, key in linked],
                        [{"account": f"{c.platform}:{c.workspace}:{c.user_id}", "claims": p.key,
                          "since": c.claimed_at.isoformat()} for c, p in waiting])
        finally:
            await database.dispose()

    linked, waiting = run(go())
    if as_json:
        click.echo(json.dumps({"linked": linked, "held": waiting}, indent=2))
        return
    for row in linked:
        click.echo(f"{row['account']}  {row['person']}  ({row['linked_by']})")
    click.echo(f"{len(waiting)} held claim(s)" + (":" if waiting else "."))
    for row in waiting:
        click.echo(f"  {row['account']} claims {row['claims']} since {row['since']}: "
                   f"'identities link {row['account']} {row['claims']}' or 'identities unlink {row['account']}'")


@identities.command("link")
@click.argument("account")
@click.argument("person_key")
@click.option("--by", "admin_key", default=None, help="The admin deciding (their key), for the audit log.")
def identities_link(account: str, person_key: str, admin_key: str | None) -> None:
    """Say that ACCOUNT (platform:workspace:user) is PERSON_KEY: linked, its claim dropped."""
    from bot.machinery.storage import identities as rules

    wanted = _account(account)

    async def go():
        database, _ = await open_signed(settings())
        try:
            async with database.transaction() as tx:
                person = await tx.people.by_key(person_key)
                if person is None or not person.active:
                    fail(f"no active person with key {person_key!r}")
                await rules.admin_link(tx.session, tx.audit, wanted, person, await _admin_id(tx, admin_key),
                                       datetime.now(UTC))
        finally:
            await database.dispose()

    run(go())
    click.echo(f"{account} is now {person_key} (audited).")


@identities.command("unlink")
@click.argument("account")
@click.option("--by", "admin_key", default=None, help="The admin deciding (their key), for the audit log.")
def identities_unlink(account: str, admin_key: str | None) -> None:
    """Say that ACCOUNT (platform:workspace:user) is nobody: its link or claim is dropped."""
    from bot.machinery.storage import identities as rules

    wanted = _account(account)

    async def go():
        database, _ = await open_signed(settings())
        try:
            async with database.transaction() as tx:
                return await rules.admin_unlink(tx.session, tx.audit, wanted, await _admin_id(tx, admin_key),
                                                datetime.now(UTC))
        finally:
            await database.dispose()

    if not run(go()):
        fail(f"{account} is neither linked nor claiming anyone")
    click.echo(f"{account} is linked to nobody (audited).")
