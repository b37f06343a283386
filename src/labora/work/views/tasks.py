"""Task pages: a project's task list (query language, sort, group, quick add, bulk edit) and
the project's trash. The task page is in task_detail.py.

Thin adapters: parse a form, call one service (labora.work.services.tasks) or selector, then
redirect (plain POST) or render a named partial (HTMX). Service errors are shown where they
happened: the query error under the search box, a refused edit on its panel.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.core.errors import Conflict, LaboraError, NotFound, ValidationError
from labora.core.policy import can
from labora.work import forms, query_compiler, selectors
from labora.work.models import PRIORITY_NAME, Priority, Project, Task
from labora.work.services import tasks as task_services
from labora.work.services._common import UNSET
from labora.work.views.projects import CATEGORY_BADGE, project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import members_list
from labora.workspaces.views import Request, workspace_page

PER_PAGE = 50
HISTORY_LIMIT = 100
STALE = "changed elsewhere — reload the page to see the current values, then apply your change again."

# Sortable columns: (order field of the query language, header label).
COLUMNS = [
    ("key", "Key"),
    ("title", "Title"),
    ("status", "Status"),
    ("priority", "Priority"),
    ("assignee", "Assignee"),
    ("due", "Due"),
]
GROUPS = [("", "No grouping"), ("status", "Status"), ("assignee", "Assignee"), ("priority", "Priority")]
PRIORITY_BADGE: dict[int, str] = {
    Priority.URGENT: "badge badge-danger",
    Priority.HIGH: "badge badge-warning",
    Priority.MEDIUM: "badge badge-info",
    Priority.LOW: "badge",
}


# --- list --------------------------------------------------------------------------------


def _row(task: Task, today: datetime.date) -> dict[str, Any]:
    return {
        "task": task,
        "status_badge": CATEGORY_BADGE[task.status.category],
        "priority_badge": PRIORITY_BADGE.get(task.priority, ""),
        "overdue": task.due_date is not None and task.due_date < today and not task.status.is_closed,
        "labels": list(task.labels.all()),
    }


def _group_key(group: str) -> Callable[[Task], tuple[Any, str]]:
    """How rows group: (sort key, heading). Grouping the page's rows is done here in Python."""
    if group == "status":
        return lambda t: ((t.status.position, t.status_id), t.status.name)
    if group == "assignee":
        return lambda t: (
            (t.assignee is None, t.assignee.display_name.lower() if t.assignee else ""),
            t.assignee.display_name if t.assignee else "Unassigned",
        )
    return lambda t: ((-t.priority,), PRIORITY_NAME[t.priority].capitalize())


def _groups(rows: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    if group not in ("status", "assignee", "priority"):
        return [{"heading": "", "rows": rows}]
    keyed = _group_key(group)
    buckets: dict[Any, dict[str, Any]] = {}
    for row in rows:
        sort_key, heading = keyed(row["task"])
        buckets.setdefault(sort_key, {"heading": heading, "rows": []})["rows"].append(row)
    return [buckets[k] for k in sorted(buckets)]


def _sort_links(params: dict[str, str], order: str) -> list[dict[str, Any]]:
    """Column headers: clicking sorts ascending, clicking again descending."""
    links = []
    for field, label in COLUMNS:
        current = "asc" if order == field else "desc" if order == f"-{field}" else ""
        next_order = f"-{field}" if current == "asc" else field
        query = urlencode({**{k: v for k, v in params.items() if v and k != "page"}, "order": next_order})
        links.append({"field": field, "label": label, "query": query, "current": current})
    return links


def _list_context(request: Request, workspace: Workspace, project: Project) -> dict[str, Any]:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "order", "group")}
    today = query_compiler.user_today(request.user)
    query_error = None
    rows: list[dict[str, Any]] = []
    page = None
    try:
        tasks = selectors.task_list(
            user=request.user, workspace=workspace, project=project, q=params["q"], order=params["order"], today=today
        )
        page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
        rows = [_row(task, today) for task in page.object_list]
    except ValidationError as exc:
        if exc.code != "invalid_query":
            raise
        position = (exc.extra or {}).get("position")
        query_error = {
            "message": exc.message,
            "field": next(iter(exc.fields), "q"),
            "position": position,
            # 1-based, as the message says it
            "caret": " " * (position - 1) + "^" if isinstance(position, int) and position > 0 else "",
        }
    base = {k: v for k, v in params.items() if v}
    return {
        "params": params,
        "query_error": query_error,
        "page": page,
        "groups": _groups(rows, params["group"]),
        "row_count": len(rows),
        "sort_links": _sort_links(params, params["order"]),
        "group_choices": GROUPS,
        "page_query": urlencode(base),
    }


def _back_to_list(request: Request, workspace: Workspace, project: Project) -> HttpResponse:
    kept = {k: request.POST.get(k, "") for k in ("q", "order", "group") if request.POST.get(k)}
    url = reverse("project_tasks", kwargs={"ws": workspace.slug, "key": project.key})
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)


def _quick_add(request: Request, project: Project) -> None:
    form = forms.QuickAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type a title for the new task, then press Enter.")
        return
    try:
        task = task_services.task_create(actor=request.user, project=project, title=form.cleaned_data["title"])
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Added {task.key} {task.title}.")


def _bulk(request: Request, workspace: Workspace, project: Project) -> None:
    form = forms.BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Select at least one task with its checkbox first.")
        return
    data = form.cleaned_data
    assignee: Any = UNSET
    if data["assignee"] == forms.UNASSIGNED:
        assignee = None
    elif data["assignee"]:
        assignee = data["assignee"]
    keys = data["tasks"]
    try:
        if data.get("op") == "delete":
            task_services.task_bulk_update(
                actor=request.user, workspace=workspace, project=project, task_keys=keys, delete=True
            )
        else:
            task_services.task_bulk_update(
                actor=request.user,
                workspace=workspace,
                project=project,
                task_keys=keys,
                status=data["status"] or None,
                assignee=assignee,
                priority=data["priority"] or None,
            )
    except (ValidationError, Conflict, NotFound) as exc:
        messages.error(request, f"Nothing was changed. {exc.message}")
    else:
        verb = "Moved to the trash" if data.get("op") == "delete" else "Updated"
        messages.success(request, f"{verb}: {', '.join(keys)}.")


@workspace_page
def project_tasks(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "quick_add":
            _quick_add(request, project)
        elif action == "bulk":
            _bulk(request, workspace, project)
        response = _back_to_list(request, workspace, project)
        if action == "quick_add":
            response["Location"] += ("&" if "?" in response["Location"] else "?") + "adding=1"
        return response
    context = {
        "workspace": workspace,
        "project": project,
        "can_write": can(request.user, "task.write", membership),
        "adding": request.GET.get("adding") == "1",
        **_list_context(request, workspace, project),
    }
    if request.htmx and request.htmx.target == "task-results":
        return render(request, "work/task_list.html#results", context)
    context.update(
        statuses=selectors.workflow_get(project=project)[0],
        members=list(members_list(workspace=workspace)),
        priorities=forms.PRIORITY_CHOICES,
        unassigned=forms.UNASSIGNED,
    )
    return render(request, "work/task_list.html", context)


def task_for(workspace: Workspace, key: str, *, include_trash: bool = False) -> Task:
    try:
        return selectors.task_get(workspace=workspace, key=key, include_trash=include_trash)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- trash -----------------------------------------------------------------------------------


@workspace_page
def project_trash(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key)
    if request.method == "POST":
        task = task_for(workspace, request.POST.get("task", ""), include_trash=True)
        if task.project_id != project.pk:
            raise Http404("No such task in this project's trash.")
        try:
            task_services.task_restore(actor=request.user, task=task)
        except LaboraError as exc:
            if exc.status == 403:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{task.key} {task.title} is back.")
        return redirect("project_trash", ws=workspace.slug, key=project.key)
    trashed = selectors.task_trash_list(workspace=workspace, project=project).select_related("deleted_by")[:200]
    context = {
        "workspace": workspace,
        "project": project,
        "trashed": list(trashed),
        "can_write": can(request.user, "task.write", membership),
    }
    return render(request, "work/project_trash.html", context)


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/", project_tasks, name="project_tasks"),
    path("w/<slug:ws>/projects/<str:key>/trash/", project_trash, name="project_trash"),
]
