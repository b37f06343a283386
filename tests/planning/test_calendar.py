"""Working-day arithmetic against a brute-force day-by-day reference (the loop lives in the test)."""

from __future__ import annotations

import bisect
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labora.planning.engine.calendar import Calendar, WorkingDays

ANCHOR = date(2025, 3, 3)

calendars = st.builds(
    Calendar,
    working_weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    holidays=st.frozensets(st.dates(date(2024, 1, 1), date(2026, 12, 31)), max_size=30),
    extra_working_days=st.frozensets(st.dates(date(2024, 1, 1), date(2026, 12, 31)), max_size=10),
)


def reference_working_days(cal: Calendar, lo: date, hi: date) -> list[date]:
    days = []
    day = lo
    while day <= hi:
        if cal.is_working(day):
            days.append(day)
        day += timedelta(days=1)
    return days


@settings(max_examples=40, deadline=None)
@given(cal=calendars, probe=st.lists(st.dates(date(2024, 1, 1), date(2026, 12, 31)), min_size=1, max_size=20))
def test_positions_match_a_day_by_day_count(cal: Calendar, probe: list[date]) -> None:
    wd = WorkingDays(cal, ANCHOR)
    ref = reference_working_days(cal, date(2023, 1, 1), date(2027, 12, 31))
    first_after_anchor = bisect.bisect_left(ref, ANCHOR)
    forward = wd.positions_forward(np.array(probe, dtype="datetime64[D]"))
    backward = wd.positions_backward(np.array(probe, dtype="datetime64[D]"))
    for day, f, b in zip(probe, forward, backward, strict=True):
        next_working = bisect.bisect_left(ref, day)  # first working day >= day
        prev_working = bisect.bisect_right(ref, day) - 1  # last working day <= day
        assert f == next_working - first_after_anchor
        assert b == prev_working - first_after_anchor
        assert wd.date_at(int(f)) == ref[next_working]


@settings(max_examples=30, deadline=None)
@given(cal=calendars, start=st.dates(date(2024, 6, 1), date(2025, 12, 31)), n=st.integers(-60, 60))
def test_offset_and_count_match_the_reference(cal: Calendar, start: date, n: int) -> None:
    wd = WorkingDays(cal, ANCHOR)
    ref = reference_working_days(cal, date(2023, 1, 1), date(2027, 12, 31))
    i = bisect.bisect_left(ref, start)  # roll forward, like busday_offset
    got = wd.offset(np.array([start], dtype="datetime64[D]"), np.array([n]))[0].astype(object)
    assert got == ref[i + n]
    end = start + timedelta(days=abs(n) * 2)
    expected = sum(1 for d in ref if start <= d < end)
    assert (
        int(wd.count(np.array([start], dtype="datetime64[D]"), np.array([end], dtype="datetime64[D]"))[0]) == expected
    )


def test_plain_week_agrees_with_numpy_busday_functions() -> None:
    cal = Calendar(holidays=frozenset({date(2025, 12, 25), date(2025, 12, 26)}))
    wd = WorkingDays(cal, ANCHOR)
    starts = np.array(["2025-03-07", "2025-12-24", "2025-06-14"], dtype="datetime64[D]")
    offsets = np.array([1, 1, 10])
    holidays = ["2025-12-25", "2025-12-26"]
    assert (wd.offset(starts, offsets) == np.busday_offset(starts, offsets, roll="forward", holidays=holidays)).all()
    assert (wd.count(starts, starts + 40) == np.busday_count(starts, starts + 40, holidays=holidays)).all()


def test_extra_working_day_and_holiday() -> None:
    saturday, monday = date(2025, 3, 8), date(2025, 3, 10)
    cal = Calendar(holidays=frozenset({monday}), extra_working_days=frozenset({saturday}))
    wd = WorkingDays(cal, date(2025, 3, 7))  # a Friday
    assert wd.date_at(0) == date(2025, 3, 7)
    assert wd.date_at(1) == saturday
    assert wd.date_at(2) == date(2025, 3, 11)


def test_far_dates_grow_the_horizon_without_moving_positions() -> None:
    wd = WorkingDays(Calendar(), ANCHOR)
    assert wd.start_position(ANCHOR) == 0
    far = wd.start_position(date(2060, 1, 5))
    past = wd.start_position(date(1990, 1, 1))
    assert wd.start_position(ANCHOR) == 0
    assert wd.date_at(far) == date(2060, 1, 5)
    assert wd.date_at(past) == date(1990, 1, 1)


def test_from_names() -> None:
    cal = Calendar.from_names(["mon", "Tue", "wednesday"], [date(2025, 1, 1)])
    assert cal.working_weekdays == frozenset({0, 1, 2})
    assert not cal.is_working(date(2025, 1, 1))
