"""Turning date values into calendar dates, given the user's today (no clock, no time zones here).

Months and years move along the calendar and clamp the day to the month's end:
2024-01-31 +1m is 2024-02-29, 2023-01-31 +1m is 2023-02-28, 2024-02-29 +1y is 2025-02-28.
"""

from __future__ import annotations

import calendar
import datetime

from labora.work.query.ast import Date, NamedDate, RelativeDate

_NAMED_OFFSETS = {"today": 0, "yesterday": -1, "tomorrow": 1, "overdue": 0}


def resolve(value: Date | RelativeDate | NamedDate, today: datetime.date) -> datetime.date:
    """The calendar date `value` stands for when the user's date is `today`.

    `overdue` resolves to today: the compiler reads it as "due before today and not closed".
    Raises ValueError when the result falls outside 0001-01-01..9999-12-31.
    """
    if isinstance(value, Date):
        return value.value
    if isinstance(value, NamedDate):
        return _add_days(today, _NAMED_OFFSETS[value.name])
    if value.unit == "d":
        return _add_days(today, value.amount)
    if value.unit == "w":
        return _add_days(today, 7 * value.amount)
    if value.unit == "m":
        return add_months(today, value.amount)
    return add_months(today, 12 * value.amount)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months` calendar months, the day clamped to the target month's length."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise ValueError(f"{day.isoformat()} {months:+d} months is outside the calendar")
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _add_days(day: datetime.date, days: int) -> datetime.date:
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        raise ValueError(f"{day.isoformat()} {days:+d} days is outside the calendar") from None
