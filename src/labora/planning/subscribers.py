"""Auto-scheduling: an outbox subscriber that reschedules a project after a change that can move
its dates, when the project's `auto_schedule` setting is on.

It runs after the change commits, in its own transaction (labora.core.events), so a crash loses
nothing (the worker re-delivers) and a schedule never runs twice for one event. What triggers it:
a task created, deleted, restored or moved between projects; a task.updated whose changes touch
its dates, duration, parent or status; a dependency added, changed or removed; a task's
scheduling settings changed; the calendar changed. A person who moves the start of an
automatically scheduled task pins it there ("start no earlier than", as MS Project does), and one
who moves the due date of a task without a start pins that ("finish no earlier than"), so the
reschedule keeps their move; the task's Dependencies section shows the constraint, to clear it.
The schedule records `project.scheduled`, which triggers nothing here.

Changes made together are scheduled once: an event is skipped when a later event of the same
project that also triggers a reschedule is already committed and still waiting for this
subscriber (a bulk edit of 200 tasks records 200 events in one transaction; the last one
reschedules, with every change of the batch committed). Only committed events are visible to that
query, and every committed event is delivered (at once or by the worker), so none is lost.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from labora.core.events import subscriber
from labora.core.models import DomainEvent
from labora.planning.models import ProjectPlan
from labora.planning.services.plans import pin_finish, pin_start
from labora.planning.services.scheduling import schedule_now
from labora.work.models import Project, Task

MOVING_FIELDS = frozenset({"start_date", "due_date", "duration_days", "parent", "status"})
NAME = "planning.auto_schedule"
TASK_EVENTS = (
    "task.created",
    "task.updated",
    "task.deleted",
    "task.restored",
    "task.moved_to_project",
    "task_plan.updated",
)


def _triggers(name: str, changes: dict[str, object] | None) -> bool:
    return name != "task.updated" or bool(MOVING_FIELDS & set(changes or {}))


def _later_trigger_waiting(event: DomainEvent, keys: set[str]) -> bool:
    """A committed, later event of these projects that this subscriber has still to handle."""
    later = (
        DomainEvent.objects.filter(workspace=event.workspace_id, pk__gt=event.pk)
        .filter(Q(name__in=TASK_EVENTS) | Q(name__startswith="dependency.") | Q(name__startswith="calendar."))
        .filter(Q(data__project__in=sorted(keys)) | Q(data__from_project__in=sorted(keys)))
        .exclude(deliveries__subscriber=NAME)
        .order_by("-pk")
        .values_list("name", "changes")
    )
    return any(_triggers(name, changes) for name, changes in later[:100])


@subscriber(NAME, events=[*TASK_EVENTS, "dependency.*", "calendar.*"])
def auto_schedule(event: DomainEvent) -> None:
    if event.workspace_id is None:
        return
    changes = event.changes or {}
    if not _triggers(event.name, changes):
        return
    data = event.data or {}
    keys = {str(data.get("project") or "")} | {str(k) for k in (data.get("from_project"), data.get("to_project")) if k}
    projects: list[Project]
    if event.name.startswith("calendar.") and not data.get("project"):
        # the workspace calendar: every auto-scheduled project without its own
        projects = list(
            Project.objects.filter(
                workspace_id=event.workspace_id, plan__auto_schedule=True, work_calendar__isnull=True
            )
        )
    else:
        projects = list(Project.objects.filter(workspace_id=event.workspace_id, key__in=[k for k in keys if k]))
    auto = set(
        ProjectPlan.objects.filter(project__in=projects, auto_schedule=True).values_list("project_id", flat=True)
    )
    for project in projects:
        if project.pk not in auto or project.start_date is None:
            continue
        if event.name == "task.updated" and ({"start_date", "due_date"} & set(changes)):
            _keep_move(event, project)
        if _later_trigger_waiting(event, {project.key}):
            continue  # that event reschedules, with this change committed too
        schedule_now(actor=event.actor, project=project, trigger=event.name)


def _keep_move(event: DomainEvent, project: Project) -> None:
    """Pin a person's move: a new start becomes "start no earlier than"; a new due date of a task
    without a start (a due-only task) becomes "finish no earlier than"."""
    changes = event.changes or {}
    task = Task.objects.filter(workspace_id=event.workspace_id, project=project, public_id=event.target_id).first()
    if task is None:
        return
    new_start = changes.get("start_date", [None, None])[1] if "start_date" in changes else None
    if new_start:
        pin_start(task=task, start=datetime.date.fromisoformat(new_start))
        return
    new_due = changes.get("due_date", [None, None])[1] if "due_date" in changes else None
    if new_due and "start_date" not in changes and task.start_date is None:
        pin_finish(task=task, finish=datetime.date.fromisoformat(new_due))
