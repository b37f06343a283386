"""Scheduling a project: run the engine, write the computed dates back in bulk, one event.

Automatically scheduled tasks get the engine's early dates as their start and due dates (summary
tasks the span of their subtasks); manually scheduled tasks keep theirs, and a dependency or
constraint they break is reported as a conflict. Every task's computed dates, floats, critical
flag and conflicts are kept on its TaskPlan. The whole write is one transaction: the task rows
are locked, changed rows are written with bulk updates (their `version` bumped), and one
`project.scheduled` event says how many tasks moved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import ValidationError
from labora.planning import engine, selectors
from labora.planning.models import TaskPlan
from labora.planning.services._common import project_data
from labora.planning.services.plans import locked_project_plan
from labora.work.models import Project, Task
from labora.work.services._common import authorise

BATCH = 500


@dataclass(frozen=True)
class ScheduleOutcome:
    data: selectors.PlanInput
    result: engine.ScheduleResult
    moved: int


def project_schedule(*, actor: User, project: Project) -> ScheduleOutcome:
    """Schedule the project from its start date. Raises PermissionDenied, ValidationError
    (no_start_date; dependency_cycle, which the dependency services prevent)."""
    authorise(actor, "schedule.run", project, "Viewers cannot schedule the project.")
    if project.start_date is None:
        raise selectors.no_start_date(project)
    return schedule_now(actor=actor, project=project, trigger="manual")


def schedule_now(*, actor: User | None, project: Project, trigger: str) -> ScheduleOutcome:
    """The trusted part of a schedule (callers have authorised, or act for the project's own
    auto-scheduling setting)."""
    with transaction.atomic():
        plan = locked_project_plan(project)
        data = selectors.plan_input(project=project, lock=True)
        try:
            result = engine.schedule(data.engine_tasks, data.engine_dependencies, data.calendar.engine(), data.start)
        except engine.CycleError as error:
            keys = [data.key_of.get(t, str(t)) for t in error.task_ids]  # type: ignore[call-overload]
            raise ValidationError(
                f"The dependencies form a cycle: {' → '.join([*keys, keys[0]])}. Remove one of these links.",
                code="dependency_cycle",
                extra={"cycle": keys},
            ) from None
        moved = _write(data, result)
        plan.scheduled_at = timezone.now()
        plan.finish_date = result.finish_date
        plan.critical_path = [data.key_of[t] for t in result.critical_path]  # type: ignore[index]
        plan.save(update_fields=["scheduled_at", "finish_date", "critical_path", "updated_at"])
        events.record(
            name="project.scheduled",
            actor=actor,
            workspace=project.workspace,
            target=project,
            target_label=f"{project.key} {project.name}",
            data={
                **project_data(project),
                "moved": moved,
                "finish_date": result.finish_date.isoformat(),
                "critical": len(result.critical_path),
                "conflicts": len(result.conflicts),
                "trigger": trigger,
            },
        )
    return ScheduleOutcome(data, result, moved)


def _write(data: selectors.PlanInput, result: engine.ScheduleResult) -> int:
    now = timezone.now()
    moved: list[Task] = []
    for task in data.tasks:
        computed = result.tasks[task.pk]
        if data.is_manual(task.pk):
            continue
        if (task.start_date, task.due_date) != (computed.early_start, computed.early_finish):
            task.start_date, task.due_date = computed.early_start, computed.early_finish
            task.version += 1
            task.updated_at = now
            moved.append(task)
    if moved:
        Task.objects.bulk_update(moved, ["start_date", "due_date", "version", "updated_at"], batch_size=BATCH)

    new_plans: list[TaskPlan] = []
    changed_plans: list[TaskPlan] = []
    for task in data.tasks:
        computed = result.tasks[task.pk]
        values = {
            "early_start": computed.early_start,
            "early_finish": computed.early_finish,
            "late_start": computed.late_start,
            "late_finish": computed.late_finish,
            "total_float_days": computed.total_float_days,
            "free_float_days": computed.free_float_days,
            "critical": computed.critical,
            "conflicts": list(computed.conflicts),
        }
        plan = data.plans.get(task.pk)
        if plan is None:
            new_plans.append(TaskPlan(workspace_id=task.workspace_id, task=task, version=0, **values))
        elif any(getattr(plan, k) != v for k, v in values.items()):
            # Computed values do not bump the plan's version: that guards its settings.
            for k, v in values.items():
                setattr(plan, k, v)
            plan.updated_at = now
            changed_plans.append(plan)
    if new_plans:
        TaskPlan.objects.bulk_create(new_plans, batch_size=BATCH)
    if changed_plans:
        TaskPlan.objects.bulk_update(changed_plans, [*_COMPUTED, "updated_at"], batch_size=BATCH)
    return len(moved)


_COMPUTED = [
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_days",
    "free_float_days",
    "critical",
    "conflicts",
]
