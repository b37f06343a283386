"""Reads for the calendar pages: the tasks of a date window, by due date or by start date, among
the projects the user may see, and the working calendar that shades the grid.

A task belongs to the window when its date of the chosen mode (its *anchor*: the due date, or the
start date) falls in it, or when it spans the window (a start and a due date on both sides of it or
inside it): the week view draws those as bars. One query for the tasks (plus the membership when
not passed), whatever the size of the window or the number of projects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q

from labora.planning.selectors import CalendarView, project_calendar, workspace_calendar
from labora.work import selectors as work_selectors
from labora.work.models import Project, Task
from labora.work.services._common import UNSET
from labora.workspaces.models import Workspace

Mode = Literal["due", "start"]
MODES: tuple[Mode, ...] = ("due", "start")
# A month grid with more tasks than this shows the first ones and says to narrow the filter.
MAX_TASKS = 1000


@dataclass(frozen=True)
class WindowTasks:
    tasks: list[Task]
    truncated: bool


def anchor_field(mode: Mode) -> str:
    return "start_date" if mode == "start" else "due_date"


def anchor_of(task: Task, mode: Mode) -> datetime.date | None:
    return task.start_date if mode == "start" else task.due_date


def calendar_tasks(
    *,
    user: Any,
    workspace: Workspace,
    start: datetime.date,
    end: datetime.date,
    mode: Mode = "due",
    project: Project | None = None,
    project_keys: list[str] | None = None,
    q: str | None = None,
    today: datetime.date | None = None,
    membership: Any = UNSET,
    limit: int = MAX_TASKS,
) -> WindowTasks:
    """The visible tasks whose anchor date (due or start, by `mode`) is in [start, end], or whose
    start→due span overlaps it; optionally of one project, of some projects (by key) and matching
    the query language `q`. Ordered by anchor date, project key and number. Raises
    ValidationError (invalid_query) for a bad `q`.
    """
    field = anchor_field(mode)
    in_window = Q(**{f"{field}__gte": start, f"{field}__lte": end}) | Q(
        start_date__isnull=False, due_date__isnull=False, start_date__lte=end, due_date__gte=start
    )
    tasks = work_selectors.task_list(
        user=user, workspace=workspace, project=project, q=q, today=today, membership=membership
    )
    if project_keys:
        tasks = tasks.filter(project__key__in=[k.upper() for k in project_keys])
    # A chip shows the project, the status and the assignee: no labels, parents or reporters.
    found = list(
        tasks.filter(in_window)
        .select_related(None)
        .select_related("project", "status", "assignee")
        .prefetch_related(None)
        .defer("description", "custom_fields")
        .order_by(field, "start_date", "due_date", "project__key", "number")[: limit + 1]
    )
    return WindowTasks(tasks=found[:limit], truncated=len(found) > limit)


def calendar_for(*, workspace: Workspace, project: Project | None) -> CalendarView:
    """The working calendar that shades a grid: the project's (own or inherited), else the workspace's."""
    return project_calendar(project=project) if project is not None else workspace_calendar(workspace=workspace)


def is_working_day(calendar: CalendarView, day: datetime.date) -> bool:
    if day in calendar.extra_working_days:
        return True
    if day in calendar.holidays:
        return False
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()] in calendar.working_days


def project_roles(
    *, user: Any, workspace: Workspace, project_ids: set[int], membership: Any = UNSET
) -> dict[int, str | None]:
    """The user's effective role in each of these projects (one query; none for no projects)."""
    if not project_ids:
        return {}
    projects = work_selectors.visible_projects(user=user, workspace=workspace, membership=membership).filter(
        pk__in=sorted(project_ids)
    )
    # Whole rows (without their text) rather than values_list: `my_role` is an annotation the
    # type checker does not know about.
    return {p.pk: getattr(p, "my_role", None) for p in projects.only("id")}


def moved_dates(task: Task, day: datetime.date, mode: Mode) -> tuple[datetime.date | None, datetime.date | None]:
    """A task's (start, due) after it is dropped on `day`: its due date (or its start date in
    start mode) goes there, and a task with both dates keeps its span (both move by as much)."""
    start, due = task.start_date, task.due_date
    if mode == "start":
        if start is not None and due is not None:
            return day, due + (day - start)
        return day, due if due is None or due >= day else None
    if start is not None and due is not None:
        return start + (day - due), day
    return (start if start is None or start <= day else None), day
