"""``boundary-bot org sync``: make people match what Slack and Microsoft Graph list, by email.

Platform-neutral: the adapters read ``users.list`` and Graph's users into
:class:`Listed` entries (``adapters/directory_sources.py``); this module plans the changes (a
dry run prints them) and applies them in one audited transaction through the same
functions SCIM uses (``bot.org.directory``). Matching is by confirmed email only
(:func:`bot.org.directory.matching_email`); entries without one are counted and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from bot.feature import Registry
from bot.machinery.storage import identities
from bot.machinery.storage.models import Identity, Person
from bot.machinery.storage.repos import Tx
from bot.org import directory
from bot.port import events


@dataclass(frozen=True)
class Listed:
    """One account a source lists."""

    source: str  # "slack" | "graph"
    account_id: str  # Slack "T…:U…", Graph object id
    display_name: str
    email: str | None  # through matching_email: None when absent or not confirmed
    active: bool  # False: deleted in Slack, accountEnabled false in Graph
    identity: tuple[str, str, str] | None = None  # (platform, workspace, user) to link, if any


@dataclass
class SyncPlan:
    create: list[Listed] = field(default_factory=list)
    update: list[tuple[Person, Listed]] = field(default_factory=list)
    link: list[tuple[Person | None, Listed]] = field(default_factory=list)  # a platform identity to add
    deactivate: list[Person] = field(default_factory=list)
    skipped_without_email: int = 0
    sources: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.create or self.update or self.link or self.deactivate)

    def lines(self) -> list[str]:
        out = [f"+ create {e.display_name} <{e.email}> (from {e.source})" for e in self.create]
        out += [f"~ update {p.key}: {p.display_name!r} → {e.display_name!r}" if p.display_name != e.display_name
                else f"~ update {p.key}: directory now manages them" for p, e in self.update]
        out += [f"~ link {p.key if p else e.email} to their {e.identity[0]} account" for p, e in self.link]
        out += [f"- deactivate {p.key} ({p.display_name}): gone or disabled in {'/'.join(self.sources)}"
                for p in self.deactivate]
        out = out or ["no changes: people already match the directory"]
        if self.skipped_without_email:
            out.append(f"skipped {self.skipped_without_email} account(s) without a confirmed email")
        return out


def _prefixes(sources: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{s}:" for s in sources)


async def plan(tx: Tx, listed: list[Listed], sources: tuple[str, ...]) -> SyncPlan:
    """What would change. Deactivated: people whose every listed account is deleted or
    disabled, and people an earlier sync from these ``sources`` brought in that no source
    lists any more. Someone the sources don't list at all, and never brought in, is the
    organisation file's (or SCIM's) to manage, and is left alone."""
    result = SyncPlan(sources=sources)
    by_email: dict[str, list[Listed]] = {}
    for entry in listed:
        if entry.email is None:
            result.skipped_without_email += 1
        else:
            by_email.setdefault(entry.email, []).append(entry)
    rows = (await tx.session.scalars(select(Person))).all()
    people = {p.email.lower(): p for p in rows if p.email}
    known_identities = {(i.platform, i.workspace, i.user_id)
                        for i in (await tx.session.scalars(select(Identity))).all()}
    kept: set[int] = set()
    for email, entries in sorted(by_email.items()):
        active = [e for e in entries if e.active]
        person = people.get(email)
        if person is not None and active:
            kept.add(person.id)
            entry = active[0]
            if (person.display_name != entry.display_name or person.directory_active is not True
                    or not person.active and person.directory_active is not None):
                result.update.append((person, entry))
            for e in active:
                if e.identity and e.identity not in known_identities:
                    result.link.append((person, e))
        elif person is None and active:
            result.create.append(active[0])
            result.link += [(None, e) for e in active[1:] if e.identity]
        elif person is not None and person.active:
            # Every account of theirs is deleted or disabled: the directory says they left.
            result.deactivate.append(person)
            kept.add(person.id)  # listed once
    for person in rows:
        synced = person.external_id is not None and person.external_id.startswith(_prefixes(sources))
        if synced and person.active and person.id not in kept:
            result.deactivate.append(person)
    return result


async def apply(tx: Tx, features: Registry, planned: SyncPlan, now: datetime, actor_id: int | None = None) -> None:
    """Carry the plan out (the caller's transaction makes it all-or-nothing)."""
    for entry in planned.create:
        await directory.provision(tx, features, _as_directory(entry), now)
    for person, entry in planned.update:
        await directory.provision(tx, features, _as_directory(entry, person), now, person=person)
    await tx.session.flush()
    # Accounts are linked the way a first message links them (bot.machinery.storage.identities:
    # by confirmed email, held for an admin when two accounts claim one person, audited).
    for entry in [e for e in planned.create if e.identity] + [e for _, e in planned.link]:
        platform, workspace, user = entry.identity
        await identities.link_by_email(tx.session, tx.audit, events.Identity(platform, workspace, user, entry.email),
                                       now)
    for person in planned.deactivate:
        person.directory_active, person.directory_changed_at = False, now
        await directory.leave(tx, features, person, now)
    await tx.session.flush()
    await tx.audit.record(now, actor_id, "directory.synced", "organisation", 1)


def _as_directory(entry: Listed, person: Person | None = None) -> directory.DirectoryPerson:
    # A person a source already brought in keeps that source's id (two sources listing the
    # same email must not take turns).
    kept = person.external_id if person is not None and person.external_id else None
    return directory.DirectoryPerson(username=entry.email, display_name=entry.display_name[:200],
                                     email=entry.email, active=True,
                                     external_id=kept or f"{entry.source}:{entry.account_id}")

