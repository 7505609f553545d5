"""Working hours and holidays: when a team's non-urgent work may reach people.

A team's policy names its weekly hours ("Mon-Fri 08:00-18:00", in the team's time zone, which
is the organisation's unless the team gives its own), the country (and region) whose public
holidays it keeps — from the well-kept ``holidays`` library — and the organisation's own
closure days. Non-urgent escalations and reminders wait for the next working moment; safety
escalations never consult this at all.

A team without hours is always open: nothing waits (the behaviour before teams had hours).

Every moment shown to people about a deadline goes through :func:`when`, in the reader's own
time zone, naming the zone so nobody has to guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars

from bot.features.volunteer import Window, describe_windows, parse_windows

SEARCH_DAYS = 400  # a calendar with no working day in a year is refused when it is read


@lru_cache(maxsize=64)
def _calendar(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holiday_calendars.country_holidays(country, subdiv=subdivision, years=year))


def check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use a name like Europe/London)") from None
    return value


def check_calendar(country: str, subdivision: str | None) -> None:
    """Raise ValueError with a readable message if the library does not know the place."""
    try:
        holiday_calendars.country_holidays(country, subdiv=subdivision, years=2026)
    except NotImplementedError:
        raise ValueError(f"no public holiday calendar for country {country!r}") from None
    except ValueError as exc:
        raise ValueError(f"{country}: {exc}") from None


@dataclass(frozen=True)
class WorkingHours:
    windows: tuple[Window, ...]
    zone: str = "UTC"
    country: str | None = None
    subdivision: str | None = None
    closed: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str, zone: str = "UTC", country: str | None = None, subdivision: str | None = None,
              closed: frozenset[date] = frozenset()) -> WorkingHours:
        return cls(tuple(parse_windows(text)), zone, country, subdivision, frozenset(closed))

    # --- the calendar --------------------------------------------------------------------

    def holiday(self, day: date) -> bool:
        if day in self.closed:
            return True
        return bool(self.country) and day in _calendar(self.country, self.subdivision, day.year)

    def is_working_day(self, day: date) -> bool:
        return not self.holiday(day) and any(w.day == day.weekday() for w in self.windows)

    def _windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open spans of one local day, as aware local datetimes, in order."""
        if not self.is_working_day(day):
            return []
        zone = ZoneInfo(self.zone)
        return sorted((datetime.combine(day, w.start, zone), datetime.combine(day, w.end, zone))
                      for w in self.windows if w.day == day.weekday())

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.zone))
        return any(start <= local < end for start, end in self._windows_on(local.date()))

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` if the team is working then, else when it next starts (in UTC)."""
        local = moment.astimezone(ZoneInfo(self.zone))
        for offset in range(SEARCH_DAYS):
            for start, end in self._windows_on(local.date() + timedelta(days=offset)):
                if local < end:
                    return max(start, local).astimezone(UTC)
        return moment  # no working day within a year: never hold anything back for ever

    def add(self, moment: datetime, delta: timedelta) -> datetime:
        """``delta`` of working time after ``moment`` (a 15-minute wait raised at 17:55 on a
        Friday ends at 08:10 on Monday)."""
        left = delta
        local = moment.astimezone(ZoneInfo(self.zone))
        for offset in range(SEARCH_DAYS):
            for start, end in self._windows_on(local.date() + timedelta(days=offset)):
                if end <= local:
                    continue
                begin = max(start, local)
                if begin + left <= end:
                    return (begin + left).astimezone(UTC)
                left -= end - begin
        return moment + delta

    def working_days_after(self, moment: datetime, days: int) -> datetime:
        """The same local time ``days`` working days later (weekends, public holidays and
        closure days skipped)."""
        local = moment.astimezone(ZoneInfo(self.zone))
        counted, day = 0, local.date()
        for _ in range(SEARCH_DAYS):
            if counted >= days:
                break
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, local.time(), ZoneInfo(self.zone)).astimezone(UTC)

    # --- words and storage ---------------------------------------------------------------

    def describe(self) -> str:
        where = f", public holidays in {self.country}{'-' + self.subdivision if self.subdivision else ''}" \
            if self.country else ""
        closures = f", {len(self.closed)} closure day{'s' if len(self.closed) != 1 else ''}" if self.closed else ""
        return f"{describe_windows(self.windows)} ({self.zone}){where}{closures}"

    def to_json(self) -> dict:
        return {"windows": [w.to_json() for w in self.windows], "zone": self.zone, "country": self.country,
                "subdivision": self.subdivision, "closed": sorted(d.isoformat() for d in self.closed)}

    @classmethod
    def from_json(cls, data: dict | None) -> WorkingHours | None:
        if not data:
            return None
        return cls(tuple(Window.from_json(w) for w in data["windows"]), data.get("zone") or "UTC",
                   data.get("country"), data.get("subdivision"),
                   frozenset(date.fromisoformat(d) for d in data.get("closed") or ()))


def wait_until(hours: WorkingHours | None, moment: datetime) -> datetime:
    """When something non-urgent due at ``moment`` may go out: at once for a team without hours."""
    return hours.next_open(moment) if hours else moment


def after(hours: WorkingHours | None, moment: datetime, delta: timedelta) -> datetime:
    """A wait of ``delta`` counted in working time (plain time for a team without hours)."""
    return hours.add(moment, delta) if hours else moment + delta


def when(moment: datetime, zone: str | None) -> str:
    """A moment as its reader should see it: their own zone, and which zone that is
    ("Mon 5 Jan, 08:00 (Europe/London)")."""
    zone = zone or "UTC"
    return f"{moment.astimezone(ZoneInfo(zone)):%a %-d %b, %H:%M} ({zone})"


def day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(UTC)
