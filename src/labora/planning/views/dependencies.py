"""The "Dependencies" section of a task's page and side panel: what the task waits for, what
waits for it, with type and lag; add (a task key picker that searches the project), change,
remove; and the task's scheduling constraint (set by a person's move on an auto-scheduled project,
"start no earlier than" …), to change or clear. Loaded lazily (`hx-get ... hx-trigger="load"` in
work/task_detail.html) and re-rendered in place after each change; refusals (a cycle, a task of
another project or workspace, a stale version) are shown inside the section.

Thin: every write is a planning service (dependency_create / _update / _delete), which checks
the permission, the cycle and the version and records the event.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import can
from labora.planning import gantt, selectors, services
from labora.planning.models import ConstraintType, Dependency, DependencyType
from labora.work import selectors as work_selectors
from labora.work.models import Task
from labora.work.permissions import access_of
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

PICKER_LIMIT = 20


def _task(request: Request, workspace: Workspace, membership: Membership, key: str) -> Task:
    try:
        return work_selectors.task_get(user=request.user, workspace=workspace, key=key, membership=membership)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _int(value: str, field: str, what: str) -> int:
    text = (value or "").strip()
    try:
        return int(text or "0")
    except ValueError:
        raise ValidationError(
            f"The {what} is a whole number of working days, like 2 or -1.", fields={field: "not a number"}
        ) from None


def _add(request: Request, task: Task) -> str:
    """Link `task` to the key typed: it waits for that task (predecessor) or that task waits for it."""
    other_key = request.POST.get("other", "").strip().upper().split(" ", 1)[0]
    direction = request.POST.get("direction", "predecessor")
    dep_type = request.POST.get("type", DependencyType.FS)
    lag = _int(request.POST.get("lag_days", ""), "lag_days", "lag")
    if not other_key:
        raise ValidationError("Name a task to link, by its key (e.g. OPS-12): type a key or part of a title.")
    if direction == "successor":
        try:
            other = work_selectors.task_get(user=request.user, workspace=task.workspace, key=other_key)
        except NotFound:
            raise ValidationError(
                f"There is no task {other_key} in this workspace. Name a task key such as {task.project.key}-1."
            ) from None
        services.dependency_create(actor=request.user, task=other, predecessor=task.key, type=dep_type, lag_days=lag)
        return f"{other.key} now waits for {task.key}."
    services.dependency_create(actor=request.user, task=task, predecessor=other_key, type=dep_type, lag_days=lag)
    return f"{task.key} now waits for {other_key}."


def _dependency(request: Request, task: Task) -> Dependency:
    try:
        return selectors.dependency_get(task=task, dependency_id=request.POST.get("dependency", ""))
    except NotFound:
        raise NotFound("That dependency was removed a moment ago; the list below is current.") from None


def _update(request: Request, task: Task) -> str:
    dep = _dependency(request, task)
    version_text = request.POST.get("version", "").strip()
    services.dependency_update(
        actor=request.user,
        dependency=dep,
        version=int(version_text) if version_text.isdigit() else None,
        type=request.POST.get("type", dep.type),
        lag_days=_int(request.POST.get("lag_days", ""), "lag_days", "lag"),
    )
    return f"Changed {dep.predecessor.key} → {dep.successor.key}."


def _constraint(request: Request, task: Task) -> str:
    """Set or clear the task's constraint (`clear` = as soon as possible), version-checked."""
    version_text = request.POST.get("version", "").strip()
    kind = "ASAP" if request.POST.get("clear") else request.POST.get("constraint_type", "ASAP").strip().upper()
    date_text = request.POST.get("constraint_date", "").strip()
    day = None
    if kind != "ASAP":
        try:
            day = datetime.date.fromisoformat(date_text)
        except ValueError:
            raise ValidationError(
                f"Pick the date of the constraint ('{date_text}' is not a date).", fields={"constraint_date": "date"}
            ) from None
    plan = services.task_plan_update(
        actor=request.user,
        task=task,
        version=int(version_text) if version_text.isdigit() else None,
        constraint_type=kind,
        constraint_date=day,
    )
    if plan.constraint_type == ConstraintType.ASAP:
        return f"{task.key} is scheduled as soon as possible again."
    return f"{task.key}: {plan.get_constraint_type_display().lower()} {plan.constraint_date:%a %-d %b %Y}."


def _remove(request: Request, task: Task) -> str:
    dep = _dependency(request, task)
    services.dependency_delete(actor=request.user, dependency=dep)
    return f"Removed {dep.predecessor.key} → {dep.successor.key}."


ACTIONS = {"add": _add, "update": _update, "remove": _remove, "constraint": _constraint}


def _context(request: Request, membership: Membership, task: Task, **extra: Any) -> dict[str, Any]:
    deps = list(selectors.dependency_list(task=task))
    return {
        "workspace": task.workspace,
        "task": task,
        "predecessors": [d for d in deps if d.successor_id == task.pk],
        "successors": [d for d in deps if d.predecessor_id == task.pk],
        "count": len(deps),
        "types": DependencyType.choices,
        "can_link": can(request.user, "dependency.write", access_of(membership, task.project)),
        "plan": selectors.task_plan(task=task),
        "constraints": ConstraintType.choices,
        "can_constrain": can(request.user, "task_plan.update", access_of(membership, task.project)),
        **extra,
    }


@workspace_page
def task_dependencies(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    """GET: the section. POST action=add|update|remove: change, then the section again."""
    task = _task(request, workspace, membership, task_key)
    error = notice = ""
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            error = "Unknown action: use add, update, remove or constraint."
        else:
            try:
                notice = action(request, task)
            except (ValidationError, Conflict, NotFound) as exc:
                error = exc.message
                if request.POST.get("action") == "add":
                    posted = {k: request.POST.get(k, "") for k in ("other", "direction", "type", "lag_days")}
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, notice)
            return redirect("task_detail", ws=workspace.slug, task_key=task.key)
    # A refusal is part of the section (HTMX swaps only 2xx answers): it says why, inline.
    context = _context(request, membership, task, error=error, notice=notice, posted=posted)
    return render(request, "planning/_task_dependencies.html", context)


@workspace_page
def dependency_picker(request: Request, workspace: Workspace, membership: Membership, task_key: str) -> HttpResponse:
    """Options for the key picker: tasks of the same project whose key or title matches `other`."""
    task = _task(request, workspace, membership, task_key)
    found = gantt.dependency_candidates(task=task, search=request.GET.get("other", ""), limit=PICKER_LIMIT)
    return render(request, "planning/_task_dependencies.html#options", {"task": task, "candidates": found})


urlpatterns = [
    path("w/<slug:ws>/tasks/<str:task_key>/dependencies/", task_dependencies, name="task_dependencies"),
    path("w/<slug:ws>/tasks/<str:task_key>/dependencies/pick/", dependency_picker, name="task_dependency_picker"),
]
