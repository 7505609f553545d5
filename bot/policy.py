"""Escalation policies: who is told, in what order, and how long each level has to answer.

A team's policy comes from the organisation file; a team without one gets
:data:`DEFAULT_POLICY`: the team's managers, 15 minutes to acknowledge, repeated twice,
then reminders every 4 hours until resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*(s|sec|m|min|h|hr|d|day)s?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}

MANAGERS = "managers"


def parse_duration(text: str | int) -> timedelta:
    """``"15m"``, ``"2h"``, ``"1d"``, ``"90s"`` (or a number of seconds)."""
    if isinstance(text, int):
        return timedelta(seconds=text)
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration (use e.g. 15m, 2h, 1d)")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])


def describe_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


@dataclass(frozen=True)
class Level:
    who: str | tuple[str, ...]  # "managers", or person keys
    wait: timedelta


@dataclass(frozen=True)
class Policy:
    levels: tuple[Level, ...]
    repeat_last: int
    remind_every: timedelta

    def to_json(self) -> dict:
        return {
            "levels": [
                {"who": lv.who if isinstance(lv.who, str) else list(lv.who), "wait_s": int(lv.wait.total_seconds())}
                for lv in self.levels
            ],
            "repeat_last": self.repeat_last,
            "remind_every_s": int(self.remind_every.total_seconds()),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Policy:
        if not data:
            return DEFAULT_POLICY
        return cls(
            levels=tuple(
                Level(lv["who"] if isinstance(lv["who"], str) else tuple(lv["who"]), timedelta(seconds=lv["wait_s"]))
                for lv in data["levels"]
            ),
            repeat_last=data["repeat_last"],
            remind_every=timedelta(seconds=data["remind_every_s"]),
        )

    def wait_at(self, level: int) -> timedelta:
        return self.levels[min(level, len(self.levels) - 1)].wait


DEFAULT_POLICY = Policy(levels=(Level(MANAGERS, timedelta(minutes=15)),), repeat_last=2,
                        remind_every=timedelta(hours=4))


@dataclass(frozen=True)
class ChaperonePolicy:
    """How a team's chaperone requests fan out, and when an unfilled one needs help.

    Urgent requests always go to every eligible volunteer at once; routine ones go in
    waves (or all at once, if the team prefers). At the deadline an unfilled request is
    widened to everyone eligible, and ``escalate_after`` later it goes to the requester's
    managers.
    """

    all_at_once: bool = False
    wave_size: int = 5
    wave_every: timedelta = timedelta(minutes=10)
    deadline_before: timedelta = timedelta(minutes=30)
    urgent_deadline_after: timedelta = timedelta(minutes=10)
    escalate_after: timedelta = timedelta(minutes=10)
    remind_before: timedelta = timedelta(minutes=15)

    def to_json(self) -> dict:
        return {
            "all_at_once": self.all_at_once,
            "wave_size": self.wave_size,
            **{name: int(getattr(self, name).total_seconds())
               for name in ("wave_every", "deadline_before", "urgent_deadline_after", "escalate_after", "remind_before")},
        }

    @classmethod
    def from_json(cls, data: dict | None) -> ChaperonePolicy:
        if not data:
            return DEFAULT_CHAPERONE_POLICY
        return cls(
            all_at_once=data["all_at_once"],
            wave_size=data["wave_size"],
            **{name: timedelta(seconds=data[name])
               for name in ("wave_every", "deadline_before", "urgent_deadline_after", "escalate_after", "remind_before")},
        )


DEFAULT_CHAPERONE_POLICY = ChaperonePolicy()
