"""Importing a volunteer roster from CSV: every row checked, then all applied or none.

Columns (a header row is required; only ``key`` is mandatory):

    key,active,settings,sites,professions,windows,unavailable,timezone
    sam,yes,in_person;telehealth,North Wing,,Mon-Fri 08:00-18:00; Sat 09:00-12:00,2026-12-25,Europe/London

``settings``, ``sites`` and ``professions`` are separated by ``;`` (empty: every setting,
any site, anyone's sessions); ``windows`` are weekly times in the volunteer's ``timezone``
(default: the person's, else the organisation's); ``unavailable`` lists dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.content.taxonomy import Profession
from bot.features.volunteer.availability import DEFAULT_WINDOWS, parse_dates, parse_windows
from bot.features.volunteer.storage import VolunteerProfile
from bot.machinery.storage.repos import Tx

COLUMNS = ("key", "active", "settings", "sites", "professions", "windows", "unavailable", "timezone")
SETTINGS = ("in_person", "telehealth", "home_visit")
YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off"}


@dataclass
class RosterRow:
    line: int
    key: str
    active: bool
    settings: list[str]
    sites: list[str]
    professions: list[str]
    windows: list[dict]
    unavailable: list[str]
    timezone: str | None


@dataclass
class RosterResult:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def parse(text: str, source: str = "roster") -> RosterResult:
    """Check every row; problems name the file, the line and the column."""
    result = RosterResult()
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "key" not in [f.strip() for f in reader.fieldnames]:
        result.problems.append(f"{source}: the first line must be a header naming the columns, with at least 'key'")
        return result
    unknown = [f for f in reader.fieldnames if f.strip() not in COLUMNS]
    if unknown:
        result.problems.append(f"{source}: line 1: unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        where = f"{source}: line {number}"
        problems: list[str] = []
        key = row.get("key", "")
        if not key:
            problems.append(f"{where}: key: empty")
        elif key in seen:
            problems.append(f"{where}: key: {key!r} is also on line {seen[key]}")
        seen.setdefault(key, number)
        active_text = row.get("active", "").lower() or "yes"
        if active_text not in YES | NO:
            problems.append(f"{where}: active: {row['active']!r} is not yes or no")
        settings = _split(row.get("settings", "")) or list(SETTINGS)
        if bad := [s for s in settings if s not in SETTINGS]:
            problems.append(f"{where}: settings: {', '.join(bad)} (use {', '.join(SETTINGS)})")
        professions = _split(row.get("professions", ""))
        if bad := [p for p in professions if p not in {x.value for x in Profession}]:
            problems.append(f"{where}: professions: {', '.join(bad)} (use {', '.join(p.value for p in Profession)})")
        windows = [w.to_json() for w in DEFAULT_WINDOWS]
        if row.get("windows"):
            try:
                windows = [w.to_json() for w in parse_windows(row["windows"])]
            except ValueError as exc:
                problems.append(f"{where}: windows: {exc}")
        unavailable: list[str] = []
        try:
            unavailable = parse_dates(row.get("unavailable", ""))
        except ValueError as exc:
            problems.append(f"{where}: unavailable: {exc}")
        zone = row.get("timezone") or None
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                problems.append(f"{where}: timezone: unknown time zone {zone!r}")
        if problems:
            result.problems.extend(problems)
            continue
        result.rows.append(RosterRow(number, key, active_text in YES, settings, _split(row.get("sites", "")),
                                     professions, windows, unavailable, zone))
    return result


async def apply(tx: Tx, rows: list[RosterRow], now: datetime, source: str = "roster",
                progress: Callable[[int], None] = lambda _: None) -> tuple[int, int, list[str]]:
    """Create or replace each volunteer's profile. Returns (created, updated, problems):
    any problem (an unknown person, a site the organisation doesn't have) means the caller
    must roll back."""
    org = await tx.org.get()
    known_sites = set(org.sites or []) if org else set()
    created = updated = 0
    problems: list[str] = []
    for row in rows:
        person = await tx.people.by_key(row.key)
        if person is None or not person.active:
            problems.append(f"{source}: line {row.line}: key: no active person {row.key!r} in the organisation")
            progress(1)
            continue
        if known_sites and (bad := [s for s in row.sites if s not in known_sites]):
            problems.append(f"{source}: line {row.line}: sites: {', '.join(bad)} (the organisation's sites are "
                            f"{', '.join(sorted(known_sites))})")
        profile = await tx.session.get(VolunteerProfile, person.id)
        if profile is None:
            profile = VolunteerProfile(person_id=person.id)
            tx.session.add(profile)
            created += 1
        else:
            updated += 1
        profile.active = row.active
        profile.settings, profile.sites, profile.professions = row.settings, row.sites, row.professions
        profile.windows, profile.unavailable = row.windows, row.unavailable
        profile.timezone = row.timezone or person.timezone or (org.timezone if org else "UTC")
        profile.updated_at = now
        person.is_volunteer = person.is_volunteer or row.active
        progress(1)
    await tx.session.flush()
    return created, updated, problems
