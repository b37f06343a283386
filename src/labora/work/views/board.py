"""The project board: one column per workflow status, cards in rank order, drag and drop moves.

Thin adapters over labora.work.selectors.task_list_for_board (one call, a constant number of
queries) and the task_move / task_create services. A drop is posted by frontend/js/board.js
to `task_move`; a refused move answers 422 with the reason, which the script shows as a toast
after putting the card back.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import can
from labora.work import query_compiler, selectors
from labora.work.models import Task
from labora.work.services import tasks as task_services
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

PRIORITY_CLASS = {4: "prio-urgent", 3: "prio-high", 2: "prio-medium", 1: "prio-low"}


def _cards(columns: list[selectors.BoardColumn], today: Any) -> None:
    for column in columns:
        for task in column.tasks:
            _decorate(task, today)


def _decorate(task: Task, today: Any) -> Task:
    task.priority_class = PRIORITY_CLASS.get(task.priority, "")  # type: ignore[attr-defined]
    task.overdue = (  # type: ignore[attr-defined]
        task.due_date is not None and task.due_date < today and not task.status.is_closed
    )
    return task


def _board_context(request: Request, workspace: Workspace, membership: Membership, project: Any) -> dict[str, Any]:
    columns = selectors.task_list_for_board(workspace=workspace, project=project)
    _cards(columns, query_compiler.user_today(request.user))
    swimlanes = request.GET.get("swimlanes") == "assignee"
    return {
        "workspace": workspace,
        "project": project,
        "columns": columns,
        "lanes": selectors.board_lanes_by_assignee(columns) if swimlanes else None,
        "swimlanes": swimlanes,
        "card_count": sum(c.count for c in columns),
        "can_write": can(request.user, "task.write", membership),
    }


@workspace_page
def project_board(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key)
    if request.method == "POST":
        return _quick_add(request, workspace, membership, project)
    return render(request, "work/board.html", _board_context(request, workspace, membership, project))


def _quick_add(request: Request, workspace: Workspace, membership: Membership, project: Any) -> HttpResponse:
    """Create a task at the bottom of the column it was typed in."""
    status_name = request.POST.get("status", "")
    error = None
    try:
        task = task_services.task_create(
            actor=request.user, project=project, title=request.POST.get("title", ""), status=status_name
        )
    except ValidationError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"{task.key} added to {task.status.name}.")
        return redirect("project_board", ws=workspace.slug, key=project.key)
    context = _board_context(request, workspace, membership, project)
    column = next((c for c in context["columns"] if c.status.name == status_name), None)
    if column is None:
        raise Http404("No such column.")
    response = render(request, "work/board.html#column", {**context, "column": column, "quick_add_error": error})
    if error:
        response["HX-Trigger"] = json.dumps({"labora:toast": {"message": error, "level": "error"}})
    return response


@workspace_page
def task_move(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    """POST before/after/status/version: place the card; the re-rendered card, or 422 and why."""
    if request.method != "POST":
        return redirect("workspace_home", ws=workspace.slug)
    try:
        task = selectors.task_get(workspace=workspace, key=task_key)
    except NotFound as exc:
        raise Http404(exc.message) from None
    version_text = request.POST.get("version", "").strip()
    try:
        moved = task_services.task_move(
            actor=request.user,
            task=task,
            before_key=request.POST.get("before") or None,
            after_key=request.POST.get("after") or None,
            status=request.POST.get("status") or None,
            version=int(version_text) if version_text.isdigit() else None,
        )
    except (ValidationError, Conflict, NotFound) as exc:
        if not request.htmx and request.headers.get("X-Requested-With") != "fetch":
            messages.error(request, exc.message)
            return redirect("project_board", ws=workspace.slug, key=task.project.key)
        response = HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
        response["HX-Trigger"] = json.dumps({"labora:toast": {"message": exc.message, "level": "error"}})
        return response
    if not request.htmx and request.headers.get("X-Requested-With") != "fetch":
        messages.success(request, f"{moved.key} moved to {moved.status.name}.")
        return redirect("project_board", ws=workspace.slug, key=moved.project.key)
    fresh = _decorate(selectors.task_get(workspace=workspace, key=moved.key), query_compiler.user_today(request.user))
    context = {
        "workspace": workspace,
        "task": fresh,
        "can_write": can(request.user, "task.write", membership),
        "move_url": reverse("task_move", kwargs={"ws": workspace.slug, "task_key": fresh.key}),
    }
    return render(request, "work/board_card.html", context)


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/board/", project_board, name="project_board"),
    path("w/<slug:ws>/tasks/<str:task_key>/move/", task_move, name="task_move"),
]
