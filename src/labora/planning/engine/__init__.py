"""The scheduling engine: a pure critical-path scheduler over working-day calendars.

>>> from datetime import date
>>> from labora.planning.engine import Calendar, Dependency, Task, schedule
>>> result = schedule([Task("a", 2), Task("b", 3)], [Dependency("a", "b")], Calendar(), date(2025, 1, 6))
>>> result.finish_date, result.critical_path
(datetime.date(2025, 1, 10), ['a', 'b'])

See docs/scheduling.md for the conventions (inclusive finish dates, milestones, lags, summaries).
"""

from labora.planning.engine.buffers import BufferPlan, insert_buffers
from labora.planning.engine.calendar import Calendar, WorkingDays
from labora.planning.engine.forecast import Estimate, Forecast, HistogramBin, Percentiles, forecast
from labora.planning.engine.model import (
    Change,
    ConstraintType,
    CycleError,
    Dependency,
    DependencyAdded,
    DependencyChanged,
    DependencyRemoved,
    DependencyType,
    DurationChanged,
    ScheduleInputError,
    ScheduleResult,
    Task,
    TaskId,
    TaskSchedule,
)
from labora.planning.engine.schedule import reschedule, schedule

__all__ = [
    "BufferPlan",
    "Calendar",
    "Change",
    "ConstraintType",
    "CycleError",
    "Dependency",
    "DependencyAdded",
    "DependencyChanged",
    "DependencyRemoved",
    "DependencyType",
    "DurationChanged",
    "Estimate",
    "Forecast",
    "HistogramBin",
    "Percentiles",
    "ScheduleInputError",
    "ScheduleResult",
    "Task",
    "TaskId",
    "TaskSchedule",
    "WorkingDays",
    "forecast",
    "insert_buffers",
    "reschedule",
    "schedule",
]
