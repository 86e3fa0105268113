"""The pay-day schedule (DOMAIN §10) over a year of cutoffs.

Requests up to the 15th (JST, end of day) are paid at month end; from the 16th,
on the 15th of the next month; a pay day on a weekend or a Japanese bank holiday
(national holidays, 31 Dec – 3 Jan) moves to the business day before. The table
was written by hand from a calendar, not computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from chukai.payouts.selectors import cutoff_for, pay_date_for

JST = zoneinfo.ZoneInfo("Asia/Tokyo")

TABLE_2029 = [
    # (last request day of the window, the next window's first day, pay day of the first, of the second)
    ("2029-01-15", "2029-01-31", "2029-01-16", "2029-02-15"),
    ("2029-02-15", "2029-02-28", "2029-02-16", "2029-03-15"),
    ("2029-03-15", "2029-03-30", "2029-03-16", "2029-04-13"),  # 31 Mar Sat → Fri 30; 15 Apr Sun → Fri 13
    ("2029-04-15", "2029-04-27", "2029-04-16", "2029-05-15"),  # Golden Week: 29 Apr Sun, 30 Apr substitute holiday
    ("2029-05-15", "2029-05-31", "2029-05-16", "2029-06-15"),
    ("2029-06-15", "2029-06-29", "2029-06-16", "2029-07-13"),  # 30 Jun Sat; 15 Jul Sun
    ("2029-07-15", "2029-07-31", "2029-07-16", "2029-08-15"),
    ("2029-08-15", "2029-08-31", "2029-08-16", "2029-09-14"),  # 15 Sep Sat
    ("2029-09-15", "2029-09-28", "2029-09-16", "2029-10-15"),  # September ends on a Sunday
    ("2029-10-15", "2029-10-31", "2029-10-16", "2029-11-15"),
    ("2029-11-15", "2029-11-30", "2029-11-16", "2029-12-14"),  # 15 Dec Sat
    ("2029-12-15", "2029-12-28", "2029-12-16", "2030-01-15"),  # New Year: 31 Dec is a bank holiday
]


def _at(day: str, hh: int = 12, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hh, mm, ss), tzinfo=JST)


@pytest.mark.parametrize(("last", "pay1", "first", "pay2"), TABLE_2029)
def test_pay_day_for_each_window_of_2029(last, pay1, first, pay2):
    month_start = _at(last[:8] + "01", 0, 0, 0)
    assert pay_date_for(requested_at=month_start).isoformat() == pay1
    assert pay_date_for(requested_at=_at(last, 23, 59, 59)).isoformat() == pay1
    assert pay_date_for(requested_at=_at(first, 0, 0, 0)).isoformat() == pay2
    assert cutoff_for(pay_date=dt.date.fromisoformat(pay1)) == dt.datetime.combine(
        dt.date.fromisoformat(last), dt.time.max, tzinfo=JST
    )


@pytest.mark.parametrize(
    ("requested", "pay_day"),
    [
        ("2030-06-10", "2030-06-28"),  # S5: 30 June 2030 is a Sunday
        ("2030-06-16", "2030-07-12"),  # 15 July 2030 is Marine Day (Monday): back over the weekend too
        ("2030-12-20", "2031-01-15"),
        ("2030-12-01", "2030-12-30"),  # 31 Dec 2030 (Tue) is a bank holiday
        ("2031-01-31", "2031-02-14"),  # 15 Feb 2031 is a Saturday
        ("2032-02-29", "2032-03-15"),  # leap day requests belong to the second window
    ],
)
def test_more_pay_days(requested, pay_day):
    assert pay_date_for(requested_at=_at(requested)).isoformat() == pay_day


def test_the_day_changes_at_midnight_in_tokyo_not_in_utc():
    # 15:00 UTC on the 15th is already 00:00 on the 16th in Tokyo: the second window.
    late = dt.datetime(2029, 1, 15, 15, 0, tzinfo=dt.UTC)
    assert pay_date_for(requested_at=late) == dt.date(2029, 2, 15)
    assert pay_date_for(requested_at=late - dt.timedelta(microseconds=1)) == dt.date(2029, 1, 31)


def test_the_schedule_is_a_setting(settings):
    settings.CHUKAI_PAYOUT_SCHEDULE = [{"requests_until": 31, "pay_day": 25, "months_later": 1}]
    assert pay_date_for(requested_at=_at("2029-04-03")) == dt.date(2029, 5, 25)
    assert cutoff_for(pay_date=dt.date(2029, 5, 25)) == dt.datetime.combine(
        dt.date(2029, 4, 30), dt.time.max, tzinfo=JST
    )
