"""A project as Microsoft Project XML (MSPDI), for MS Project and ProjectLibre (a read: no write).

Tasks in outline order (parents before their subtasks, siblings by rank) under the project
summary task (UID 0); a task's UID is its number, so KEY-12 is UID 12. Durations are working days
at the calendar's hours per day; dates start at 08:00 and finish at the end of the working day;
links keep their types and lags (elapsed lags as elapsed days); manual scheduling, constraints
and actual dates come from the TaskPlan; assignees become resources with their e-mail. The
calendar is the project's (its own or the workspace's) with holidays and extra working days as
exceptions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from labora.accounts.models import User
from labora.planning import selectors
from labora.planning.models import WEEKDAY_NAMES, ConstraintType, ScheduleMode
from labora.planning.mspdi.model import (
    CONSTRAINT_NAMES,
    FORMAT_DAYS,
    LINK_FF,
    LINK_FS,
    LINK_SF,
    LINK_SS,
    CalendarException,
    MspdiAssignment,
    MspdiCalendar,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
    WeekDay,
    WorkingTime,
)
from labora.planning.mspdi.writer import write_mspdi
from labora.work.models import Category, Project, Task

FORMAT_ELAPSED_DAYS = 8
START = datetime.time(8, 0)
_LINK = {"FF": LINK_FF, "FS": LINK_FS, "SF": LINK_SF, "SS": LINK_SS}
_CONSTRAINT = {name: code for code, name in CONSTRAINT_NAMES.items()}
_FINISH_CONSTRAINTS = {ConstraintType.FNET, ConstraintType.FNLT, ConstraintType.MFO}


def _times(hours: int) -> list[WorkingTime]:
    """08:00-12:00 and 13:00-... for the day's hours (one block up to 4 hours)."""
    if hours <= 4:
        return [WorkingTime(START, datetime.time(8 + hours, 0))]
    return [WorkingTime(START, datetime.time(12, 0)), WorkingTime(datetime.time(13, 0), datetime.time(9 + hours, 0))]


def _finish_time(hours: int) -> datetime.time:
    return _times(hours)[-1].finish


def _calendar(view: selectors.CalendarView) -> MspdiCalendar:
    times = _times(view.hours_per_day)
    weekdays = [
        WeekDay(day=i, working=name in view.working_days, times=list(times) if name in view.working_days else [])
        for i, name in enumerate(WEEKDAY_NAMES)
    ]
    exceptions = [
        CalendarException(d, d, working=False, name=view.holiday_name(d) or "Holiday") for d in view.holidays
    ] + [CalendarException(d, d, working=True, name="Working day", times=list(times)) for d in view.extra_working_days]
    return MspdiCalendar(uid=1, name="Standard", is_base=True, weekdays=weekdays, exceptions=exceptions)


def _outline(tasks: list[Task], summaries: set[int]) -> list[tuple[Task, int, str]]:
    """(task, outline level, outline number) in outline order; tasks whose parent is not among
    them are top-level."""
    ids = {t.pk for t in tasks}
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:  # tasks come in rank order
        children[t.parent_id if t.parent_id in ids else None].append(t)
    out: list[tuple[Task, int, str]] = []
    stack: list[tuple[Task, int, str]] = [(t, 1, str(i)) for i, t in reversed(list(enumerate(children[None], start=1)))]
    seen: set[int] = set()
    while stack:
        task, level, number = stack.pop()
        if task.pk in seen:  # a looping hierarchy cannot be stored, but never loop here
            continue
        seen.add(task.pk)
        out.append((task, level, number))
        kids = children.get(task.pk, [])
        stack.extend((c, level + 1, f"{number}.{i}") for i, c in reversed(list(enumerate(kids, start=1))))
    return out


def project_mspdi(*, project: Project) -> bytes:
    """The project as MSPDI bytes. Six queries whatever its size."""
    data = selectors.plan_input(project=project)
    view = data.calendar
    minutes_per_day = view.hours_per_day * 60
    finish_time = _finish_time(view.hours_per_day)
    uid = {t.pk: t.number for t in data.tasks}
    people = {
        u.pk: u for u in User.objects.filter(pk__in={t.assignee_id for t in data.tasks if t.assignee_id}).order_by("pk")
    }
    resource_uid = {pk: i for i, pk in enumerate(people, start=1)}
    preds: dict[int, list[PredecessorLink]] = defaultdict(list)
    for d in data.dependencies:
        per_day = 1440 if d.lag_elapsed else minutes_per_day
        preds[d.successor_id].append(
            PredecessorLink(
                predecessor_uid=uid[d.predecessor_id],
                type=_LINK[d.type],
                lag=d.lag_days * per_day * 10,
                lag_format=FORMAT_ELAPSED_DAYS if d.lag_elapsed else FORMAT_DAYS,
            )
        )
    starts = [t.start_date for t in data.tasks if t.start_date]
    finishes = [t.due_date for t in data.tasks if t.due_date]
    project_start = data.start if project.start_date or not starts else min(starts)
    out = MspdiProject(
        name=f"{project.key}.xml",
        title=project.name,
        start=datetime.datetime.combine(project_start, START),
        finish=datetime.datetime.combine(max(finishes), finish_time) if finishes else None,
        calendar_uid=1,
        minutes_per_day=minutes_per_day,
        minutes_per_week=minutes_per_day * len(view.working_days),
        default_start_time=START,
        default_finish_time=finish_time,
        calendars=[_calendar(view)],
    )
    out.tasks.append(MspdiTask(uid=0, id=0, name=project.name, outline_level=0, summary=True))
    for i, (task, level, number) in enumerate(_outline(data.tasks, data.summaries), start=1):
        plan = data.plans.get(task.pk)
        days = data.durations[task.pk]
        summary = task.pk in data.summaries
        constraint = plan.constraint_type if plan is not None else ConstraintType.ASAP
        cdate = plan.constraint_date if plan is not None else None
        done = task.status.category == Category.DONE
        out.tasks.append(
            MspdiTask(
                uid=task.number,
                id=i,
                name=task.title,
                outline_level=level,
                outline_number=number,
                wbs=number,
                duration_minutes=float(days * minutes_per_day),
                duration_format=FORMAT_DAYS,
                milestone=days == 0 and not summary,
                summary=summary,
                manual=plan is not None and plan.mode == ScheduleMode.MANUAL and not summary,
                start=datetime.datetime.combine(task.start_date, START) if task.start_date else None,
                finish=(
                    datetime.datetime.combine(task.due_date, START if days == 0 else finish_time)
                    if task.due_date
                    else None
                ),
                constraint_type=_CONSTRAINT.get(constraint, 0),
                constraint_date=(
                    datetime.datetime.combine(cdate, finish_time if constraint in _FINISH_CONSTRAINTS else START)
                    if cdate
                    else None
                ),
                actual_start=datetime.datetime.combine(plan.actual_start, START)
                if plan and plan.actual_start
                else None,
                actual_finish=(
                    datetime.datetime.combine(plan.actual_finish, finish_time) if plan and plan.actual_finish else None
                ),
                percent_complete=100 if done else min(100, max(0, task.progress)),
                notes=task.description,
                predecessors=preds.get(task.pk, []),
            )
        )
    out.resources = [
        MspdiResource(uid=resource_uid[pk], id=resource_uid[pk], name=u.name or u.email, email=u.email)
        for pk, u in people.items()
    ]
    assigned = [(t.number, resource_uid[t.assignee_id]) for t in data.tasks if t.assignee_id is not None]
    out.assignments = [
        MspdiAssignment(uid=i, task_uid=task_uid, resource_uid=res_uid)
        for i, (task_uid, res_uid) in enumerate(assigned, start=1)
    ]
    return write_mspdi(out)
