"""Working days: weekends and French public holidays (via the holidays package)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

# Imported with the module, not on the first card: holidays' registry loads every
# country's module on first use (about 0.1 s, which stalled every user's reply).
from holidays.countries.france import France


@lru_cache(maxsize=32)
def _french_holidays(year: int) -> frozenset[date]:
    """Return France's public holidays of a year."""
    return frozenset(France(years=year).keys())


def is_working_day(day: date, working_days: tuple[int, ...] = (1, 2, 3, 4, 5)) -> bool:
    """Say whether a day is worked: a working weekday that is not a public holiday."""
    return day.isoweekday() in working_days and day not in _french_holidays(day.year)


def next_working_day(day: date, working_days: tuple[int, ...] = (1, 2, 3, 4, 5)) -> date:
    """Return the day itself if worked, else the next worked day."""
    for _ in range(30):
        if is_working_day(day, working_days):
            return day
        day += timedelta(days=1)
    return day


def add_working_days(
    day: date, count: int, working_days: tuple[int, ...] = (1, 2, 3, 4, 5)
) -> date:
    """Move forward by a number of worked days."""
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1), working_days)
    return day
