"""The organisation file's ``peer_support`` (the trained peer supporters, whom and where each
supports, when they are available, and how a request fans out to them), and the checks
between entries for supporters and standing deputies. (The contacts people are shown are the
organisation's ``contacts``, in ``bot.org.schema``.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from bot.features.volunteer import parse_windows
from bot.org.policy import describe_duration, parse_duration

Key = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

class SupporterSpec(BaseModel):
    """A trained peer supporter. ``teams``: whose members they support (none: anyone);
    ``sites``: where they can meet in person (none: anywhere, or by phone and video);
    ``availability``: when they take requests, in their own time zone."""

    model_config = ConfigDict(extra="forbid")

    who: Key
    teams: list[Key] = []
    sites: list[Text] = []
    availability: str = "Mon-Fri 08:00-18:00"

    @field_validator("availability")
    @classmethod
    def _availability(cls, value: str) -> str:
        if not parse_windows(value):
            raise ValueError("give at least one day and time, like Mon-Fri 08:00-18:00")
        return value


def _between(value: str | int, low: timedelta, high: timedelta) -> str | int:
    if not low <= parse_duration(value) <= high:
        raise ValueError(f"must be between {describe_duration(low)} and {describe_duration(high)}")
    return value


class PeerSupportSpec(BaseModel):
    """How a request for peer support reaches the supporters: ``wave_size`` at a time every
    ``wave_every``; nobody has accepted after ``widen_after``: everyone who matches is asked;
    still nobody after ``give_up_after``: the clinician is told, with the contacts."""

    model_config = ConfigDict(extra="forbid")

    supporters: Annotated[list[SupporterSpec], Field(max_length=500)] = []
    wave_size: Annotated[int, Field(ge=1, le=50)] = 3
    wave_every: str | int = "30m"
    widen_after: str | int = "2h"
    give_up_after: str | int = "1d"

    @field_validator("wave_every", "widen_after")
    @classmethod
    def _short(cls, value: str | int) -> str | int:
        return _between(value, timedelta(minutes=5), timedelta(days=1))

    @field_validator("give_up_after")
    @classmethod
    def _long(cls, value: str | int) -> str | int:
        return _between(value, timedelta(hours=1), timedelta(days=7))

    def policy_json(self) -> dict:
        return {"wave_size": self.wave_size, "wave_every_s": int(parse_duration(self.wave_every).total_seconds()),
                "widen_after_s": int(parse_duration(self.widen_after).total_seconds()),
                "give_up_after_s": int(parse_duration(self.give_up_after).total_seconds())}


def cross_check(document: dict, people: set, teams: set) -> list[str]:
    """Problems between entries: supporters and deputies who are not in the file."""
    problems = []
    support = document.get("peer_support")
    supporters = support.get("supporters") if isinstance(support, dict) else None
    seen = set()
    for i, entry in enumerate(supporters if isinstance(supporters, list) else []):
        if not isinstance(entry, dict):
            continue
        where = f"peer_support.supporters[{i}]"
        if entry.get("who") not in people:
            problems.append(f"{where}: no person with key {entry.get('who')!r}")
        if entry.get("who") in seen:
            problems.append(f"{where}: {entry.get('who')!r} is listed twice")
        seen.add(entry.get("who"))
        for team in entry.get("teams") or [] if isinstance(entry.get("teams"), list) else []:
            if team not in teams:
                problems.append(f"{where}.teams: no team with key {team!r}")
    for i, person in enumerate(document.get("people") or [] if isinstance(document.get("people"), list) else []):
        deputy = person.get("deputy") if isinstance(person, dict) else None
        if deputy is None:
            continue
        if deputy not in people:
            problems.append(f"people[{i}] (key {person.get('key')!r}): deputy: no person with key {deputy!r}")
        elif deputy == person.get("key"):
            problems.append(f"people[{i}] (key {person.get('key')!r}): deputy: someone else, not themselves")
    return problems
