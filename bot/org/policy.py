"""Escalation policies: who is told, in what order, and how long each level has to answer.

A team's policy comes from the organisation file; a team without one gets
:data:`DEFAULT_POLICY`: the team's managers, 15 minutes to acknowledge, repeated twice,
then reminders every 4 hours until resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

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


# --- referral policies --------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """How long receivers have to answer a referral. ``working_days`` counts Monday to
    Friday in the organisation's time zone and lands at the same local time ("1 working
    day" from Friday 10:00 is Monday 10:00); otherwise ``plain`` is a plain duration."""

    working_days: int = 0
    plain: timedelta = timedelta(0)

    @classmethod
    def parse(cls, text: str | int) -> Window:
        if isinstance(text, str) and (match := _DURATION.match(text)) and match.group(2).lower() in ("d", "day"):
            return cls(working_days=int(match.group(1)))
        return cls(plain=parse_duration(text))

    def to_json(self) -> str:
        return f"{self.working_days}d" if self.working_days else f"{int(self.plain.total_seconds())}s"

    def after(self, moment: datetime, zone: str, hours=None) -> datetime:
        """When the window ends. With the team's working hours (a
        :class:`bot.org.hours.WorkingHours`), working days also skip public holidays and
        closure days, counted in the team's zone."""
        if not self.working_days:
            return moment + self.plain
        if hours is not None:
            return hours.working_days_after(moment, self.working_days)
        local = moment.astimezone(ZoneInfo(zone))
        counted = 0
        while counted < self.working_days:
            local = (local.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=local.tzinfo)
            if local.weekday() < 5:
                counted += 1
        return local.astimezone(UTC)

    def describe(self) -> str:
        if self.working_days:
            return f"{self.working_days} working day{'s' if self.working_days != 1 else ''}"
        return describe_duration(self.plain)


@dataclass(frozen=True)
class ReferralPolicy:
    """A team's rules for its members' referrals: whether one of the team's managers must
    approve a referral before anyone is asked; how long receivers have to answer (routine and
    urgent) before they are reminded; and how long after that reminder the referrer's managers
    are told."""

    approval_required: bool = False
    answer_within: Window = Window(working_days=1)
    urgent_within: Window = Window(plain=timedelta(hours=2))
    manager_after: timedelta = timedelta(hours=4)
    urgent_manager_after: timedelta = timedelta(hours=1)
    approve_within: Window = Window(working_days=1)
    approval_fallback_after: timedelta = timedelta(hours=4)

    def window(self, urgent: bool) -> Window:
        return self.urgent_within if urgent else self.answer_within

    def escalate_after(self, urgent: bool) -> timedelta:
        return self.urgent_manager_after if urgent else self.manager_after

    def to_json(self) -> dict:
        return {
            "approval_required": self.approval_required,
            "answer_within": self.answer_within.to_json(),
            "urgent_within": self.urgent_within.to_json(),
            "manager_after_s": int(self.manager_after.total_seconds()),
            "urgent_manager_after_s": int(self.urgent_manager_after.total_seconds()),
            "approve_within": self.approve_within.to_json(),
            "approval_fallback_after_s": int(self.approval_fallback_after.total_seconds()),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> ReferralPolicy:
        if not data:
            return DEFAULT_REFERRAL_POLICY
        return cls(
            approval_required=data["approval_required"],
            answer_within=Window.parse(data["answer_within"]),
            urgent_within=Window.parse(data["urgent_within"]),
            manager_after=timedelta(seconds=data["manager_after_s"]),
            urgent_manager_after=timedelta(seconds=data["urgent_manager_after_s"]),
            # Policies stored before approvals had a deadline get the defaults.
            approve_within=Window.parse(data.get("approve_within", "1d")),
            approval_fallback_after=timedelta(seconds=data.get("approval_fallback_after_s", 4 * 3600)),
        )


DEFAULT_REFERRAL_POLICY = ReferralPolicy()
