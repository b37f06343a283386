"""Writes to scheduling settings: a task's mode, constraint and actual dates; a project's
auto-scheduling switch."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, NotFound, ValidationError
from labora.planning.models import ConstraintType, ProjectPlan, ScheduleMode, TaskPlan
from labora.planning.services._common import project_data, task_data
from labora.work.models import Project, Task
from labora.work.services._common import UNSET, authorise, check_dates, is_set


def _stale(what: str, current: Any, sent: int) -> Conflict:
    return Conflict(
        f"This {what} was changed by someone else (version {current.version}, you sent {sent}). "
        "Reload it and apply your change again.",
        code="stale_version",
        current=current,
    )


def _locked_task_plan(task: Task) -> TaskPlan:
    """The task's plan row, created on first write, locked until commit."""
    plan = TaskPlan.objects.select_for_update().filter(task=task).first()
    if plan is None:
        try:
            with transaction.atomic():
                TaskPlan.objects.create(workspace_id=task.workspace_id, task=task, version=0)
        except IntegrityError:
            pass  # created by a concurrent request
        plan = TaskPlan.objects.select_for_update().get(task=task)
    return plan


def locked_project_plan(project: Project) -> ProjectPlan:
    """The project's plan row, created on first use, locked until commit."""
    plan = ProjectPlan.objects.select_for_update().filter(project=project).first()
    if plan is None:
        try:
            with transaction.atomic():
                ProjectPlan.objects.create(workspace_id=project.workspace_id, project=project, version=0)
        except IntegrityError:
            pass
        plan = ProjectPlan.objects.select_for_update().get(project=project)
    return plan


def _snapshot(plan: TaskPlan) -> dict[str, Any]:
    return {
        "mode": plan.mode,
        "constraint_type": plan.constraint_type,
        "constraint_date": plan.constraint_date.isoformat() if plan.constraint_date else None,
        "actual_start": plan.actual_start.isoformat() if plan.actual_start else None,
        "actual_finish": plan.actual_finish.isoformat() if plan.actual_finish else None,
    }


def task_plan_update(
    *,
    actor: User,
    task: Task,
    version: int | None = None,
    mode: Any = UNSET,
    constraint_type: Any = UNSET,
    constraint_date: Any = UNSET,
    actual_start: Any = UNSET,
    actual_finish: Any = UNSET,
) -> TaskPlan:
    """Set how a task is scheduled: `auto` or `manual` (keeps its own dates), a constraint
    (ASAP, SNET, SNLT, FNET, FNLT, MSO, MFO with a date), actual start/finish. Version 0 = never
    changed. Raises PermissionDenied, NotFound, ValidationError, Conflict (stale version)."""
    authorise(actor, "task_plan.update", task.project, "Viewers cannot change how tasks are scheduled.")
    if is_set(mode) and mode is not None and mode not in ScheduleMode.values:
        raise ValidationError(f"Unknown mode '{mode}'. Use auto or manual.", fields={"mode": "unknown mode"})
    if is_set(constraint_type) and constraint_type is not None and constraint_type not in ConstraintType.values:
        raise ValidationError(
            f"Unknown constraint '{constraint_type}'. Use one of: {', '.join(ConstraintType.values)}.",
            fields={"constraint_type": "unknown constraint"},
        )
    with transaction.atomic():
        if not Task.objects.filter(pk=task.pk).exists():
            raise NotFound(f"Task {task.key} is in the trash; restore it first.")
        plan = _locked_task_plan(task)
        if version is not None and plan.version != version:
            raise _stale("task plan", plan, version)
        before = _snapshot(plan)
        if is_set(mode) and mode is not None:
            plan.mode = mode
        if is_set(constraint_type):
            plan.constraint_type = constraint_type or ConstraintType.ASAP
            if plan.constraint_type == ConstraintType.ASAP and not is_set(constraint_date):
                plan.constraint_date = None
        if is_set(constraint_date):
            plan.constraint_date = constraint_date
        if plan.constraint_type == ConstraintType.ASAP:
            plan.constraint_date = None
        elif plan.constraint_date is None:
            raise ValidationError(
                f"The constraint {plan.constraint_type} needs a date: send constraint_date (YYYY-MM-DD).",
                fields={"constraint_date": "required"},
            )
        if is_set(actual_start):
            plan.actual_start = actual_start
        if is_set(actual_finish):
            plan.actual_finish = actual_finish
        check_dates(plan.actual_start, plan.actual_finish, start_field="actual_start", end_field="actual_finish")
        after = _snapshot(plan)
        changes = events.changed(before, after)
        if changes:
            plan.version += 1
            plan.save()
            events.record(
                name="task_plan.updated",
                actor=actor,
                workspace=task.workspace,
                target=task,
                target_label=f"{task.key} {task.title}",
                data=task_data(task),
                changes=changes,
            )
    return plan


def project_plan_update(
    *, actor: User, project: Project, version: int | None = None, auto_schedule: Any = UNSET
) -> ProjectPlan:
    """Turn auto-scheduling on or off (on: every change of a task's duration, dates, parent,
    status or dependencies reschedules the project). Raises PermissionDenied, Conflict."""
    authorise(actor, "project_plan.update", project, "Only managers of the project can change its planning settings.")
    with transaction.atomic():
        plan = locked_project_plan(project)
        if version is not None and plan.version != version:
            raise _stale("project plan", plan, version)
        if is_set(auto_schedule) and auto_schedule is not None and bool(auto_schedule) != plan.auto_schedule:
            changes = {"auto_schedule": [plan.auto_schedule, bool(auto_schedule)]}
            plan.auto_schedule = bool(auto_schedule)
            plan.version += 1
            plan.save()
            events.record(
                name="project_plan.updated",
                actor=actor,
                workspace=project.workspace,
                target=project,
                target_label=f"{project.key} {project.name}",
                data=project_data(project),
                changes=changes,
            )
    return plan


def pin_start(*, task: Task, start: datetime.date) -> None:
    """An auto-scheduled task whose start a person moved keeps it as "start no earlier than"
    (MS Project's rule), so the next schedule does not undo the move. Used by the auto-schedule
    subscriber; the task's own `task.updated` event records the change."""
    _pin(task, ConstraintType.SNET, start)


def pin_finish(*, task: Task, finish: datetime.date) -> None:
    """An auto-scheduled task without a start whose due date a person moved keeps it as "finish
    no earlier than" (MS Project's rule for a typed finish). Used like pin_start."""
    _pin(task, ConstraintType.FNET, finish)


def _pin(task: Task, constraint: ConstraintType, day: datetime.date) -> None:
    plan = _locked_task_plan(task)
    if plan.mode == ScheduleMode.MANUAL or (plan.constraint_type, plan.constraint_date) == (constraint, day):
        return
    plan.constraint_type = constraint
    plan.constraint_date = day
    plan.version += 1
    plan.save(update_fields=["constraint_type", "constraint_date", "version", "updated_at"])
