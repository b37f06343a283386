"""Plain dataclasses for a Microsoft Project XML (MSPDI) file, as read and as written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

NAMESPACE = "http://schemas.microsoft.com/project"

# PredecessorLink/Type
LINK_FF, LINK_FS, LINK_SF, LINK_SS = 0, 1, 2, 3
LINK_TYPE_NAMES = {LINK_FF: "FF", LINK_FS: "FS", LINK_SF: "SF", LINK_SS: "SS"}

# DurationFormat / LagFormat: the elapsed ("e") variants count calendar time
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52})
PERCENT_FORMATS = frozenset({19, 20, 51, 52})
FORMAT_DAYS = 7
FORMAT_WEEKS = 9

# ConstraintType
CONSTRAINT_NAMES = {0: "ASAP", 1: "ALAP", 2: "MSO", 3: "MFO", 4: "SNET", 5: "SNLT", 6: "FNET", 7: "FNLT"}


class MspdiError(ValueError):
    """The file is not an MSPDI document we can read; the message says what is wrong."""


@dataclass
class WorkingTime:
    start: time
    finish: time


@dataclass
class WeekDay:
    """One weekday of a calendar (``day`` 0 = Monday ... 6 = Sunday)."""

    day: int
    working: bool
    times: list[WorkingTime] = field(default_factory=list)


@dataclass
class Recurrence:
    """A recurring exception (Project 2007+): ``kind`` is MSPDI's Exception/Type (1..9)."""

    kind: int
    occurrences: int | None = None
    period: int = 1
    days_of_week: int = 0  # bit mask: 1 = Sunday, 2 = Monday ... 64 = Saturday
    month_item: int | None = None  # 0 day, 1 weekday, 2 weekend day, 3 Sunday ... 9 Saturday
    month_position: int | None = None  # 0 first ... 3 fourth, 4 last
    month: int | None = None  # 0 = January
    month_day: int | None = None


@dataclass
class CalendarException:
    """Dates ``start``..``finish`` (inclusive) worked or not; a recurrence picks dates inside them."""

    start: date
    finish: date
    working: bool
    name: str = ""
    times: list[WorkingTime] = field(default_factory=list)
    recurrence: Recurrence | None = None


@dataclass
class MspdiCalendar:
    uid: int
    name: str
    is_base: bool = True
    base_uid: int | None = None
    weekdays: list[WeekDay] = field(default_factory=list)
    exceptions: list[CalendarException] = field(default_factory=list)


@dataclass
class PredecessorLink:
    predecessor_uid: int
    type: int = LINK_FS
    lag: int = 0  # tenths of a minute, as in the file
    lag_format: int = FORMAT_DAYS


@dataclass
class MspdiTask:
    uid: int
    id: int | None = None
    name: str = ""
    outline_level: int = 1
    outline_number: str = ""
    wbs: str = ""
    parent_uid: int | None = None  # from the outline levels
    duration_minutes: float = 0.0
    duration_format: int | None = None
    milestone: bool = False
    summary: bool = False
    manual: bool = False
    is_null: bool = False
    start: datetime | None = None
    finish: datetime | None = None
    early_start: datetime | None = None
    early_finish: datetime | None = None
    late_start: datetime | None = None
    late_finish: datetime | None = None
    total_slack: int | None = None  # tenths of a minute
    free_slack: int | None = None
    critical: bool | None = None
    constraint_type: int = 0
    constraint_date: datetime | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    percent_complete: int = 0
    calendar_uid: int | None = None
    notes: str = ""
    predecessors: list[PredecessorLink] = field(default_factory=list)

    @property
    def elapsed_duration(self) -> bool:
        return self.duration_format in ELAPSED_FORMATS


@dataclass
class MspdiResource:
    uid: int
    id: int | None = None
    name: str = ""
    email: str = ""
    calendar_uid: int | None = None


@dataclass
class MspdiAssignment:
    uid: int
    task_uid: int
    resource_uid: int
    units: float = 1.0


@dataclass
class MspdiProject:
    name: str = ""
    title: str = ""
    start: datetime | None = None
    finish: datetime | None = None
    calendar_uid: int | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    default_start_time: time = time(8, 0)
    default_finish_time: time = time(17, 0)
    schedule_from_start: bool = True
    new_tasks_manual: bool = False
    calendars: list[MspdiCalendar] = field(default_factory=list)
    tasks: list[MspdiTask] = field(default_factory=list)
    resources: list[MspdiResource] = field(default_factory=list)
    assignments: list[MspdiAssignment] = field(default_factory=list)

    def calendar(self, uid: int | None) -> MspdiCalendar | None:
        return next((c for c in self.calendars if c.uid == uid), None)
