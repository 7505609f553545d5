"""The organisation file's working hours and holidays: a team's ``hours``, the organisation's
``holidays`` (the country and region whose public holidays every team keeps unless it says
otherwise) and ``closed`` (the organisation's own closure days)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.features.volunteer import parse_windows
from bot.org.hours import WorkingHours, check_calendar, check_timezone

Code = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z0-9-]{1,10}$")]


class HolidaysSpec(BaseModel):
    """``{country: GB, region: ENG}``: public holidays from the ``holidays`` library."""

    model_config = ConfigDict(extra="forbid")

    country: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")]
    region: Code | None = None

    def model_post_init(self, context) -> None:
        check_calendar(self.country, self.region)


class HoursSpec(BaseModel):
    """A team's working hours: ``days`` like "Mon-Fri 08:00-18:00; Sat 09:00-12:00"."""

    model_config = ConfigDict(extra="forbid")

    days: str = "Mon-Fri 08:00-18:00"
    timezone: str | None = None  # the organisation's unless given
    holidays: HolidaysSpec | None = None  # the organisation's unless given

    @field_validator("days")
    @classmethod
    def _days(cls, value: str) -> str:
        if not parse_windows(value):
            raise ValueError("give at least one day and time, like Mon-Fri 08:00-18:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return check_timezone(value)

    def hours(self, org_zone: str, org_holidays: HolidaysSpec | None, closed: list[date]) -> WorkingHours:
        place = self.holidays or org_holidays
        return WorkingHours.parse(self.days, self.timezone or org_zone, place.country if place else None,
                                  place.region if place else None, frozenset(closed))


Closed = Annotated[list[date], Field(max_length=366)]
