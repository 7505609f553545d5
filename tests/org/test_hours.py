"""Working hours and holidays: when a team is working, and how waits count working time."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.org.hours import WorkingHours, after, wait_until, when

LONDON = WorkingHours.parse("Mon-Fri 08:00-18:00", "Europe/London", "GB", "ENG", frozenset({date(2026, 12, 24)}))


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("moment", "opens"), [
    (utc(2026, 1, 5, 9), utc(2026, 1, 5, 9)),          # Monday, working: now
    (utc(2026, 1, 10, 19), utc(2026, 1, 12, 8)),       # Saturday evening: Monday 08:00
    (utc(2026, 1, 9, 18), utc(2026, 1, 12, 8)),        # Friday 18:00 sharp: closed
    (utc(2026, 4, 2, 18), utc(2026, 4, 7, 7)),         # Thursday before Easter: Tuesday 08:00 BST
    (utc(2026, 12, 23, 19), utc(2026, 12, 29, 8)),     # closure day, Christmas, Boxing Day (observed Monday)
])
def test_next_open_skips_nights_weekends_holidays_and_closures(moment, opens):
    assert LONDON.next_open(moment) == opens


def test_a_wait_counts_only_working_time():
    assert LONDON.add(utc(2026, 1, 9, 17, 55), timedelta(minutes=15)) == utc(2026, 1, 12, 8, 10)
    assert LONDON.add(utc(2026, 1, 10, 12), timedelta(hours=4)) == utc(2026, 1, 12, 12)
    assert LONDON.add(utc(2026, 1, 5, 9), timedelta(hours=12)) == utc(2026, 1, 6, 11)  # 9h Monday, 3h Tuesday


def test_working_days_land_at_the_same_local_time():
    assert LONDON.working_days_after(utc(2026, 1, 9, 10), 1) == utc(2026, 1, 12, 10)  # Friday → Monday
    assert LONDON.working_days_after(utc(2026, 4, 2, 9), 1) == utc(2026, 4, 7, 9)     # over Easter (BST)


def test_a_team_without_hours_never_waits_and_round_trips():
    now = utc(2026, 1, 10, 19)
    assert wait_until(None, now) == now and after(None, now, timedelta(minutes=15)) == now + timedelta(minutes=15)
    assert WorkingHours.from_json(LONDON.to_json()) == LONDON and WorkingHours.from_json(None) is None
    assert LONDON.describe() == ("Mon 08:00-18:00; Tue 08:00-18:00; Wed 08:00-18:00; Thu 08:00-18:00; "
                                 "Fri 08:00-18:00 (Europe/London), public holidays in GB-ENG, 1 closure day")


def test_when_names_the_readers_zone():
    assert when(utc(2026, 1, 12, 8, 15), "America/New_York") == "Mon 12 Jan, 03:15 (America/New_York)"
    assert when(utc(2026, 1, 12, 8, 15), None) == "Mon 12 Jan, 08:15 (UTC)"
