"""The dashboard's filters, read from what the page (or the command line) asked for.

Coarse on purpose: whole weeks or months, one of my teams or all of them. Anything not
understood falls back to the default and says so, rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.machinery.storage.models import Team

UNITS = ("week", "month")
MAX_PERIODS = {"week": 104, "month": 36}
DEFAULT_PERIODS = {"week": 12, "month": 6}


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass
class Filters:
    unit: str
    start: date  # the first period's first day
    end: date  # the day after the last period
    teams: list[Team]
    team_choice: str  # a team id, or "all"
    everyone: bool = False  # an admin's "all teams": people in no team count too
    notes: list[str] = field(default_factory=list)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)

    def next_period(self, day: date) -> date:
        return day + timedelta(days=7) if self.unit == "week" else _add_month(day)

    def snap(self, day: date) -> date:
        return _week_start(day) if self.unit == "week" else _month_start(day)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def query(self) -> dict[str, str]:
        return {"unit": self.unit, "from": self.start.isoformat(), "to": self.last_day.isoformat(),
                "team": self.team_choice}


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def parse(params: dict[str, str], my_teams: list[Team], today: date, *, is_admin: bool) -> Filters:
    notes: list[str] = []
    unit = params.get("unit") or "week"
    if unit not in UNITS:
        notes.append("Showing weeks: the period must be week or month.")
        unit = "week"
    wanted = str(params.get("team") or "all")
    chosen = [t for t in my_teams if str(t.id) == wanted]
    if wanted != "all" and not chosen:
        # Another team's id looks exactly like a missing one.
        notes.append("That team isn't one you can see; showing all your teams.")
    teams = chosen or list(my_teams)
    team_choice = str(chosen[0].id) if chosen else "all"
    snap = _week_start if unit == "week" else _month_start
    step = (lambda d: d + timedelta(days=7)) if unit == "week" else _add_month
    last = _date(params.get("to")) or today
    if last > today:
        last = today
    end = step(snap(last))
    first = _date(params.get("from"))
    if first is None or first > last:
        if params.get("from"):
            notes.append("The start date was not understood or came after the end; showing the default range.")
        first = end
        for _ in range(DEFAULT_PERIODS[unit]):
            first = snap(first - timedelta(days=1))
    start = snap(first)
    count, day = 0, start
    while day < end:
        count, day = count + 1, step(day)
    if count > MAX_PERIODS[unit]:
        notes.append(f"At most {MAX_PERIODS[unit]} {unit}s at a time; showing the latest.")
        start = end
        for _ in range(MAX_PERIODS[unit]):
            start = snap(start - timedelta(days=1))
    if params.get("from") and _date(params.get("from")) and snap(_date(params["from"])) != _date(params["from"]):
        notes.append(f"Dates are rounded to whole {unit}s, so no one can be singled out by a narrow range.")
    return Filters(unit=unit, start=start, end=end, teams=teams, team_choice=team_choice,
                   everyone=is_admin and team_choice == "all", notes=notes)
