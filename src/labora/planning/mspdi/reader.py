"""Read Microsoft Project XML (MSPDI) into :mod:`labora.planning.mspdi.model` dataclasses.

Hostile input is refused with :class:`MspdiError` before it can cost much: the size is checked
first, defusedxml refuses any DTD (so no entity expansion and no external entities), and the root
must be MSPDI's ``Project`` element.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

import defusedxml
import defusedxml.ElementTree as DET

from labora.planning.mspdi.durations import parse_duration
from labora.planning.mspdi.model import (
    NAMESPACE,
    CalendarException,
    MspdiAssignment,
    MspdiCalendar,
    MspdiError,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
    Recurrence,
    WeekDay,
    WorkingTime,
)

MAX_BYTES = 32 * 1024 * 1024
_NS = "{" + NAMESPACE + "}"


def read_mspdi_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> MspdiProject:
    size = Path(path).stat().st_size
    if size > max_bytes:
        raise MspdiError(
            f"the file is {size // (1024 * 1024)} MB; MS Project XML files up to "
            f"{max_bytes // (1024 * 1024)} MB are accepted"
        )
    with open(path, "rb") as fh:
        return read_mspdi(fh, max_bytes=max_bytes)


def read_mspdi(source: bytes | str | IO[bytes], *, max_bytes: int = MAX_BYTES) -> MspdiProject:
    """Parse an MSPDI document (bytes, text, or a binary file object read up to ``max_bytes``)."""
    if isinstance(source, str):
        data = source.encode("utf-8")
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise MspdiError(
            f"the file is larger than {max_bytes // (1024 * 1024)} MB, the most an MS Project XML import accepts"
        )
    if not data.strip():
        raise MspdiError("the file is empty")
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as exc:
        raise MspdiError("the file declares a DTD (entities); MS Project XML never does, so it is refused") from exc
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
        raise MspdiError("the file uses XML entities or external references, which are refused") from exc
    except ET.ParseError as exc:
        raise MspdiError(f"the file is not well-formed XML ({exc})") from exc
    if _local(root.tag) != "Project" or root.tag not in (f"{_NS}Project", "Project"):
        raise MspdiError(
            f"the root element is <{_local(root.tag)}>; an MS Project XML file starts with "
            f'<Project xmlns="{NAMESPACE}">'
        )
    try:
        return _project(root, ns=_NS if root.tag.startswith("{") else "")
    except (ValueError, TypeError) as exc:
        if isinstance(exc, MspdiError):
            raise
        raise MspdiError(f"the file has a malformed value: {exc}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Reader:
    def __init__(self, ns: str) -> None:
        self.ns = ns

    def find(self, el: ET.Element, name: str) -> ET.Element | None:
        return el.find(self.ns + name)

    def findall(self, el: ET.Element, path: str) -> list[ET.Element]:
        return el.findall("/".join(self.ns + p for p in path.split("/")))

    def text(self, el: ET.Element, name: str) -> str | None:
        child = el.find(self.ns + name)
        if child is None or child.text is None:
            return None
        return child.text.strip()

    def integer(self, el: ET.Element, name: str, default: int | None = None) -> int | None:
        value = self.text(el, name)
        if value is None or value == "":
            return default
        return int(float(value))

    def req_int(self, el: ET.Element, name: str, default: int) -> int:
        value = self.integer(el, name, default)
        return default if value is None else value

    def number(self, el: ET.Element, name: str, default: float) -> float:
        value = self.text(el, name)
        return default if not value else float(value)

    def flag(self, el: ET.Element, name: str) -> bool:
        return self.text(el, name) in ("1", "true", "True")

    def moment(self, el: ET.Element, name: str) -> datetime | None:
        value = self.text(el, name)
        if not value:
            return None
        return datetime.fromisoformat(value)

    def clock(self, el: ET.Element, name: str, default: time) -> time:
        value = self.text(el, name)
        if not value:
            return default
        return time.fromisoformat(value)


def _project(root: ET.Element, ns: str) -> MspdiProject:
    r = _Reader(ns)
    project = MspdiProject(
        name=r.text(root, "Name") or "",
        title=r.text(root, "Title") or "",
        start=r.moment(root, "StartDate"),
        finish=r.moment(root, "FinishDate"),
        calendar_uid=r.integer(root, "CalendarUID"),
        minutes_per_day=r.req_int(root, "MinutesPerDay", 480) or 480,
        minutes_per_week=r.req_int(root, "MinutesPerWeek", 2400) or 2400,
        days_per_month=r.req_int(root, "DaysPerMonth", 20) or 20,
        default_start_time=r.clock(root, "DefaultStartTime", time(8, 0)),
        default_finish_time=r.clock(root, "DefaultFinishTime", time(17, 0)),
        schedule_from_start=r.text(root, "ScheduleFromStart") not in ("0", "false"),
        new_tasks_manual=r.flag(root, "NewTasksAreManual"),
    )
    project.calendars = [_calendar(r, c) for c in r.findall(root, "Calendars/Calendar")]
    project.tasks = [_task(r, t) for t in r.findall(root, "Tasks/Task")]
    _link_hierarchy(project.tasks)
    project.resources = [
        MspdiResource(
            uid=r.req_int(res, "UID", 0),
            id=r.integer(res, "ID"),
            name=r.text(res, "Name") or "",
            email=r.text(res, "EmailAddress") or "",
            calendar_uid=r.integer(res, "CalendarUID"),
        )
        for res in r.findall(root, "Resources/Resource")
    ]
    project.assignments = [
        MspdiAssignment(
            uid=r.req_int(a, "UID", 0),
            task_uid=r.req_int(a, "TaskUID", 0),
            resource_uid=r.req_int(a, "ResourceUID", -65535),
            units=r.number(a, "Units", 1.0),
        )
        for a in r.findall(root, "Assignments/Assignment")
    ]
    return project


# MSPDI's DayType: 1 = Sunday ... 7 = Saturday -> 0 = Monday ... 6 = Sunday
def _weekday(day_type: int) -> int:
    return (day_type + 5) % 7


def _times(r: _Reader, el: ET.Element) -> list[WorkingTime]:
    out = []
    for wt in r.findall(el, "WorkingTimes/WorkingTime"):
        start = r.text(wt, "FromTime")
        finish = r.text(wt, "ToTime")
        if start and finish:
            out.append(WorkingTime(time.fromisoformat(start), time.fromisoformat(finish)))
    return out


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _calendar(r: _Reader, el: ET.Element) -> MspdiCalendar:
    base = r.integer(el, "BaseCalendarUID")
    cal = MspdiCalendar(
        uid=r.req_int(el, "UID", 0),
        name=r.text(el, "Name") or "",
        is_base=r.flag(el, "IsBaseCalendar"),
        base_uid=None if base is None or base < 0 else base,
    )
    for wd in r.findall(el, "WeekDays/WeekDay"):
        day_type = r.req_int(wd, "DayType", 0)
        working = r.flag(wd, "DayWorking")
        if day_type == 0:  # an exception in the Project 2003 form
            period = r.find(wd, "TimePeriod")
            if period is None:
                continue
            start, finish = _day(r.moment(period, "FromDate")), _day(r.moment(period, "ToDate"))
            if start and finish:
                cal.exceptions.append(CalendarException(start, finish, working, times=_times(r, wd)))
        elif 1 <= day_type <= 7:
            cal.weekdays.append(WeekDay(_weekday(day_type), working, _times(r, wd)))
    new_style = r.findall(el, "Exceptions/Exception")
    if new_style:  # Project 2007+ writes exceptions twice; the Exceptions element is the full form
        cal.exceptions = []
    for ex in new_style:
        period = r.find(ex, "TimePeriod")
        if period is None:
            continue
        start, finish = _day(r.moment(period, "FromDate")), _day(r.moment(period, "ToDate"))
        if not start or not finish:
            continue
        kind = r.integer(ex, "Type")
        recurrence = None
        if kind is not None and kind != 9 and (r.integer(ex, "Occurrences") or 1) >= 1 and r.text(ex, "Type"):
            recurrence = Recurrence(
                kind=kind,
                occurrences=r.integer(ex, "Occurrences"),
                period=r.req_int(ex, "Period", 1) or 1,
                days_of_week=r.req_int(ex, "DaysOfWeek", 0),
                month_item=r.integer(ex, "MonthItem"),
                month_position=r.integer(ex, "MonthPosition"),
                month=r.integer(ex, "Month"),
                month_day=r.integer(ex, "MonthDay"),
            )
        cal.exceptions.append(
            CalendarException(
                start, finish, r.flag(ex, "DayWorking"), r.text(ex, "Name") or "", _times(r, ex), recurrence
            )
        )
    return cal


def _task(r: _Reader, el: ET.Element) -> MspdiTask:
    duration = r.text(el, "Duration")
    cal_uid = r.integer(el, "CalendarUID")
    task = MspdiTask(
        uid=r.req_int(el, "UID", 0),
        id=r.integer(el, "ID"),
        name=r.text(el, "Name") or "",
        outline_level=r.req_int(el, "OutlineLevel", 1),
        outline_number=r.text(el, "OutlineNumber") or "",
        wbs=r.text(el, "WBS") or "",
        duration_minutes=parse_duration(duration) if duration else 0.0,
        duration_format=r.integer(el, "DurationFormat"),
        milestone=r.flag(el, "Milestone"),
        summary=r.flag(el, "Summary"),
        manual=r.flag(el, "Manual"),
        is_null=r.flag(el, "IsNull"),
        start=r.moment(el, "Start"),
        finish=r.moment(el, "Finish"),
        early_start=r.moment(el, "EarlyStart"),
        early_finish=r.moment(el, "EarlyFinish"),
        late_start=r.moment(el, "LateStart"),
        late_finish=r.moment(el, "LateFinish"),
        total_slack=r.integer(el, "TotalSlack"),
        free_slack=r.integer(el, "FreeSlack"),
        critical=None if r.text(el, "Critical") is None else r.flag(el, "Critical"),
        constraint_type=r.req_int(el, "ConstraintType", 0),
        constraint_date=r.moment(el, "ConstraintDate"),
        actual_start=r.moment(el, "ActualStart"),
        actual_finish=r.moment(el, "ActualFinish"),
        percent_complete=r.req_int(el, "PercentComplete", 0),
        calendar_uid=None if cal_uid is None or cal_uid < 0 else cal_uid,
        notes=r.text(el, "Notes") or "",
    )
    for link in r.findall(el, "PredecessorLink"):
        pred = r.integer(link, "PredecessorUID")
        if pred is None:
            continue
        task.predecessors.append(
            PredecessorLink(
                predecessor_uid=pred,
                type=r.req_int(link, "Type", 1),
                lag=r.req_int(link, "LinkLag", 0),
                lag_format=r.req_int(link, "LagFormat", 7),
            )
        )
    return task


def _link_hierarchy(tasks: list[MspdiTask]) -> None:
    """Parents from outline levels: a task's parent is the last task one level up before it."""
    stack: list[MspdiTask] = []
    for task in tasks:
        if task.is_null or task.outline_level <= 0:
            continue
        while stack and stack[-1].outline_level >= task.outline_level:
            stack.pop()
        task.parent_uid = stack[-1].uid if stack else None
        stack.append(task)
