"""Task pages: a project's task list (query language, sort, group, inline cell edits, quick
add, bulk edit, saved views, the task side panel) and the project's trash. The task page is in
task_detail.py; saved views in saved_views.py.

Thin adapters: parse a form, call one service (labora.work.services.tasks / relocate) or
selector, then redirect (plain POST) or render a named partial (HTMX). Service errors are shown
where they happened: the query error under the search box, a refused cell edit in its cell.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.core.errors import Conflict, LaboraError, NotFound, ValidationError
from labora.core.policy import can
from labora.work import forms, query_compiler, selectors
from labora.work.models import PRIORITY_NAME, Priority, Project, Status, Task, ViewLayout
from labora.work.permissions import access_of
from labora.work.services import relocate
from labora.work.services import tasks as task_services
from labora.work.services._common import UNSET
from labora.work.views.projects import CATEGORY_BADGE, project_for
from labora.work.views.saved_views import views_bar_context
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
GROUPS = [
    ("", "No grouping"),
    ("status", "Status"),
    ("assignee", "Assignee"),
    ("priority", "Priority"),
    ("label", "Label"),
    ("due_week", "Due week"),
]
PRIORITY_BADGE: dict[int, str] = {
    Priority.URGENT: "badge badge-danger",
    Priority.HIGH: "badge badge-warning",
    Priority.MEDIUM: "badge badge-info",
    Priority.LOW: "badge",
}
# Cells edited in place in the list: the service's field name for each.
CELL_FIELDS = ("status", "assignee", "priority", "due_date")


# --- list --------------------------------------------------------------------------------


def _row(task: Task, today: datetime.date, allowed: dict[int, set[int]] | None = None) -> dict[str, Any]:
    """One list row. `allowed` maps a status id to the ids it may move to (None: any move)."""
    return {
        "task": task,
        "status_badge": CATEGORY_BADGE[task.status.category],
        "priority_badge": PRIORITY_BADGE.get(task.priority, ""),
        "overdue": task.due_date is not None and task.due_date < today and not task.status.is_closed,
        "labels": task.label_objects(),
        "allowed_statuses": None if allowed is None else allowed.get(task.status_id, set()) | {task.status_id},
    }


def allowed_moves(transitions: list[Any]) -> dict[int, set[int]] | None:
    """From each status, the statuses a task may move to; None when the workflow allows any move."""
    if not transitions:
        return None
    moves: dict[int, set[int]] = {}
    for t in transitions:
        moves.setdefault(t.from_status_id, set()).add(t.to_status_id)
    return moves


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def due_week_heading(monday: datetime.date, today: datetime.date) -> str:
    """ "This week (from Mon 2 Mar)", "Next week (…)", "Last week (…)" or "Week of Mon 2 Mar 2026"."""
    this_week = week_start(today)
    label = f"{monday:%a} {monday.day} {monday:%b}" + (f" {monday.year}" if monday.year != today.year else "")
    relative = {0: "This week", 7: "Next week", -7: "Last week"}.get((monday - this_week).days)
    return f"{relative} (from {label})" if relative else f"Week of {label}"


def _group_key(group: str, today: datetime.date) -> Callable[[Task], list[tuple[Any, str]]]:
    """How rows group: the (sort key, heading) of each group a task belongs to. A task with
    several labels is in the group of each of them."""
    if group == "status":
        return lambda t: [((t.status.position, t.status_id), t.status.name)]
    if group == "assignee":
        return lambda t: [
            (
                (t.assignee is None, t.assignee.display_name.lower() if t.assignee else ""),
                t.assignee.display_name if t.assignee else "Unassigned",
            )
        ]
    if group == "label":
        return lambda t: (
            [((0, label.name.lower()), label.name) for label in t.label_objects()] or [((1, ""), "No label")]
        )
    if group == "due_week":
        return lambda t: (
            [((0, week_start(t.due_date)), due_week_heading(week_start(t.due_date), today))]
            if t.due_date is not None
            else [((1, datetime.date.min), "No due date")]
        )
    return lambda t: [((-t.priority,), PRIORITY_NAME[t.priority].capitalize())]


def _groups(rows: list[dict[str, Any]], group: str, today: datetime.date | None = None) -> list[dict[str, Any]]:
    if group not in dict(GROUPS) or not group:
        return [{"heading": "", "rows": rows}]
    keyed = _group_key(group, today or datetime.date.today())
    buckets: dict[Any, dict[str, Any]] = {}
    seen: set[int] = set()
    for row in rows:
        for sort_key, heading in keyed(row["task"]):
            # A repeated row (another label's group) carries no id: ids stay unique on the page.
            entry = row if row["task"].pk not in seen else {**row, "repeat": True}
            seen.add(row["task"].pk)
            buckets.setdefault(sort_key, {"heading": heading, "rows": []})["rows"].append(entry)
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


def _list_context(
    request: Request, workspace: Workspace, membership: Membership, project: Project, transitions: list[Any]
) -> dict[str, Any]:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "order", "group")}
    today = query_compiler.user_today(request.user)
    allowed = allowed_moves(transitions)
    query_error = None
    rows: list[dict[str, Any]] = []
    page = None
    try:
        tasks = selectors.task_list(
            user=request.user,
            workspace=workspace,
            membership=membership,
            project=project,
            q=params["q"],
            order=params["order"],
            today=today,
        )
        page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
        rows = [_row(task, today, allowed) for task in page.object_list]
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
    view = request.GET.get("view", "").strip()
    base = {k: v for k, v in {**params, "view": view}.items() if v}
    return {
        "params": params,
        "view_param": view,
        "query_error": query_error,
        "page": page,
        "groups": _groups(rows, params["group"], today),
        "row_count": len(rows),
        "sort_links": _sort_links({**params, "view": view}, params["order"]),
        "group_choices": GROUPS,
        "page_query": urlencode(base),
    }


def _back_to_list(request: Request, workspace: Workspace, project: Project) -> HttpResponse:
    kept = {k: request.POST.get(k, "") for k in ("q", "order", "group", "view") if request.POST.get(k)}
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


class ListBulkForm(forms.BulkForm):
    """The list's bulk bar: the base fields plus labels, the due date and the target project."""

    op = django_forms.ChoiceField(choices=[("apply", "apply"), ("delete", "delete"), ("move", "move")], required=False)
    labels_add = django_forms.CharField(required=False, max_length=600)  # comma-separated names
    labels_remove = django_forms.CharField(required=False, max_length=600)
    due_date = django_forms.DateField(required=False)
    clear_due = django_forms.BooleanField(required=False)
    target = django_forms.CharField(required=False, max_length=10)  # a project key

    @staticmethod
    def names(text: str) -> list[str]:
        return [name.strip() for name in (text or "").split(",") if name.strip()]


def _bulk(request: Request, workspace: Workspace, project: Project) -> None:
    form = ListBulkForm(request.POST)
    if not form.is_valid():
        if "due_date" in form.errors:
            messages.error(request, "Nothing was changed: the due date is written YYYY-MM-DD.")
        else:
            messages.error(request, "Select at least one task with its checkbox first.")
        return
    data = form.cleaned_data
    keys = data["tasks"]
    op = data.get("op") or "apply"
    try:
        if op == "delete":
            task_services.task_bulk_update(
                actor=request.user, workspace=workspace, project=project, task_keys=keys, delete=True
            )
            messages.success(request, f"Moved to the trash: {', '.join(keys)}.")
            return
        if op == "move":
            _bulk_move(request, workspace, project, keys, data["target"])
            return
        assignee: Any = UNSET
        if data["assignee"] == forms.UNASSIGNED:
            assignee = None
        elif data["assignee"]:
            assignee = data["assignee"]
        due: Any = UNSET
        if data["clear_due"]:
            due = None
        elif data["due_date"]:
            due = data["due_date"]
        task_services.task_bulk_update(
            actor=request.user,
            workspace=workspace,
            project=project,
            task_keys=keys,
            status=data["status"] or None,
            assignee=assignee,
            priority=data["priority"] or None,
            due_date=due,
            labels_add=form.names(data["labels_add"]),
            labels_remove=form.names(data["labels_remove"]),
        )
    except (ValidationError, Conflict, NotFound) as exc:
        messages.error(request, f"Nothing was changed. {exc.message}")
    else:
        messages.success(request, f"Updated: {', '.join(keys)}.")


def _bulk_move(request: Request, workspace: Workspace, project: Project, keys: list[str], target_key: str) -> None:
    if not target_key:
        messages.error(request, "Nothing was moved: choose the project to move the tasks to.")
        return
    # Only this project's tasks are on the page: keys of another project are refused, like the bulk edit.
    foreign = [k for k in keys if not k.upper().startswith(f"{project.key}-")]
    if foreign:
        messages.error(
            request,
            f"Nothing was moved: {', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not in {project.key}.",
        )
        return
    target = selectors.project_get(user=request.user, workspace=workspace, key=target_key)
    moved = relocate.tasks_move_to_project(actor=request.user, workspace=workspace, task_keys=keys, project=target)
    pairs = ", ".join(f"{old} → {task.key}" for old, task in moved)
    messages.success(request, f"Moved to {target.key} {target.name}: {pairs}.")


def _page_extras(workspace: Workspace, project: Project, statuses: list[Status], *, user: Any) -> dict[str, Any]:
    """What the row controls and the bulk bar offer: statuses, people, priorities, projects."""
    return {
        "statuses": statuses,
        "members": list(members_list(workspace=workspace)),
        "priorities": forms.PRIORITY_CHOICES,
        "unassigned": forms.UNASSIGNED,
        "move_targets": [
            p
            for p in selectors.project_list(user=user, workspace=workspace, include_archived=False)
            if p.pk != project.pk
        ],
    }


@workspace_page
def project_tasks(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
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
    statuses, transitions = selectors.workflow_get(project=project)
    context = {
        "workspace": workspace,
        "project": project,
        "can_write": can(request.user, "task.write", access_of(membership, project)),
        "adding": request.GET.get("adding") == "1",
        **_list_context(request, workspace, membership, project, transitions),
        **_page_extras(workspace, project, statuses, user=request.user),
    }
    if request.htmx and request.htmx.target == "task-results":
        return render(request, "work/task_list.html#results", context)
    context.update(
        views_bar_context(request, workspace, membership, project, layout=ViewLayout.LIST, params=context["params"]),
        labels=list(selectors.label_list(workspace=workspace)),
    )
    return render(request, "work/task_list.html", context)


def _cell_value(field: str, raw: str) -> Any:
    """A cell's posted value as the service takes it; "" clears the assignee and the due date."""
    if field == "assignee":
        return raw or None
    if field == "due_date":
        if not raw:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(
                f"'{raw}' is not a date: write it YYYY-MM-DD.", fields={"due_date": "not a date"}
            ) from None
    return raw


@workspace_page
def task_cell(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    """POST field (status, assignee, priority, due_date), value and version: one cell of a list
    row edited in place. HTMX gets the row back, with the refusal (or the stale version) shown
    in the cell; a plain POST goes back to the list with a message."""
    task = task_for(workspace, task_key, user=request.user, membership=membership)
    if request.method != "POST":
        return redirect("project_tasks", ws=workspace.slug, key=task.project.key)
    field = request.POST.get("field", "")
    if field not in CELL_FIELDS:
        raise Http404("Unknown field.")
    version_text = request.POST.get("version", "").strip()
    error = None
    try:
        task_services.task_update(
            actor=request.user,
            task=task,
            version=int(version_text) if version_text.isdigit() else None,
            **{field: _cell_value(field, request.POST.get("value", "").strip())},
        )
    except Conflict:
        error = f"{task.key} was changed elsewhere: this row now shows its current values. Apply your change again."
    except (ValidationError, NotFound) as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("project_tasks", ws=workspace.slug, key=task.project.key)
    fresh = task_for(workspace, task.key, user=request.user, membership=membership)
    statuses, transitions = selectors.workflow_get(project=fresh.project)
    today = query_compiler.user_today(request.user)
    context = {
        "workspace": workspace,
        "project": fresh.project,
        "can_write": can(request.user, "task.write", access_of(membership, fresh.project)),
        "row": _row(fresh, today, allowed_moves(transitions)),
        "cell_error": {"field": field, "message": error} if error else None,
        **_page_extras(workspace, fresh.project, statuses, user=request.user),
    }
    return render(request, "work/task_list.html#row", context)


def task_for(workspace: Workspace, key: str, *, user: Any, membership: Membership, include_trash: bool = False) -> Task:
    try:
        return selectors.task_get(
            user=user, workspace=workspace, membership=membership, key=key, include_trash=include_trash
        )
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- trash -----------------------------------------------------------------------------------


@workspace_page
def project_trash(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    if request.method == "POST":
        task = task_for(
            workspace, request.POST.get("task", ""), user=request.user, membership=membership, include_trash=True
        )
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
        "can_write": can(request.user, "task.write", access_of(membership, project)),
    }
    return render(request, "work/project_trash.html", context)


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/", project_tasks, name="project_tasks"),
    path("w/<slug:ws>/projects/<str:key>/trash/", project_trash, name="project_trash"),
    path("w/<slug:ws>/tasks/<str:task_key>/cell/", task_cell, name="task_cell"),
]
