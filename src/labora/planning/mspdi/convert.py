"""From an MSPDI project to the engine's inputs (and back from a schedule to MSPDI tasks).

Conventions (docs/scheduling.md explains each difference from MS Project they cause):
- durations and lags become whole working days: minutes / the project's MinutesPerDay, rounded
  up for durations (a 4-hour task occupies its day) and to the nearest day for lags;
- elapsed durations (``ed``, ``eh``...) become working days at the calendar's working days per
  week / 7, rounded up; elapsed lags stay elapsed (calendar days) in the engine;
- percent lags (``LagFormat`` 19/20) are a share of the predecessor's duration;
- the engine takes one calendar: the project's (task and resource calendars are not applied);
  a calendar exception with working times is a whole working day, one without a non-working day.
"""

from __future__ import annotations

import calendar as pycal
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from labora.planning.engine.calendar import Calendar
from labora.planning.engine.model import ConstraintType, Dependency, DependencyType, Task
from labora.planning.mspdi.model import (
    CONSTRAINT_NAMES,
    ELAPSED_FORMATS,
    LINK_TYPE_NAMES,
    PERCENT_FORMATS,
    CalendarException,
    MspdiCalendar,
    MspdiProject,
    MspdiTask,
    Recurrence,
)

_EPSILON = 1e-6


@dataclass(frozen=True)
class EngineInput:
    calendar: Calendar
    project_start: date
    tasks: list[Task]
    dependencies: list[Dependency]
    skipped: list[str]  # what was left out and why


def schedulable_tasks(project: MspdiProject) -> list[MspdiTask]:
    """The tasks a schedule covers: not the project summary (outline level 0), not blank rows."""
    return [t for t in project.tasks if not t.is_null and t.outline_level > 0]


def _chain(project: MspdiProject, uid: int | None) -> list[MspdiCalendar]:
    """An MSPDI calendar (the project's by default) then its base calendars."""
    cal = project.calendar(project.calendar_uid if uid is None else uid)
    chain: list[MspdiCalendar] = []
    seen: set[int] = set()
    cur: MspdiCalendar | None = cal
    while cur is not None and cur.uid not in seen:
        chain.append(cur)
        seen.add(cur.uid)
        cur = project.calendar(cur.base_uid) if cur.base_uid is not None else None
    return chain


def holiday_names(project: MspdiProject, uid: int | None = None) -> dict[date, str]:
    """The Name of each non-working exception's dates ("Christmas Day"), derived calendars winning;
    dates whose exception has no name (or just "Holiday") are left out. The engine calendar says
    which dates are holidays."""
    names: dict[date, str] = {}
    for c in reversed(_chain(project, uid)):
        for ex in c.exceptions:
            for day in exception_dates(ex):
                name = " ".join(ex.name.split())
                # "Holiday" is what an unnamed holiday is called on export (and shown as anyway)
                if not ex.working and name and name.lower() != "holiday":
                    names[day] = name
                else:
                    names.pop(day, None)
    return names


def engine_calendar(project: MspdiProject, uid: int | None = None) -> Calendar:
    """The engine calendar of an MSPDI calendar (the project's by default), base calendars resolved."""
    chain = _chain(project, uid)
    if not chain:
        return Calendar()
    weekdays: dict[int, bool] = {}
    for c in reversed(chain):  # the base first, then what derived calendars override
        for wd in c.weekdays:
            weekdays[wd.day] = wd.working
    working = frozenset(d for d, w in weekdays.items() if w) if weekdays else frozenset(range(5))
    holidays: set[date] = set()
    extra: set[date] = set()
    for c in reversed(chain):
        for ex in c.exceptions:
            for day in exception_dates(ex):
                if ex.working:
                    holidays.discard(day)
                    extra.add(day)
                else:
                    extra.discard(day)
                    holidays.add(day)
    extra = {d for d in extra if d.weekday() not in working}
    holidays = {d for d in holidays if d.weekday() in working or d in extra}
    return Calendar(working or frozenset(range(5)), frozenset(holidays), frozenset(extra))


def exception_dates(ex: CalendarException) -> Iterator[date]:
    """The dates an exception covers, recurrences expanded (Project 2007+ Exception/Type)."""
    rec = ex.recurrence
    if rec is None or rec.kind == 9:
        yield from _days(ex.start, ex.finish)
        return
    count = 0
    limit = rec.occurrences if rec.occurrences else None
    for day in _recurrence(ex, rec):
        if day > ex.finish or (limit is not None and count >= limit):
            return
        if day >= ex.start:
            count += 1
            yield day


def _days(start: date, finish: date) -> Iterator[date]:
    day = start
    while day <= finish:  # a calendar exception's own range, not schedule arithmetic
        yield day
        day += timedelta(days=1)


def _nth(year: int, month: int, item: int | None, position: int | None) -> date | None:
    """The ``position``-th (4 = last) ``item`` (0 day, 1 weekday, 2 weekend day, 3 Sunday...) of a month."""
    last = pycal.monthrange(year, month)[1]
    days = [date(year, month, d) for d in range(1, last + 1)]
    item = 0 if item is None else item
    if item == 1:
        days = [d for d in days if d.weekday() < 5]
    elif item == 2:
        days = [d for d in days if d.weekday() >= 5]
    elif 3 <= item <= 9:
        wanted = (item - 3 + 6) % 7  # 3 = Sunday -> 6
        days = [d for d in days if d.weekday() == wanted]
    pos = 4 if position is None else position
    if pos >= 4:
        return days[-1] if days else None
    return days[pos] if pos < len(days) else None


def _recurrence(ex: CalendarException, rec: Recurrence) -> Iterator[date]:
    start, period = ex.start, max(1, rec.period)
    if rec.kind in (1, 7):  # daily / every n days
        step = 1 if rec.kind == 1 else period
        day = start
        while day <= ex.finish:
            yield day
            day += timedelta(days=step)
    elif rec.kind == 8:  # every n weekdays
        day, n = start, 0
        while day <= ex.finish:
            if day.weekday() < 5:
                if n % period == 0:
                    yield day
                n += 1
            day += timedelta(days=1)
    elif rec.kind == 6:  # weekly: weeks start on Sunday, bit 1 = Sunday
        week = start - timedelta(days=(start.weekday() + 1) % 7)
        while week <= ex.finish:
            for offset in range(7):
                day = week + timedelta(days=offset)
                bit = 1 << ((day.weekday() + 1) % 7)
                if rec.days_of_week & bit and day >= start:
                    yield day
            week += timedelta(weeks=period)
    elif rec.kind in (4, 5):  # monthly by day / by position
        year, month = start.year, start.month
        while date(year, month, 1) <= ex.finish:
            if rec.kind == 4:
                last = pycal.monthrange(year, month)[1]
                day_or_none: date | None = date(year, month, min(rec.month_day or 1, last))
            else:
                day_or_none = _nth(year, month, rec.month_item, rec.month_position)
            if day_or_none is not None:
                yield day_or_none
            month += period
            while month > 12:
                month -= 12
                year += 1
    elif rec.kind in (2, 3):  # yearly by day / by position
        month = (rec.month or 0) + 1
        for year in range(start.year, ex.finish.year + 1):
            if rec.kind == 2:
                last = pycal.monthrange(year, month)[1]
                yield date(year, month, min(rec.month_day or 1, last))
            else:
                found = _nth(year, month, rec.month_item, rec.month_position)
                if found is not None:
                    yield found
    else:
        yield from _days(ex.start, ex.finish)


def _finish_date(value: datetime, project: MspdiProject) -> date:
    """A finish saved at the start of a working day (08:00) ends the working day before it."""
    if value.time() <= project.default_start_time:
        return value.date() - timedelta(days=1)
    return value.date()


def working_days(minutes: float, project: MspdiProject, *, elapsed: bool = False, cal: Calendar | None = None) -> int:
    if elapsed:
        per_week = len(cal.working_weekdays) if cal else 5
        return math.ceil(minutes / 1440 * per_week / 7 - _EPSILON) if minutes > 0 else 0
    return math.ceil(minutes / project.minutes_per_day - _EPSILON) if minutes > 0 else 0


def to_engine(project: MspdiProject, *, honour_manual: bool = True) -> EngineInput:
    """Tasks, dependencies, calendar and start date for :func:`labora.planning.engine.schedule`.

    Task ids are the MSPDI UIDs. ``honour_manual=False`` schedules manually scheduled tasks
    automatically (to compare a Project 2010+ file with what the links alone give).
    """
    cal = engine_calendar(project)
    tasks = schedulable_tasks(project)
    by_uid = {t.uid: t for t in tasks}
    parents = {t.parent_uid for t in tasks if t.parent_uid is not None}
    out_tasks: list[Task] = []
    skipped: list[str] = []
    durations: dict[int, int] = {}
    for t in tasks:
        days = working_days(t.duration_minutes, project, elapsed=t.elapsed_duration, cal=cal)
        if t.milestone and t.duration_minutes <= 0:
            days = 0
        durations[t.uid] = days
        constraint = ConstraintType.ASAP
        name = CONSTRAINT_NAMES.get(t.constraint_type, "ASAP")
        if name == "ALAP":
            skipped.append(f"task {t.uid}: as late as possible is scheduled as soon as possible")
        elif name != "ASAP" and t.constraint_date is not None:
            constraint = ConstraintType(name)
        cdate = None
        if constraint != ConstraintType.ASAP and t.constraint_date is not None:
            finish_kind = constraint in (ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO)
            cdate = _finish_date(t.constraint_date, project) if finish_kind else t.constraint_date.date()
        manual = honour_manual and t.manual and t.uid not in parents
        out_tasks.append(
            Task(
                id=t.uid,
                duration_days=days,
                is_milestone=t.milestone,
                parent=t.parent_uid if t.parent_uid in by_uid else None,
                constraint=constraint,
                constraint_date=cdate,
                actual_start=t.actual_start.date() if t.actual_start else None,
                actual_finish=_finish_date(t.actual_finish, project)
                if t.actual_finish and days
                else (t.actual_finish.date() if t.actual_finish else None),
                manually_scheduled=manual,
                start=t.start.date() if manual and t.start else None,
                finish=(_finish_date(t.finish, project) if days else t.finish.date()) if manual and t.finish else None,
            )
        )
    deps: list[Dependency] = []
    for t in tasks:
        for link in t.predecessors:
            if link.predecessor_uid not in by_uid:
                skipped.append(f"task {t.uid}: link from unknown or blank task {link.predecessor_uid}")
                continue
            minutes = link.lag / 10
            elapsed = link.lag_format in ELAPSED_FORMATS and link.lag_format not in PERCENT_FORMATS
            if link.lag_format in PERCENT_FORMATS:
                lag = round(durations[link.predecessor_uid] * minutes / 100)  # the value is a percentage
            elif elapsed:
                lag = _round(minutes / 1440)
            else:
                lag = _round(minutes / project.minutes_per_day)
            deps.append(
                Dependency(
                    predecessor=link.predecessor_uid,
                    successor=t.uid,
                    type=DependencyType(LINK_TYPE_NAMES.get(link.type, "FS")),
                    lag_days=lag,
                    lag_elapsed=elapsed,
                )
            )
    start = (
        project.start.date() if project.start else min((t.start.date() for t in tasks if t.start), default=date.today())
    )
    return EngineInput(cal, start, out_tasks, deps, skipped)


def _round(value: float) -> int:
    return math.floor(abs(value) + 0.5) * (1 if value >= 0 else -1)
