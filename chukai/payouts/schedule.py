"""The pay-day schedule (DOMAIN §10) from settings.CHUKAI_PAYOUT_SCHEDULE.

Requests made in a window (JST, whole days) are paid on the window's pay day,
moved back to the business day before when it falls on a weekend or a Japanese
bank holiday (the same calendar as business-day deadlines: chukai.policies.calendar).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings

from chukai.policies.calendar import TOKYO, is_business_day


def _day_in(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def business_day_on_or_before(day: dt.date) -> dt.date:
    while not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def _rules() -> list[dict[str, Any]]:
    return sorted(settings.CHUKAI_PAYOUT_SCHEDULE, key=lambda r: r["requests_until"])


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=TOKYO)


def window_for(requested_at: dt.datetime) -> tuple[dt.date, dt.datetime]:
    """(pay day, cutoff) of a request made at `requested_at`: the cutoff is the end of its window."""
    local = requested_at.astimezone(TOKYO).date()
    for rule in _rules():
        last = _day_in(local.year, local.month, rule["requests_until"])
        if local <= last:
            year, month = _add_months(local.year, local.month, rule["months_later"])
            nominal = _day_in(year, month, rule["pay_day"])
            return business_day_on_or_before(nominal), _end_of_day(last)
    raise ValueError("CHUKAI_PAYOUT_SCHEDULE does not cover the whole month")


def pay_date_for(requested_at: dt.datetime) -> dt.date:
    return window_for(requested_at)[0]


def cutoff_for(pay_date: dt.date) -> dt.datetime:
    """The last instant a request paid on `pay_date` may be made (and cancelled).

    For a day that is no pay day, the cutoff of the latest pay day on or before it.
    """
    best: tuple[dt.date, dt.datetime] | None = None
    for back in range(0, 4):
        year, month = _add_months(pay_date.year, pay_date.month, -back)
        for rule in _rules():
            pay, cutoff = window_for(_end_of_day(_day_in(year, month, rule["requests_until"])))
            if pay <= pay_date and (best is None or pay > best[0]):
                best = (pay, cutoff)
    assert best is not None
    return best[1]
