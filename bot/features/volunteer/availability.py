"""Weekly availability windows and whether they cover a session.

Windows are kept in the volunteer's own time zone — "Mon-Fri 08:00-18:00" means local
office hours all year, across clock changes — and a session is checked in that zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY = {d.lower(): i for i, d in enumerate(DAYS)}
_PART = re.compile(
    r"^\s*(?P<first>[a-z]{3})[a-z]*(?:\s*-\s*(?P<last>[a-z]{3})[a-z]*)?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Window:
    day: int  # Monday = 0
    start: time
    end: time

    def to_json(self) -> dict:
        return {"day": self.day, "start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}

    @classmethod
    def from_json(cls, data: dict) -> Window:
        return cls(data["day"], time.fromisoformat(data["start"]), time.fromisoformat(data["end"]))


def parsed_windows(stored: Iterable[dict]) -> list[Window]:
    """Windows as stored (``[{"day": 0, "start": "08:00", "end": "18:00"}]``)."""
    return [Window.from_json(w) for w in stored]


def parse_windows(text: str) -> list[Window]:
    """``"Mon-Fri 08:00-18:00; Sat 09:00-12:00"`` → windows. Raises ValueError saying what is
    wrong with which part."""
    windows: list[Window] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = _PART.match(part)
        if not match:
            raise ValueError(f"{part!r} is not like 'Mon-Fri 08:00-18:00'")
        first, last = match["first"].lower(), (match["last"] or match["first"]).lower()
        if first not in _DAY or last not in _DAY:
            raise ValueError(f"{part!r}: days are Mon, Tue, Wed, Thu, Fri, Sat, Sun")
        try:
            start, end = time.fromisoformat(match["start"].zfill(5)), time.fromisoformat(match["end"].zfill(5))
        except ValueError:
            raise ValueError(f"{part!r}: times are like 08:00 or 17:30") from None
        if end <= start:
            raise ValueError(f"{part!r}: the end must be after the start (windows cannot cross midnight)")
        day, stop = _DAY[first], _DAY[last]
        while True:
            windows.append(Window(day, start, end))
            if day == stop:
                break
            day = (day + 1) % 7
    return windows


def describe_windows(windows: Iterable[Window]) -> str:
    return "; ".join(f"{DAYS[w.day]} {w.start:%H:%M}-{w.end:%H:%M}" for w in windows) or "no times given"


def covers(
    windows: Iterable[Window], unavailable: Iterable[str], zone: str, starts_at: datetime, minutes: int
) -> bool:
    """Whether one window holds the whole session, in the volunteer's zone, on a day they
    have not marked unavailable."""
    local_start = starts_at.astimezone(ZoneInfo(zone))
    local_end = local_start + timedelta(minutes=minutes)
    if local_end.date() != local_start.date():
        return False  # windows never cross midnight
    if local_start.date().isoformat() in set(unavailable):
        return False
    day = local_start.weekday()
    return any(
        w.day == day and w.start <= local_start.time() and local_end.time() <= w.end for w in windows
    )


def parse_dates(text: str) -> list[str]:
    """``"2026-12-24, 2026-12-25"`` → ISO dates, sorted, without repeats."""
    found = set()
    for part in filter(None, (p.strip() for p in re.split(r"[,;\s]+", text or ""))):
        try:
            found.add(date.fromisoformat(part).isoformat())
        except ValueError:
            raise ValueError(f"{part!r} is not a date like 2026-12-24") from None
    return sorted(found)


DEFAULT_WINDOWS = parse_windows("Mon-Fri 08:00-18:00")
