"""Resolving date values against the user's today: calendar months and years, clamped to month ends."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labora.work.query import Date, DateName, NamedDate, RelativeDate, Term, add_months, parse, resolve

D = datetime.date


@pytest.mark.parametrize(
    ("today", "value", "expected"),
    [
        (D(2026, 3, 10), RelativeDate(7, "d"), D(2026, 3, 17)),
        (D(2026, 3, 10), RelativeDate(-10, "d"), D(2026, 2, 28)),
        (D(2026, 3, 10), RelativeDate(0, "d"), D(2026, 3, 10)),
        (D(2026, 12, 28), RelativeDate(2, "w"), D(2027, 1, 11)),
        (D(2026, 3, 10), RelativeDate(-2, "w"), D(2026, 2, 24)),
        (D(2026, 3, 10), RelativeDate(1, "m"), D(2026, 4, 10)),
        (D(2026, 11, 15), RelativeDate(3, "m"), D(2027, 2, 15)),
        (D(2026, 1, 15), RelativeDate(-1, "m"), D(2025, 12, 15)),
        (D(2026, 3, 10), RelativeDate(1, "y"), D(2027, 3, 10)),
        (D(2026, 3, 10), RelativeDate(-1, "y"), D(2025, 3, 10)),
    ],
)
def test_relative_dates_count_days_weeks_months_and_years_from_today(
    today: datetime.date, value: RelativeDate, expected: datetime.date
) -> None:
    assert resolve(value, today) == expected


@pytest.mark.parametrize(
    ("today", "value", "expected"),
    [
        (D(2026, 1, 31), RelativeDate(1, "m"), D(2026, 2, 28)),
        (D(2024, 1, 31), RelativeDate(1, "m"), D(2024, 2, 29)),
        (D(2026, 3, 31), RelativeDate(1, "m"), D(2026, 4, 30)),
        (D(2026, 3, 31), RelativeDate(-1, "m"), D(2026, 2, 28)),
        (D(2024, 3, 31), RelativeDate(-1, "m"), D(2024, 2, 29)),
        (D(2026, 5, 31), RelativeDate(-3, "m"), D(2026, 2, 28)),
        (D(2026, 8, 31), RelativeDate(1, "m"), D(2026, 9, 30)),
        (D(2026, 12, 31), RelativeDate(2, "m"), D(2027, 2, 28)),
        (D(2026, 1, 30), RelativeDate(13, "m"), D(2027, 2, 28)),
    ],
)
def test_months_clamp_the_day_to_the_end_of_a_shorter_month(
    today: datetime.date, value: RelativeDate, expected: datetime.date
) -> None:
    assert resolve(value, today) == expected


@pytest.mark.parametrize(
    ("today", "value", "expected"),
    [
        (D(2024, 2, 29), RelativeDate(1, "y"), D(2025, 2, 28)),
        (D(2024, 2, 29), RelativeDate(-1, "y"), D(2023, 2, 28)),
        (D(2024, 2, 29), RelativeDate(4, "y"), D(2028, 2, 29)),
        (D(2024, 2, 29), RelativeDate(-4, "y"), D(2020, 2, 29)),
        (D(2096, 2, 29), RelativeDate(4, "y"), D(2100, 2, 28)),  # 2100 is not a leap year
        (D(1996, 2, 29), RelativeDate(4, "y"), D(2000, 2, 29)),  # 2000 is
        (D(2023, 2, 28), RelativeDate(1, "y"), D(2024, 2, 28)),
        (D(2024, 2, 28), RelativeDate(1, "d"), D(2024, 2, 29)),
        (D(2023, 2, 28), RelativeDate(1, "d"), D(2023, 3, 1)),
    ],
)
def test_leap_years_are_respected(today: datetime.date, value: RelativeDate, expected: datetime.date) -> None:
    assert resolve(value, today) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("today", D(2026, 3, 1)),
        ("yesterday", D(2026, 2, 28)),
        ("tomorrow", D(2026, 3, 2)),
        ("overdue", D(2026, 3, 1)),  # the boundary: due before today
    ],
)
def test_named_dates_resolve_around_today(name: DateName, expected: datetime.date) -> None:
    assert resolve(NamedDate(name), D(2026, 3, 1)) == expected


def test_an_absolute_date_ignores_today() -> None:
    assert resolve(Date(D(2020, 5, 17)), D(2026, 3, 1)) == D(2020, 5, 17)


def test_parsed_values_resolve_directly() -> None:
    node = parse("due<+1m")
    assert isinstance(node, Term)

    [value] = node.values
    assert isinstance(value, RelativeDate)
    assert resolve(value, D(2026, 1, 31)) == D(2026, 2, 28)


def test_results_outside_the_calendar_raise_value_error() -> None:
    with pytest.raises(ValueError, match="outside the calendar"):
        resolve(RelativeDate(1, "y"), D(9999, 6, 1))
    with pytest.raises(ValueError, match="outside the calendar"):
        resolve(RelativeDate(-1, "d"), D(1, 1, 1))
    with pytest.raises(ValueError, match="outside the calendar"):
        add_months(D(1, 1, 31), -1)


@given(
    today=st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)),
    months=st.integers(min_value=-1200, max_value=1200),
)
def test_adding_months_lands_in_the_right_month_on_the_same_or_the_last_day(today: datetime.date, months: int) -> None:
    result = add_months(today, months)

    assert (result.year * 12 + result.month) - (today.year * 12 + today.month) == months
    next_month_first = D(result.year + result.month // 12, result.month % 12 + 1, 1)
    last_day = (next_month_first - datetime.timedelta(days=1)).day
    assert result.day == min(today.day, last_day)
