"""Write :class:`MspdiProject` back to Microsoft Project XML.

Elements follow the order of Microsoft's MSPDI schema (MS Project and ProjectLibre read files in
that order), in the ``http://schemas.microsoft.com/project`` namespace. Only what the dataclasses
hold is written; MS Project fills in the rest with its defaults on opening.
"""

from __future__ import annotations

from datetime import datetime, time
from xml.etree.ElementTree import Element, SubElement, tostring

from labora.planning.mspdi.durations import format_duration
from labora.planning.mspdi.model import (
    NAMESPACE,
    CalendarException,
    MspdiCalendar,
    MspdiProject,
    MspdiTask,
    WorkingTime,
)


def _dt(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _t(value: time) -> str:
    return value.strftime("%H:%M:%S")


def _add(parent: Element, name: str, value: object) -> Element | None:
    if value is None:
        return None
    el = SubElement(parent, name)
    if isinstance(value, bool):
        el.text = "1" if value else "0"
    elif isinstance(value, datetime):
        el.text = _dt(value)
    elif isinstance(value, time):
        el.text = _t(value)
    else:
        el.text = str(value)
    return el


def write_mspdi(project: MspdiProject) -> bytes:
    """The project as an MSPDI document (UTF-8 bytes with an XML declaration)."""
    root = Element("Project", {"xmlns": NAMESPACE})
    _add(root, "SaveVersion", 14)
    _add(root, "Name", project.name or None)
    _add(root, "Title", project.title or None)
    _add(root, "ScheduleFromStart", project.schedule_from_start)
    _add(root, "StartDate", project.start)
    _add(root, "FinishDate", project.finish)
    _add(root, "CalendarUID", project.calendar_uid)
    _add(root, "DefaultStartTime", project.default_start_time)
    _add(root, "DefaultFinishTime", project.default_finish_time)
    _add(root, "MinutesPerDay", project.minutes_per_day)
    _add(root, "MinutesPerWeek", project.minutes_per_week)
    _add(root, "DaysPerMonth", project.days_per_month)
    _add(root, "NewTasksAreManual", project.new_tasks_manual)
    calendars = SubElement(root, "Calendars")
    for cal in project.calendars:
        _calendar(calendars, cal)
    tasks = SubElement(root, "Tasks")
    for task in project.tasks:
        _task(tasks, task)
    resources = SubElement(root, "Resources")
    for res in project.resources:
        el = SubElement(resources, "Resource")
        _add(el, "UID", res.uid)
        _add(el, "ID", res.id)
        _add(el, "Name", res.name or None)
        _add(el, "EmailAddress", res.email or None)
        _add(el, "CalendarUID", res.calendar_uid)
    assignments = SubElement(root, "Assignments")
    for a in project.assignments:
        el = SubElement(assignments, "Assignment")
        _add(el, "UID", a.uid)
        _add(el, "TaskUID", a.task_uid)
        _add(el, "ResourceUID", a.resource_uid)
        _add(el, "Units", repr(float(a.units)))
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


# 0 = Monday ... 6 = Sunday -> MSPDI DayType 1 = Sunday ... 7 = Saturday
def _day_type(day: int) -> int:
    return (day + 1) % 7 + 1


def _times(parent: Element, times: list[WorkingTime]) -> None:
    if not times:
        return
    wts = SubElement(parent, "WorkingTimes")
    for wt in times:
        el = SubElement(wts, "WorkingTime")
        _add(el, "FromTime", wt.start)
        _add(el, "ToTime", wt.finish)


def _calendar(parent: Element, cal: MspdiCalendar) -> None:
    el = SubElement(parent, "Calendar")
    _add(el, "UID", cal.uid)
    _add(el, "Name", cal.name)
    _add(el, "IsBaseCalendar", cal.is_base)
    _add(el, "BaseCalendarUID", -1 if cal.base_uid is None else cal.base_uid)
    if cal.weekdays:
        days = SubElement(el, "WeekDays")
        for wd in sorted(cal.weekdays, key=lambda w: _day_type(w.day)):
            day = SubElement(days, "WeekDay")
            _add(day, "DayType", _day_type(wd.day))
            _add(day, "DayWorking", wd.working)
            _times(day, wd.times)
    if cal.exceptions:
        exceptions = SubElement(el, "Exceptions")
        for ex in cal.exceptions:
            _exception(exceptions, ex)


def _exception(parent: Element, ex: CalendarException) -> None:
    el = SubElement(parent, "Exception")
    rec = ex.recurrence
    _add(el, "EnteredByOccurrences", bool(rec and rec.occurrences))
    period = SubElement(el, "TimePeriod")
    _add(period, "FromDate", datetime.combine(ex.start, time(0, 0)))
    _add(period, "ToDate", datetime.combine(ex.finish, time(23, 59)))
    if rec is not None:
        _add(el, "Occurrences", rec.occurrences)
    _add(el, "Name", ex.name or None)
    if rec is not None:
        _add(el, "Type", rec.kind)
        _add(el, "Period", rec.period)
        _add(el, "DaysOfWeek", rec.days_of_week or None)
        _add(el, "MonthItem", rec.month_item)
        _add(el, "MonthPosition", rec.month_position)
        _add(el, "Month", rec.month)
        _add(el, "MonthDay", rec.month_day)
    _add(el, "DayWorking", ex.working)
    _times(el, ex.times)


def _task(parent: Element, task: MspdiTask) -> None:
    el = SubElement(parent, "Task")
    _add(el, "UID", task.uid)
    _add(el, "ID", task.id)
    _add(el, "Name", task.name or None)
    _add(el, "Active", True)
    _add(el, "Manual", task.manual)
    _add(el, "IsNull", task.is_null)
    _add(el, "WBS", task.wbs or None)
    _add(el, "OutlineNumber", task.outline_number or None)
    _add(el, "OutlineLevel", task.outline_level)
    _add(el, "Start", task.start)
    _add(el, "Finish", task.finish)
    _add(el, "Duration", format_duration(task.duration_minutes))
    if task.manual:
        _add(el, "ManualStart", task.start)
        _add(el, "ManualFinish", task.finish)
        _add(el, "ManualDuration", format_duration(task.duration_minutes))
    _add(el, "DurationFormat", task.duration_format)
    _add(el, "Milestone", task.milestone)
    _add(el, "Summary", task.summary)
    _add(el, "Critical", task.critical)
    _add(el, "EarlyStart", task.early_start)
    _add(el, "EarlyFinish", task.early_finish)
    _add(el, "LateStart", task.late_start)
    _add(el, "LateFinish", task.late_finish)
    _add(el, "FreeSlack", task.free_slack)
    _add(el, "TotalSlack", task.total_slack)
    _add(el, "PercentComplete", task.percent_complete)
    _add(el, "ActualStart", task.actual_start)
    _add(el, "ActualFinish", task.actual_finish)
    _add(el, "ConstraintType", task.constraint_type)
    _add(el, "CalendarUID", -1 if task.calendar_uid is None else task.calendar_uid)
    _add(el, "ConstraintDate", task.constraint_date)
    _add(el, "Notes", task.notes or None)
    for link in task.predecessors:
        pl = SubElement(el, "PredecessorLink")
        _add(pl, "PredecessorUID", link.predecessor_uid)
        _add(pl, "Type", link.type)
        _add(pl, "CrossProject", False)
        _add(pl, "LinkLag", link.lag)
        _add(pl, "LagFormat", link.lag_format)
