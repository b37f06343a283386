"""The task page: every field group editable in place (version-checked), subtasks, history.

Thin adapter: parse one panel's form, call labora.work.services.tasks, re-render the task
partial (HTMX) or redirect (plain POST).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.collaboration.selectors import activity_list
from labora.core.errors import Conflict, ValidationError
from labora.core.policy import can
from labora.work import forms, query_compiler, selectors
from labora.work.markdown import render_markdown
from labora.work.models import Status, Task
from labora.work.services import tasks as task_services
from labora.work.views.tasks import STALE, _row, task_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import members_list
from labora.workspaces.views import Request, workspace_page

HISTORY_LIMIT = 100


def _allowed_status_ids(task: Task, statuses: list[Status], transitions: list[Any]) -> set[int]:
    """The statuses the task may move to (the service enforces it; the select shows it)."""
    if not transitions:
        return {s.pk for s in statuses}
    return {task.status_id} | {t.to_status_id for t in transitions if t.from_status_id == task.status_id}


def _task_forms(task: Task, members: list[Membership], data: Any = None, group: str = "") -> dict[str, Any]:
    """One form per panel, bound only for the panel that was posted."""
    version = {"version": task.version}

    def bound(name: str) -> Any:
        return data if group == name else None

    return {
        "text": forms.TaskTextForm(
            bound("text"), initial={**version, "title": task.title, "description": task.description}
        ),
        "details": forms.TaskDetailsForm(
            bound("details"),
            members=members,
            initial={
                **version,
                "type": task.type,
                "priority": task.priority_name,
                "assignee": task.assignee.email if task.assignee else "",
            },
        ),
        "plan": forms.TaskPlanForm(
            bound("plan"),
            initial={
                **version,
                "start_date": task.start_date,
                "due_date": task.due_date,
                "estimate_hours": task.estimate_hours,
            },
        ),
        "links": forms.TaskLinksForm(
            bound("links"),
            initial={
                **version,
                "labels": ", ".join(label.name for label in task.labels.all()),
                "parent": task.parent.key if task.parent else "",
            },
        ),
        "subtask": forms.SubtaskForm(bound("subtask")),
    }


def _changes(group: str, form: Any) -> dict[str, Any]:
    data = form.cleaned_data
    if group == "text":
        return {"title": data["title"], "description": data["description"]}
    if group == "status":
        return {"status": data["status"]}
    if group == "details":
        return {"type": data["type"], "priority": data["priority"], "assignee": data["assignee"] or None}
    if group == "plan":
        hours = data["estimate_hours"]
        return {
            "start_date": data["start_date"],
            "due_date": data["due_date"],
            "estimate_hours": float(hours) if hours is not None else None,
        }
    return {"labels": form.label_names(), "parent": data["parent"].strip() or None}


FORM_CLASSES: dict[str, Any] = {
    "text": forms.TaskTextForm,
    "status": forms.TaskStatusForm,
    "details": forms.TaskDetailsForm,
    "plan": forms.TaskPlanForm,
    "links": forms.TaskLinksForm,
}


def _edit(request: Request, task: Task, group: str, members: list[Membership]) -> tuple[Task, str | None, Any]:
    """Apply one panel's form; returns (task, error message, the bound form or None)."""
    form_class = FORM_CLASSES[group]
    form = form_class(request.POST, members=members) if group == "details" else form_class(request.POST)
    if not form.is_valid():
        return task, "Check the highlighted fields.", form
    try:
        updated = task_services.task_update(
            actor=request.user, task=task, version=form.cleaned_data["version"], **_changes(group, form)
        )
    except Conflict:
        return task, f"{task.key} was {STALE}", None
    except ValidationError as exc:
        forms.apply_error(form, exc)
        return task, exc.message, form
    return updated, None, None


def _subtask(request: Request, task: Task) -> str | None:
    form = forms.SubtaskForm(request.POST)
    if not form.is_valid():
        return "Type a title for the subtask."
    try:
        task_services.task_create(
            actor=request.user, project=task.project, title=form.cleaned_data["title"], parent=task.key
        )
    except ValidationError as exc:
        return exc.message
    return None


def _detail_context(
    request: Request, workspace: Workspace, membership: Membership, task: Task, members: list[Membership]
) -> dict[str, Any]:
    statuses, transitions = selectors.workflow_get(project=task.project)
    allowed = _allowed_status_ids(task, statuses, transitions)
    today = query_compiler.user_today(request.user)
    return {
        "workspace": workspace,
        "project": task.project,
        "task": task,
        "row": _row(task, today),
        "can_write": can(request.user, "task.write", membership),
        "description_html": render_markdown(task.description),
        "status_options": [(s, s.pk in allowed) for s in statuses],
        "subtasks": list(selectors.task_children(workspace=workspace, task=task)),
        "history": list(activity_list(workspace=workspace, task=task.key)[:HISTORY_LIMIT]),
        "forms": _task_forms(task, members),
    }


@workspace_page
def task_detail(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    task = task_for(workspace, task_key)
    members = list(members_list(workspace=workspace))
    errors: dict[str, str] = {}
    bound_form = None
    group = request.POST.get("action", "")
    if request.method == "POST":
        if group == "delete":
            task_services.task_delete(actor=request.user, task=task)
            trash = reverse("project_trash", kwargs={"ws": workspace.slug, "key": task.project.key})
            messages.success(request, f"{task.key} is in the trash. Restore it from the project's trash ({trash}).")
            return redirect("project_tasks", ws=workspace.slug, key=task.project.key)
        if group == "subtask":
            error = _subtask(request, task)
            if error:
                errors["subtask"] = error
        elif group in FORM_CLASSES:
            task, error, bound_form = _edit(request, task, group, members)
            if error:
                errors[group] = error
        if not errors and not request.htmx:
            messages.success(request, "Saved.")
            return redirect("task_detail", ws=workspace.slug, task_key=task.key)
        task = task_for(workspace, task.key)  # fresh: labels, version, status after the write
    context = _detail_context(request, workspace, membership, task, members)
    if bound_form is not None and group in context["forms"]:
        context["forms"][group] = bound_form
    context["errors"] = errors
    status = 422 if errors and not request.htmx else 200
    if request.htmx:
        return render(request, "work/task_detail.html#task", context, status=status)
    return render(request, "work/task_detail.html", context, status=status)


urlpatterns = [
    path("w/<slug:ws>/tasks/<str:task_key>/", task_detail, name="task_detail"),
]
