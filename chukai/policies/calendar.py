"""Day counts for deadlines: calendar days, or business days in Japan."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import holidays

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@functools.lru_cache(maxsize=64)
def _japan_holidays(year: int) -> holidays.HolidayBase:
    # National holidays plus the bank holidays of the New Year break (31 Dec - 3 Jan), when
    # banks, offices and our support office are closed.
    return holidays.country_holidays("JP", years=year, categories=(holidays.PUBLIC, holidays.BANK))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _japan_holidays(day.year)


def add_days(start: dt.datetime, days: int, *, business: bool = False) -> dt.datetime:
    """`start` plus `days`; with `business`, count only Japanese business days.

    A business-day window ends at the same time of day (Tokyo) on the n-th
    business day after the start.
    """
    if not business:
        return start + dt.timedelta(days=days)
    local = start.astimezone(TOKYO)
    day = local.date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return dt.datetime.combine(day, local.timetz()).astimezone(dt.UTC)
