"""Writes to dependencies: link two tasks of a project, change the link's type or lag, unlink."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, NotFound, ValidationError
from labora.planning import engine, selectors
from labora.planning.models import Dependency, DependencyType
from labora.work import selectors as work_selectors
from labora.work.models import Project, Task
from labora.work.services._common import UNSET, authorise, check_version, is_set

MAX_LAG_DAYS = 10_000


def _type(value: str) -> str:
    if value not in DependencyType.values:
        raise ValidationError(
            f"Unknown dependency type '{value}'. Use FS (finish to start), SS (start to start), "
            "FF (finish to finish) or SF (start to finish).",
            fields={"type": "unknown type"},
        )
    return value


def _lag(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_LAG_DAYS <= value <= MAX_LAG_DAYS:
        raise ValidationError(
            f"The lag is a whole number of working days from -{MAX_LAG_DAYS} (a lead) to {MAX_LAG_DAYS}.",
            fields={"lag_days": "out of range"},
        )
    return value


def _label(dep: Dependency) -> str:
    return f"{dep.predecessor.key} → {dep.successor.key}"


def _data(dep: Dependency) -> dict[str, Any]:
    return {
        "project": dep.successor.project.key,
        "task": dep.successor.key,
        "predecessor": dep.predecessor.key,
        "successor": dep.successor.key,
        "type": dep.type,
        "lag_days": dep.lag_days,
    }


def _predecessor(actor: User, task: Task, key: str) -> Task:
    try:
        other = work_selectors.task_get(user=actor, workspace=task.workspace, key=(key or "").strip())
    except NotFound:
        raise ValidationError(
            f"There is no task {key.strip() or '(empty)'} in this workspace to depend on. Name a task key such as "
            f"{task.project.key}-1.",
            fields={"predecessor": "unknown task"},
        ) from None
    if other.pk == task.pk:
        raise ValidationError(
            f"{task.key} cannot depend on itself. Name another task of {task.project.key}.",
            code="self_dependency",
            fields={"predecessor": "the task itself"},
        )
    if other.project_id != task.project_id:
        raise ValidationError(
            f"{other.key} is in project {other.project.key}; dependencies link tasks of the same project "
            f"({task.project.key}) for now.",
            code="cross_project_dependency",
            fields={"predecessor": "in another project"},
        )
    return other


def _check_cycle(project: Project, new: engine.Dependency, replacing: Dependency | None = None) -> None:
    cycle = selectors.cycle_through(project=project, new=new, replacing=replacing)
    if cycle:
        path = " → ".join([*cycle, cycle[0]])
        raise ValidationError(
            f"This dependency would close a cycle: {path}. A task cannot (even indirectly) wait for itself; "
            "remove one of these links first.",
            code="dependency_cycle",
            fields={"predecessor": "closes a cycle"},
            extra={"cycle": cycle},
        )


def dependency_create(
    *,
    actor: User,
    task: Task,
    predecessor: str,
    type: str = DependencyType.FS,
    lag_days: int = 0,
    lag_elapsed: bool = False,
) -> Dependency:
    """Make `task` depend on the task keyed `predecessor` (same project). Raises PermissionDenied,
    NotFound (task trashed), ValidationError (unknown/foreign/self predecessor, type, lag,
    dependency_cycle naming the tasks), Conflict (the two tasks are already linked)."""
    authorise(actor, "dependency.write", task.project, "Viewers cannot link tasks.")
    dep_type = _type(type)
    lag = _lag(lag_days)
    other = _predecessor(actor, task, predecessor)
    with transaction.atomic():
        # One dependency write at a time per project: two links that together close a cycle
        # cannot both pass the check.
        Project.objects.select_for_update().filter(pk=task.project_id).first()
        if not Task.objects.filter(pk=task.pk).exists():
            raise NotFound(f"Task {task.key} is in the trash; restore it first.")
        existing = Dependency.objects.filter(predecessor=other, successor=task).select_related(
            "predecessor__project", "successor__project"
        )
        if found := existing.first():
            raise Conflict(
                f"{task.key} already depends on {other.key} ({found.type}, lag {found.lag_days}). "
                "Change that dependency instead (PATCH it).",
                code="dependency_exists",
                current=found,
            )
        _check_cycle(task.project, engine.Dependency(other.pk, task.pk, engine.DependencyType(dep_type), lag))
        try:
            with transaction.atomic():
                dep = Dependency.objects.create(
                    workspace=task.workspace,
                    predecessor=other,
                    successor=task,
                    type=dep_type,
                    lag_days=lag,
                    lag_elapsed=bool(lag_elapsed),
                    created_by=actor,
                )
        except IntegrityError:
            raise Conflict(
                f"{task.key} already depends on {other.key}. Reload its dependencies.", code="dependency_exists"
            ) from None
        dep.predecessor, dep.successor = other, task
        events.record(
            name="dependency.created",
            actor=actor,
            workspace=task.workspace,
            target=dep,
            target_label=_label(dep),
            data=_data(dep),
        )
    return dep


def dependency_update(
    *,
    actor: User,
    dependency: Dependency,
    version: int | None = None,
    type: Any = UNSET,
    lag_days: Any = UNSET,
    lag_elapsed: Any = UNSET,
) -> Dependency:
    """Change a dependency's type, lag or lag kind. Raises PermissionDenied, NotFound,
    ValidationError, Conflict (stale version)."""
    authorise(actor, "dependency.write", dependency.successor.project, "Viewers cannot change dependencies.")
    with transaction.atomic():
        locked = (
            Dependency.objects.select_for_update(of=("self",))
            .select_related("predecessor__project", "successor__project")
            .filter(pk=dependency.pk)
            .first()
        )
        if locked is None:
            raise NotFound("That dependency was removed a moment ago. Reload the task's dependencies.")
        check_version(locked, version, "dependency")
        updates: dict[str, Any] = {}
        if is_set(type) and type is not None:
            updates["type"] = _type(type)
        if is_set(lag_days) and lag_days is not None:
            updates["lag_days"] = _lag(lag_days)
        if is_set(lag_elapsed) and lag_elapsed is not None:
            updates["lag_elapsed"] = bool(lag_elapsed)
        changes = events.diff(locked, updates)
        if changes:
            for name, value in updates.items():
                setattr(locked, name, value)
            locked.version += 1
            locked.save()
            events.record(
                name="dependency.updated",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=_label(locked),
                data=_data(locked),
                changes=changes,
            )
    return locked


def dependency_delete(*, actor: User, dependency: Dependency) -> None:
    """Remove a dependency (the activity log keeps what it was). Raises PermissionDenied."""
    authorise(actor, "dependency.write", dependency.successor.project, "Viewers cannot remove dependencies.")
    with transaction.atomic():
        locked = (
            Dependency.objects.select_for_update(of=("self",))
            .select_related("predecessor__project", "successor__project")
            .filter(pk=dependency.pk)
            .first()
        )
        if locked is None:
            return  # removed a moment ago by someone else: the result is the same
        events.record(
            name="dependency.deleted",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=_label(locked),
            data=_data(locked),
        )
        locked.delete()
