"""Writes to baselines: save a named snapshot of a project's plan, delete one."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, ValidationError
from labora.core.trash import move_to_trash
from labora.planning import selectors
from labora.planning.models import Baseline, BaselineTask
from labora.planning.services._common import project_data
from labora.work.models import Project
from labora.work.services._common import authorise, clean_text

MAX_BASELINES = 20


def baseline_create(*, actor: User, project: Project, name: str) -> Baseline:
    """Save every live task's start, finish, duration (as the scheduler counts it) and estimate
    under `name`. Raises PermissionDenied (managers), ValidationError (name, too many),
    Conflict (name taken)."""
    authorise(actor, "baseline.write", project, "Only managers of the project can save baselines.")
    name = clean_text(name, field="name", limit=100)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        count = Baseline.objects.filter(project=project).count()
        if count >= MAX_BASELINES:
            raise ValidationError(
                f"{project.key} already has {count} baselines, the most it can keep. Delete an old one first.",
                code="too_many_baselines",
                fields={"name": "too many baselines"},
            )
        data = selectors.plan_input(project=project)
        starts = [t.start_date for t in data.tasks if t.start_date]
        finishes = [t.due_date for t in data.tasks if t.due_date]
        try:
            with transaction.atomic():
                baseline = Baseline.objects.create(
                    workspace=project.workspace,
                    project=project,
                    name=name,
                    created_by=actor,
                    start_date=min(starts) if starts else None,
                    finish_date=max(finishes) if finishes else None,
                )
        except IntegrityError:
            raise Conflict(
                f"{project.key} already has a baseline named '{name}'. Choose another name or delete that one.",
                code="name_taken",
                fields={"name": "taken"},
            ) from None
        BaselineTask.objects.bulk_create(
            [
                BaselineTask(
                    workspace_id=project.workspace_id,
                    baseline=baseline,
                    task=t,
                    start_date=t.start_date,
                    finish_date=t.due_date,
                    duration_days=data.durations[t.pk],
                    estimate_minutes=t.estimate_minutes,
                )
                for t in data.tasks
            ],
            batch_size=500,
        )
        events.record(
            name="baseline.created",
            actor=actor,
            workspace=project.workspace,
            target=baseline,
            target_label=name,
            data={**project_data(project), "name": name, "tasks": len(data.tasks)},
        )
    return baseline


def baseline_delete(*, actor: User, baseline: Baseline) -> None:
    """Move a baseline to the trash (its name is free again). Raises PermissionDenied."""
    authorise(actor, "baseline.write", baseline.project, "Only managers of the project can delete baselines.")
    with transaction.atomic():
        locked = Baseline.objects.select_for_update().filter(pk=baseline.pk).first()
        if locked is None:
            return
        move_to_trash(locked, actor=actor)
        events.record(
            name="baseline.deleted",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=locked.name,
            data={**project_data(baseline.project), "name": locked.name},
        )
