"""The task page: every field group editable in place (version-checked), subtasks, checklist,
custom fields, watchers, roll-ups, history.

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
from labora.core.errors import Conflict, LaboraError, ValidationError
from labora.core.policy import can
from labora.work import forms, query_compiler, selectors
from labora.work.markdown import render_markdown
from labora.work.models import CustomField, Status, Task
from labora.work.permissions import access_of
from labora.work.services import checklist as checklist_services
from labora.work.services import fields as field_services
from labora.work.services import tasks as task_services
from labora.work.services import watchers as watcher_services
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


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def _form(group: str, data: Any, task: Task, members: list[Membership], definitions: list[CustomField]) -> Any:
    """The form class of a panel, built with what it needs (members, types, field definitions)."""
    if group == "details":
        return forms.TaskDetailsForm(data, members=members, types=field_services.task_types(task.project))
    if group == "fields":
        return forms.CustomFieldsForm(data, definitions=definitions, members=members)
    return FORM_CLASSES[group](data)


def _custom_initial(task: Task, definitions: list[CustomField], members: list[Membership]) -> dict[str, Any]:
    emails = {m.user.public_id: m.user.email for m in members}
    values = field_services.display_values(definitions, task.custom_fields, emails)
    return {f"cf_{f.public_id}": values.get(f.name) for f in definitions}


def _task_forms(
    task: Task,
    members: list[Membership],
    definitions: list[CustomField],
    data: Any = None,
    group: str = "",
) -> dict[str, Any]:
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
            types=field_services.task_types(task.project),
            initial={
                **version,
                "type": task.type,
                "priority": task.priority_name,
                "assignee": task.assignee.email if task.assignee else "",
                "collaborators": [u.email for u in task.collaborators.all()],
            },
        ),
        "plan": forms.TaskPlanForm(
            bound("plan"),
            initial={
                **version,
                "start_date": task.start_date,
                "due_date": task.due_date,
                "estimate_hours": task.estimate_hours,
                "estimate_optimistic_hours": _hours(task.estimate_optimistic_minutes),
                "estimate_likely_hours": _hours(task.estimate_likely_minutes),
                "estimate_pessimistic_hours": _hours(task.estimate_pessimistic_minutes),
            },
        ),
        "fields": forms.CustomFieldsForm(
            bound("fields"),
            definitions=definitions,
            members=members,
            initial={**version, **_custom_initial(task, definitions, members)},
        ),
        "checklist": forms.ChecklistAddForm(bound("check_add")),
        "links": forms.TaskLinksForm(
            bound("links"),
            initial={
                **version,
                "labels": ", ".join(label.name for label in task.label_objects()),
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
        return {
            "type": data["type"],
            "priority": data["priority"],
            "assignee": data["assignee"] or None,
            "collaborators": data["collaborators"],
        }
    if group == "plan":
        hours = {
            name: float(data[name]) if data[name] is not None else None
            for name in (
                "estimate_hours",
                "estimate_optimistic_hours",
                "estimate_likely_hours",
                "estimate_pessimistic_hours",
            )
        }
        if hours["estimate_hours"] is None and any(v is not None for k, v in hours.items() if k != "estimate_hours"):
            del hours["estimate_hours"]  # an empty estimate beside a three-point one: take the PERT mean
        return {"start_date": data["start_date"], "due_date": data["due_date"], **hours}
    if group == "fields":
        return {"custom_fields": form.values()}
    return {"labels": form.label_names(), "parent": data["parent"].strip() or None}


FORM_CLASSES: dict[str, Any] = {
    "text": forms.TaskTextForm,
    "status": forms.TaskStatusForm,
    "details": forms.TaskDetailsForm,
    "plan": forms.TaskPlanForm,
    "links": forms.TaskLinksForm,
    "fields": forms.CustomFieldsForm,
}


def _edit(
    request: Request, task: Task, group: str, members: list[Membership], definitions: list[CustomField]
) -> tuple[Task, str | None, Any]:
    """Apply one panel's form; returns (task, error message, the bound form or None)."""
    form = _form(group, request.POST, task, members, definitions)
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


def _checklist(request: Request, task: Task, action: str) -> str | None:
    """Add, tick, rename, move or delete a checklist item; returns an error message or None."""
    if action == "check_add":
        add = forms.ChecklistAddForm(request.POST)
        if not add.is_valid():
            return "Type the item's text."
        try:
            checklist_services.checklist_item_add(actor=request.user, task=task, text=add.cleaned_data["text"])
        except ValidationError as exc:
            return exc.message
        return None
    form = forms.ChecklistItemForm(request.POST)
    if not form.is_valid():
        return "That checklist item could not be read; reload the page."
    data = form.cleaned_data
    try:
        item = selectors.checklist_item_get(task=task, item_id=data["item"])
        if action == "check_toggle":
            checklist_services.checklist_item_update(
                actor=request.user, item=item, version=data["version"], done=not item.done
            )
        elif action == "check_edit":
            checklist_services.checklist_item_update(
                actor=request.user, item=item, version=data["version"], text=data["text"]
            )
        elif action == "check_move":
            checklist_services.checklist_item_move(
                actor=request.user,
                item=item,
                version=data["version"],
                before_id=data["before"] or None,
                after_id=data["after"] or None,
            )
        elif action == "check_delete":
            checklist_services.checklist_item_delete(actor=request.user, item=item)
    except Conflict:
        return f"That item was {STALE}"
    except LaboraError as exc:
        return exc.message
    return None


def _watch(request: Request, task: Task, action: str) -> str | None:
    try:
        if action == "watch":
            watcher_services.task_watch(actor=request.user, task=task)
        else:
            watcher_services.task_unwatch(actor=request.user, task=task)
    except LaboraError as exc:
        return exc.message
    return None


def _checklist_rows(task: Task) -> list[dict[str, Any]]:
    """The items with their neighbours' ids, for the move-up and move-down buttons."""
    items = list(selectors.checklist(task=task))
    return [
        {
            "item": item,
            "up": items[i - 1].public_id if i > 0 else "",
            "down": items[i + 1].public_id if i + 1 < len(items) else "",
        }
        for i, item in enumerate(items)
    ]


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
    definitions = field_services.field_definitions(task.project)
    emails = {m.user.public_id: m.user.email for m in members}
    names = {m.user.email: m.user.display_name for m in members}
    values = field_services.display_values(definitions, task.custom_fields, emails)
    watchers = selectors.task_watchers(task=task)
    checklist = _checklist_rows(task)
    done = sum(1 for row in checklist if row["item"].done)
    return {
        "workspace": workspace,
        "project": task.project,
        "task": task,
        "row": _row(task, today),
        "can_write": can(request.user, "task.write", access_of(membership, task.project)),
        "description_html": render_markdown(task.description),
        "status_options": [(s, s.pk in allowed) for s in statuses],
        "subtasks": list(selectors.task_children(workspace=workspace, task=task)),
        "history": list(activity_list(workspace=workspace, membership=membership, task=task.key)[:HISTORY_LIMIT]),
        "forms": _task_forms(task, members, definitions),
        "custom_values": [
            (f, names.get(values[f.name], values[f.name]) if f.type == "user" else values[f.name])
            for f in definitions
            if f.name in values
        ],
        "has_custom_fields": bool(definitions),
        "checklist": checklist,
        "checklist_done": done,
        "checklist_percent": round(100 * done / len(checklist)) if checklist else 0,
        "watchers": watchers,
        "watching": any(w.pk == request.user.pk for w in watchers),
        "collaborators": list(task.collaborators.all()),
        "rollup_hours": _hours(task.rollup_estimate_minutes),
    }


@workspace_page
def task_detail(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    task = task_for(workspace, task_key, user=request.user, membership=membership)
    if request.method == "GET" and not request.htmx and task.key != task_key.upper():
        # A key the task had before it moved to another project: send the reader to its address
        # now (permanent: the old key never names another task), the panel or query kept.
        target = reverse("task_detail", kwargs={"ws": workspace.slug, "task_key": task.key})
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{target}?{query}" if query else target, permanent=True)
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
        elif group.startswith("check_"):
            error = _checklist(request, task, group)
            if error:
                errors["checklist"] = error
        elif group in ("watch", "unwatch"):
            error = _watch(request, task, group)
            if error:
                errors["watch"] = error
        elif group in FORM_CLASSES:
            definitions = field_services.field_definitions(task.project)
            task, error, bound_form = _edit(request, task, group, members, definitions)
            if error:
                errors[group] = error
        if not errors and not request.htmx:
            messages.success(request, "Saved.")
            return redirect("task_detail", ws=workspace.slug, task_key=task.key)
        # fresh: labels, version, status after the write
        task = task_for(workspace, task.key, user=request.user, membership=membership)
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
