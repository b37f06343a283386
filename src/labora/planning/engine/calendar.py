"""Working calendars and vectorised working-day arithmetic.

A :class:`Calendar` says which days are worked: working weekdays, holidays (non-working dates) and
extra working days (exceptions that make a normally free day a working day). Holidays win over
extra working days.

The scheduler never walks dates day by day. It converts dates once into *working-day positions*
with :class:`WorkingDays` and does all of its arithmetic on integers. Position ``x`` is the
boundary before the ``x``-th working day counted from the anchor (the project start), so a task
that starts at position ``s`` and lasts ``d`` working days ends at ``s + d``; its inclusive finish
date is the working day ``s + d - 1``.

:class:`WorkingDays` keeps a sorted NumPy array of the working dates over a horizon around the
anchor, built with ``numpy.is_busday`` over a ``numpy.busdaycalendar`` (working weekdays and
holidays) and then patched with the extra working days, which NumPy's business-day calendar
cannot express. Conversions are ``numpy.searchsorted`` and fancy indexing, so they take whole
arrays; the horizon grows on demand (positions stay stable when it grows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DateArray = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Calendar:
    """When work happens: working weekdays (0 = Monday ... 6 = Sunday), holidays, extra working days."""

    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.working_weekdays:
            raise ValueError("a calendar needs at least one working weekday")
        if not all(0 <= d <= 6 for d in self.working_weekdays):
            raise ValueError("working weekdays are 0 (Monday) to 6 (Sunday)")

    @classmethod
    def from_names(
        cls,
        working_days: Iterable[str],
        holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> Calendar:
        """Build from API.md's form: ``["mon", "tue", ...]`` and a list of holiday dates."""
        days = set()
        for name in working_days:
            key = name.strip().lower()[:3]
            if key not in WEEKDAY_NAMES:
                raise ValueError(f"unknown weekday {name!r}: use one of {', '.join(WEEKDAY_NAMES)}")
            days.add(WEEKDAY_NAMES.index(key))
        return cls(frozenset(days), frozenset(holidays), frozenset(extra_working_days))

    @property
    def weekmask(self) -> list[bool]:
        return [d in self.working_weekdays for d in range(7)]

    def is_working(self, day: date) -> bool:
        """One date; for arrays use :meth:`WorkingDays.is_working`."""
        if day in self.holidays:
            return False
        return day in self.extra_working_days or day.weekday() in self.working_weekdays


_CHUNK = 5 * 366  # days added to the horizon at a time


def to_datetime64(days: Iterable[date] | date) -> DateArray:
    if isinstance(days, date):
        return np.array([days], dtype="datetime64[D]")
    return np.array(list(days), dtype="datetime64[D]")


class WorkingDays:
    """Positions of working days around an anchor date for one calendar (see the module docstring).

    Position 0 is the first working day on or after ``anchor``. All methods accept and return NumPy
    arrays; the scalar helpers (``start_position``...) exist for the odd single lookup.
    """

    def __init__(self, calendar: Calendar, anchor: date) -> None:
        self.calendar = calendar
        self._bdc = np.busdaycalendar(
            weekmask=calendar.weekmask,
            holidays=to_datetime64(sorted(calendar.holidays)),
        )
        self._holidays = to_datetime64(sorted(calendar.holidays))
        self._extra = to_datetime64(sorted(calendar.extra_working_days - calendar.holidays))
        anchor64 = np.datetime64(anchor, "D")
        self._lo = anchor64 - np.timedelta64(400, "D")  # first date covered
        self._hi = anchor64 + np.timedelta64(3 * 366, "D")  # first date not covered
        self._days: DateArray = self._working_between(self._lo, self._hi)
        # position of self._days[0]: minus the number of working days before the anchor
        self._first = -int(np.searchsorted(self._days, anchor64, side="left"))

    # --- building the table ---------------------------------------------------------------

    def _working_between(self, lo: np.datetime64, hi: np.datetime64) -> DateArray:
        span = np.arange(lo, hi, dtype="datetime64[D]")
        mask = np.is_busday(span, busdaycal=self._bdc)
        if self._extra.size:
            mask |= np.isin(span, self._extra)
        return span[mask]

    def _grow_high(self, until: np.datetime64) -> None:
        while self._hi <= until:
            new_hi = self._hi + np.timedelta64(_CHUNK, "D")
            self._days = np.concatenate([self._days, self._working_between(self._hi, new_hi)])
            self._hi = new_hi

    def _grow_low(self, until: np.datetime64) -> None:
        while self._lo > until:
            new_lo = self._lo - np.timedelta64(_CHUNK, "D")
            head = self._working_between(new_lo, self._lo)
            self._days = np.concatenate([head, self._days])
            self._first -= head.size
            self._lo = new_lo

    def _cover_dates(self, dates: DateArray) -> None:
        if dates.size:
            self._grow_low(dates.min() - np.timedelta64(1, "D"))
            self._grow_high(dates.max() + np.timedelta64(1, "D"))

    def _cover_positions(self, positions: IntArray) -> None:
        if not positions.size:
            return
        lo, hi = int(positions.min()), int(positions.max())
        while lo - self._first < 0:
            self._grow_low(self._lo - np.timedelta64(1, "D"))
        while hi - self._first >= self._days.size:
            self._grow_high(self._hi)

    # --- vectorised conversions -----------------------------------------------------------

    def is_working(self, dates: DateArray) -> npt.NDArray[np.bool_]:
        dates = np.asarray(dates, dtype="datetime64[D]")
        mask = np.is_busday(dates, busdaycal=self._bdc)
        if self._extra.size:
            mask |= np.isin(dates, self._extra)
        return mask

    def positions_forward(self, dates: DateArray) -> IntArray:
        """Position of each date's working day, or of the next working day when it is not worked."""
        dates = np.asarray(dates, dtype="datetime64[D]")
        self._cover_dates(dates)
        # the first working day after a date may lie beyond the horizon
        idx = np.searchsorted(self._days, dates, side="left")
        while idx.size and int(idx.max()) >= self._days.size:
            self._grow_high(self._hi)
            idx = np.searchsorted(self._days, dates, side="left")
        return idx.astype(np.int64) + self._first

    def positions_backward(self, dates: DateArray) -> IntArray:
        """Position of each date's working day, or of the previous working day when it is not worked."""
        dates = np.asarray(dates, dtype="datetime64[D]")
        self._cover_dates(dates)
        idx = np.searchsorted(self._days, dates, side="right") - 1
        while idx.size and int(idx.min()) < 0:
            self._grow_low(self._lo - np.timedelta64(1, "D"))
            idx = np.searchsorted(self._days, dates, side="right") - 1
        return idx.astype(np.int64) + self._first

    def dates(self, positions: IntArray) -> DateArray:
        """The working date at each position."""
        positions = np.asarray(positions, dtype=np.int64)
        self._cover_positions(positions)
        return self._days[positions - self._first]

    def date_list(self, positions: IntArray) -> list[date]:
        """``dates(positions)`` as ``datetime.date`` objects. Many positions share few dates: each
        distinct date is made once (a table over the positions' span) and picked by index."""
        positions = np.asarray(positions, dtype=np.int64)
        if not positions.size:
            return []
        lo, hi = int(positions.min()), int(positions.max())
        if hi - lo > 2 * positions.size:  # a sparse span: convert directly
            direct: list[date] = self.dates(positions).tolist()
            return direct
        table = self.dates(np.arange(lo, hi + 1, dtype=np.int64)).astype(object)
        picked: list[date] = table[positions - lo].tolist()
        return picked

    def offset(self, dates: DateArray, working_days: IntArray) -> DateArray:
        """Like ``numpy.busday_offset(..., roll="forward")``: move each date by a number of working days."""
        return self.dates(self.positions_forward(dates) + np.asarray(working_days, dtype=np.int64))

    def count(self, begin: DateArray, end: DateArray) -> IntArray:
        """Like ``numpy.busday_count``: working days in ``[begin, end)`` (negative when end < begin)."""
        return self.positions_forward(end) - self.positions_forward(begin)

    # --- scalar helpers ---------------------------------------------------------------------

    def start_position(self, day: date) -> int:
        return int(self.positions_forward(to_datetime64(day))[0])

    def finish_position(self, day: date) -> int:
        """Position just after the last working day on or before ``day`` (the end of that day)."""
        return int(self.positions_backward(to_datetime64(day))[0]) + 1

    def date_at(self, position: int) -> date:
        value: date = self.dates(np.array([position], dtype=np.int64))[0].astype(object)
        return value

    def shift_elapsed(self, position: int, days: int, *, from_finish: bool) -> int:
        """Position reached by adding calendar days to a boundary.

        ``from_finish``: the boundary is the end of working day ``position - 1`` (a finish);
        otherwise the start of working day ``position`` (a start). The result rolls forward to
        working time.
        """
        if from_finish:
            day = self.date_at(position - 1) + timedelta(days=days)
            return int(self.positions_backward(to_datetime64(day))[0]) + 1
        day = self.date_at(position) + timedelta(days=days)
        return int(self.positions_forward(to_datetime64(day))[0])

    def latest_elapsed_source(self, limit: int, days: int, *, from_finish: bool) -> int:
        """The largest boundary ``x`` with ``shift_elapsed(x, days, from_finish) <= limit``."""
        if from_finish:
            day = self.date_at(limit) - timedelta(days=1 + days)
            return int(self.positions_backward(to_datetime64(day))[0]) + 1
        day = self.date_at(limit) - timedelta(days=days)
        return int(self.positions_backward(to_datetime64(day))[0])
