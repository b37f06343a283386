"""The calendar pages: a project's (`/w/<ws>/projects/<KEY>/calendar/`) and the workspace's, with
every project the user may see (`/w/<ws>/calendar/`).

A month grid (weeks as rows, Monday first) or a week (seven columns; tasks with a start and a due
date drawn as bars across the days they span), by due date or by start date, filtered by project
and by the query language. The address holds the state (`?month=2026-11&mode=due`,
`?view=week&week=2026-11-23`). Non-working days and holidays of the working calendar are shaded
(a named holiday shows its name). A focused chip moves with Alt+arrows (calendar_view.js), through
the same reschedule POST as a drop.

Thin adapters: labora.planning.calendar_view.calendar_tasks reads the window (one query), the
layout is plain Python, and the two writes are work's services: a chip dropped on another day
(frontend/js/calendar_view.js posts `action=reschedule`) calls task_update with the new dates and
the chip's version; the quick add (project calendar) calls task_create with that day as due date.
HTMX asks for the `calendar` (navigation, filters) or `calendar-grid` (refresh, writes) partial.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from labora.core.policy import can
from labora.planning.calendar_view import (
    MAX_TASKS,
    Mode,
    anchor_of,
    calendar_for,
    calendar_tasks,
    is_working_day,
    moved_dates,
    project_roles,
)
from labora.work import query_compiler
from labora.work import selectors as work_selectors
from labora.work.models import Category, Project, Task
from labora.work.permissions import ProjectAccess, access_of
from labora.work.services import tasks as task_services
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

# Chips shown in a month cell before "+N more".
VISIBLE_PER_DAY = 3
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CATEGORY_CLASS: dict[str, str] = {
    Category.BACKLOG: "is-backlog",
    Category.TODO: "is-todo",
    Category.IN_PROGRESS: "is-progress",
    Category.DONE: "is-done",
    Category.CANCELLED: "is-cancelled",
}


@dataclass
class Chip:
    task: Task
    overdue: bool
    draggable: bool
    category_class: str
    multi_day: bool


@dataclass
class Day:
    date: datetime.date
    in_period: bool
    is_today: bool
    working: bool
    holiday: bool
    holiday_name: str = ""  # "Christmas Day", when the calendar names it
    chips: list[Chip] = field(default_factory=list)

    @property
    def shown(self) -> list[Chip]:
        return self.chips[:VISIBLE_PER_DAY]

    @property
    def more(self) -> list[Chip]:
        return self.chips[VISIBLE_PER_DAY:]

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @property
    def weekend_off(self) -> bool:
        return not self.working and not self.holiday


@dataclass
class Bar:
    """A task drawn across the days of a week it spans (columns 1..7)."""

    chip: Chip
    column: int
    span: int
    continues_before: bool
    continues_after: bool


# --- state from the address -------------------------------------------------------------------


@dataclass
class State:
    view: str  # "month" or "week"
    mode: Mode
    first: datetime.date  # first day of the month, or the week's Monday
    q: str
    projects: list[str]

    @property
    def start(self) -> datetime.date:
        """The first day on the grid (a Monday)."""
        return self.first - datetime.timedelta(days=self.first.weekday())

    @property
    def end(self) -> datetime.date:
        """The last day on the grid (a Sunday)."""
        if self.view == "week":
            return self.first + datetime.timedelta(days=6)
        last = self.first.replace(day=pycalendar.monthrange(self.first.year, self.first.month)[1])
        return last + datetime.timedelta(days=6 - last.weekday())

    def shifted(self, steps: int) -> datetime.date:
        if self.view == "week":
            return self.first + datetime.timedelta(weeks=steps)
        month = self.first.month - 1 + steps
        return datetime.date(self.first.year + month // 12, month % 12 + 1, 1)

    def params(self, **overrides: Any) -> dict[str, Any]:
        """The query string of this state (with `overrides`), for links."""
        values: dict[str, Any] = {"view": self.view, "mode": self.mode, "q": self.q, "project": self.projects}
        values.update(overrides)
        first = values.pop("first", self.first)
        if values["view"] == "week":
            values["week"] = first.isoformat()
        else:
            values["month"] = f"{first:%Y-%m}"
        if values["view"] == "month":
            values.pop("view")
        if values["mode"] == "due":
            values.pop("mode")
        return {k: v for k, v in values.items() if v}

    def query(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides), doseq=True)


def _month(text: str) -> datetime.date | None:
    try:
        year, month = (int(part) for part in text.split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return None


def _state(request: Request, today: datetime.date, *, workspace_wide: bool) -> State:
    """The state the address asks for; anything unreadable falls back to this month / week."""
    get = request.GET  # a write posts to the address of the view it was made in
    view = "week" if get.get("view") == "week" else "month"
    mode_text = get.get("mode", "due")
    mode: Mode = "start" if mode_text == "start" else "due"
    if view == "week":
        try:
            day = datetime.date.fromisoformat(get.get("week", ""))
        except ValueError:
            day = today
        first = day - datetime.timedelta(days=day.weekday())
    else:
        first = _month(get.get("month", "")) or today.replace(day=1)
    if not datetime.date(1900, 1, 1) <= first <= datetime.date(9998, 12, 1):
        first = today.replace(day=1) if view == "month" else today - datetime.timedelta(days=today.weekday())
    projects = [k.strip().upper() for k in get.getlist("project") if k.strip()] if workspace_wide else []
    return State(view=view, mode=mode, first=first, q=get.get("q", "").strip()[:500], projects=projects[:50])


# --- layout ---------------------------------------------------------------------------------


def _chip(task: Task, today: datetime.date, *, writable: set[int]) -> Chip:
    return Chip(
        task=task,
        overdue=task.due_date is not None and task.due_date < today and not task.status.is_closed,
        draggable=task.project_id in writable,
        category_class=CATEGORY_CLASS.get(task.status.category, ""),
        multi_day=task.start_date is not None and task.due_date is not None and task.start_date < task.due_date,
    )


def _days(state: State, today: datetime.date, calendar: Any) -> list[Day]:
    holidays = set(calendar.holidays)
    days = []
    day = state.start
    while day <= state.end:
        in_period = day.month == state.first.month if state.view == "month" else True
        days.append(
            Day(
                date=day,
                in_period=in_period,
                is_today=day == today,
                working=is_working_day(calendar, day),
                holiday=day in holidays,
                holiday_name=calendar.holiday_name(day) if day in holidays else "",
            )
        )
        day += datetime.timedelta(days=1)
    return days


def _bars(state: State, chips: list[Chip]) -> list[Bar]:
    bars = []
    for chip in chips:
        start, due = chip.task.start_date, chip.task.due_date
        assert start is not None
        assert due is not None
        first, last = max(start, state.start), min(due, state.end)
        bars.append(
            Bar(
                chip=chip,
                column=(first - state.start).days + 1,
                span=(last - first).days + 1,
                continues_before=start < state.start,
                continues_after=due > state.end,
            )
        )
    return bars


def _grid(
    request: Request,
    workspace: Workspace,
    membership: Membership,
    state: State,
    project: Project | None,
) -> dict[str, Any]:
    """What the grid partial shows: days (in weeks), chips, bars, the agenda for phones."""
    today = query_compiler.user_today(request.user)
    query_error = None
    found: list[Task] = []
    truncated = False
    try:
        window = calendar_tasks(
            user=request.user,
            workspace=workspace,
            membership=membership,
            start=state.start,
            end=state.end,
            mode=state.mode,
            project=project,
            project_keys=state.projects,
            q=state.q,
            today=today,
        )
        found, truncated = window.tasks, window.truncated
    except ValidationError as exc:
        if exc.code != "invalid_query":
            raise
        query_error = exc.message
    writable = _writable_projects(request, workspace, membership, found, project)
    days = _days(
        state,
        today,
        calendar_for(workspace=workspace, project=project or _single(request, workspace, membership, state)),
    )
    by_date = {day.date: day for day in days}
    spanning: list[Chip] = []
    for task in found:
        chip = _chip(task, today, writable=writable)
        if state.view == "week" and chip.multi_day:
            spanning.append(chip)
            continue
        anchor = anchor_of(task, state.mode)
        if anchor is not None and anchor in by_date:
            by_date[anchor].chips.append(chip)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    agenda = [day for day in days if day.chips and day.in_period]
    return {
        "state": state,
        "weeks": weeks,
        "days": days,
        "bars": _bars(state, spanning),
        "agenda": agenda,
        "task_count": len(found),
        "truncated": truncated,
        "max_tasks": MAX_TASKS,
        "query_error": query_error,
        "today": today,
        "weekday_labels": WEEKDAY_LABELS,
    }


def _single(request: Request, workspace: Workspace, membership: Membership, state: State) -> Project | None:
    """The one project the workspace calendar is filtered to, if any: its calendar shades the grid."""
    if len(state.projects) != 1:
        return None
    try:
        return work_selectors.project_get(
            user=request.user, workspace=workspace, key=state.projects[0], membership=membership
        )
    except NotFound:
        return None


def _writable_projects(
    request: Request, workspace: Workspace, membership: Membership, tasks: list[Task], project: Project | None
) -> set[int]:
    """The ids of the projects (among the tasks') whose tasks the user may reschedule: the
    policy decides on each project's role (one query on the workspace calendar, none on a project's)."""
    if project is not None:
        return {project.pk} if can(request.user, "task.write", access_of(membership, project)) else set()
    roles = project_roles(
        user=request.user, workspace=workspace, membership=membership, project_ids={t.project_id for t in tasks}
    )
    return {
        pk
        for pk, role in roles.items()
        if can(request.user, "task.write", ProjectAccess(membership=membership, project=None, role=role))
    }


def _title(state: State) -> str:
    if state.view == "week":
        end = state.first + datetime.timedelta(days=6)
        if end.month == state.first.month:
            return f"{state.first.day}\N{EN DASH}{end.day} {end:%B %Y}"
        if end.year == state.first.year:
            return f"{state.first.day} {state.first:%b} \N{EN DASH} {end.day} {end:%b %Y}"
        return f"{state.first.day} {state.first:%b %Y} \N{EN DASH} {end.day} {end:%b %Y}"
    return f"{state.first:%B %Y}"


def _context(
    request: Request,
    workspace: Workspace,
    membership: Membership,
    project: Project | None,
    *,
    state: State | None = None,
) -> dict[str, Any]:
    today = query_compiler.user_today(request.user)
    state = state or _state(request, today, workspace_wide=project is None)
    base = (
        reverse("calendar_project", kwargs={"ws": workspace.slug, "key": project.key})
        if project is not None
        else reverse("calendar_workspace", kwargs={"ws": workspace.slug})
    )
    this_period = today.replace(day=1) if state.view == "month" else today - datetime.timedelta(days=today.weekday())
    # Switching month <-> week keeps the period in view: the week of today if it is in it.
    if state.view == "month":
        in_month = today.year == state.first.year and today.month == state.first.month
        week_day = today if in_month else state.first
        switch_first = week_day - datetime.timedelta(days=week_day.weekday())
    else:
        switch_first = state.first.replace(day=1)
    context = {
        "workspace": workspace,
        "project": project,
        "base_url": base,
        "title": _title(state),
        "prev_query": state.query(first=state.shifted(-1)),
        "next_query": state.query(first=state.shifted(1)),
        "today_query": state.query(first=this_period),
        "is_current": state.first == this_period,
        "month_query": state.query(view="month", first=switch_first if state.view == "week" else state.first),
        "week_query": state.query(view="week", first=switch_first if state.view == "month" else state.first),
        "due_query": state.query(mode="due"),
        "start_query": state.query(mode="start"),
        "self_query": state.query(),
        "can_add": project is not None and can(request.user, "task.write", access_of(membership, project)),
        **_grid(request, workspace, membership, state, project),
    }
    if project is None:
        context["project_choices"] = list(
            work_selectors.project_list(user=request.user, workspace=workspace, membership=membership)
            .select_related(None)
            .only("key", "name", "colour", "archived_at")
        )
    return context


def _render(request: Request, context: dict[str, Any], status: int = 200) -> HttpResponse:
    target = request.htmx.target if request.htmx else None
    if target == "calendar-grid":
        return render(request, "planning/calendar.html#grid", context, status=status)
    if target == "calendar":
        return render(request, "planning/calendar.html#calendar", context, status=status)
    return render(request, "planning/calendar.html", context, status=status)


# --- writes -----------------------------------------------------------------------------------


def _plain(message: str, status: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["HX-Trigger"] = json.dumps({"labora:toast": {"message": message, "level": "error"}})
    return response


def _reschedule(
    request: Request, workspace: Workspace, membership: Membership, project: Project | None
) -> HttpResponse:
    """POST task, date (YYYY-MM-DD), mode and version: move the task to that day. Answers the
    re-rendered grid, or 409 (stale version), 422 (bad date, refused change), 403, 404 as text."""
    key = request.POST.get("task", "")
    try:
        task = work_selectors.task_get(user=request.user, workspace=workspace, key=key, membership=membership)
    except NotFound as exc:
        return _plain(exc.message, 404)
    if project is not None and task.project_id != project.pk:
        return _plain(f"{task.key} is not in {project.key}.", 404)
    raw = request.POST.get("date", "").strip()
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return _plain(f"'{raw}' is not a date: the day to move {task.key} to is written YYYY-MM-DD.", 422)
    mode: Mode = "start" if request.POST.get("mode") == "start" else "due"
    version_text = request.POST.get("version", "").strip()
    if not version_text.isdigit():
        return _plain(f"Send the version of {task.key} you saw (reload the page to get it).", 422)
    try:
        start, due = moved_dates(task, day, mode)
    except OverflowError:
        return _plain(f"{raw} is too far away: {task.key} cannot keep its dates there.", 422)
    try:
        task_services.task_update(
            actor=request.user, task=task, version=int(version_text), start_date=start, due_date=due
        )
    except Conflict:
        return _plain(
            f"{task.key} was changed by someone else since this page loaded: the calendar now shows it "
            "where it is. Move it again if you still want to.",
            409,
        )
    except PermissionDenied as exc:
        return _plain(exc.message, 403)
    except (ValidationError, NotFound) as exc:
        return _plain(exc.message, 422)
    return _render(request, _context(request, workspace, membership, project))


def _quick_add(request: Request, workspace: Workspace, membership: Membership, project: Project) -> HttpResponse:
    """POST title and date: a task due that day (HTMX: the grid; otherwise back to the page)."""
    raw = request.POST.get("date", "").strip()
    error = None
    task = None
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        error = f"'{raw}' is not a date: pick the day the new task is due."
    else:
        try:
            task = task_services.task_create(
                actor=request.user, project=project, title=request.POST.get("title", ""), due_date=day
            )
        except ValidationError as exc:
            error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif task is not None:
            messages.success(request, f"Added {task.key} {task.title}, due {task.due_date:%a %-d %b}.")
        url = reverse("calendar_project", kwargs={"ws": workspace.slug, "key": project.key})
        query = request.POST.get("return", "")
        return redirect(f"{url}?{query}" if query else url)
    response = _render(request, _context(request, workspace, membership, project), status=200)
    if error:
        response["HX-Trigger"] = json.dumps({"labora:toast": {"message": error, "level": "error"}})
    elif task is not None:
        response["HX-Trigger"] = json.dumps(
            {"labora:toast": {"message": f"Added {task.key} {task.title}.", "level": "success"}}
        )
    return response


# --- pages ----------------------------------------------------------------------------------


def _post(request: Request, workspace: Workspace, membership: Membership, project: Project | None) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "reschedule":
        return _reschedule(request, workspace, membership, project)
    if action == "add" and project is not None:
        return _quick_add(request, workspace, membership, project)
    raise Http404("Unknown calendar action.")


@workspace_page
def calendar_workspace(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    if request.method == "POST":
        return _post(request, workspace, membership, None)
    return _render(request, _context(request, workspace, membership, None))


@workspace_page
def calendar_project(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    if request.method == "POST":
        return _post(request, workspace, membership, project)
    return _render(request, _context(request, workspace, membership, project))


urlpatterns = [
    path("w/<slug:ws>/calendar/", calendar_workspace, name="calendar_workspace"),
    path("w/<slug:ws>/projects/<str:key>/calendar/", calendar_project, name="calendar_project"),
]
