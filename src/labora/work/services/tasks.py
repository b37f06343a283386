"""Writes to tasks: create, update (including status moves), delete to the trash, restore."""

from __future__ import annotations

import datetime
import itertools
import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, LaboraError, NotFound, ValidationError
from labora.core.trash import move_to_trash, take_from_trash
from labora.work import rank
from labora.work.models import (
    CLOSED_CATEGORIES,
    PRIORITY_BY_NAME,
    Category,
    CustomField,
    Label,
    Project,
    Status,
    Task,
    TaskType,
    Transition,
)
from labora.work.services import fields as field_services
from labora.work.services._common import (
    UNSET,
    access_cached,
    actor_sees,
    assignable_by_email,
    authorise,
    check_dates,
    check_version,
    clean_text,
    date_value,
    is_set,
    user_value,
)
from labora.work.services.rollup import rollup_refresh
from labora.work.services.watchers import add_watchers
from labora.workspaces.models import Workspace

TASK_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,9})$")
MAX_LABELS = 50
MAX_ESTIMATE_HOURS = 100_000
MAX_COLLABORATORS = 50
THREE_POINT = ("estimate_optimistic", "estimate_likely", "estimate_pessimistic")


def parse_task_key(key: str) -> tuple[str, int] | None:
    """`"OPS-12"` -> `("OPS", 12)`; None when it is not shaped like a task key."""
    match = TASK_KEY_RE.match((key or "").strip())
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))


def _event_data(task: Task) -> dict[str, Any]:
    return {"project": task.project.key, "task": task.key}


def snapshot(task: Task, definitions: list[CustomField] | None = None) -> dict[str, Any]:
    """The task's fields as plain values, for the activity log's {field: [before, after]}.

    With `definitions`, also its custom field values ("cf:<name>") and its collaborators.
    """
    extra: dict[str, Any] = {}
    if definitions is not None:
        extra = {
            "collaborators": sorted(user.email for user in task.collaborators.all()),
            **{
                f"estimate_{point}_hours": _hours(getattr(task, f"estimate_{point}_minutes"))
                for point in ("optimistic", "likely", "pessimistic")
            },
            **field_services.snapshot_values(definitions, task.custom_fields),
        }
    return {
        "title": task.title,
        "description": task.description,
        "type": task.type,
        "status": task.status.name,
        "priority": task.priority_name,
        "assignee": user_value(task.assignee),
        "parent": task.parent.key if task.parent is not None else None,
        "start_date": date_value(task.start_date),
        "due_date": date_value(task.due_date),
        "duration_days": task.duration_days,
        "estimate_hours": task.estimate_hours,
        "labels": sorted(label.name for label in task.label_objects()),
        **extra,
    }


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


# --- validation ------------------------------------------------------------------------------


def _priority(value: str) -> int:
    if value not in PRIORITY_BY_NAME:
        raise ValidationError(
            f"Unknown priority '{value}'. Use one of: urgent, high, medium, low, none.",
            fields={"priority": "unknown priority"},
        )
    return PRIORITY_BY_NAME[value]


def _type(project: Project, value: str) -> str:
    return field_services.check_type(project, value)


def _status_by_name(project: Project, name: str) -> Status:
    statuses = list(Status.objects.filter(project=project))
    for status in statuses:
        if status.name.lower() == (name or "").strip().lower():
            return status
    raise ValidationError(
        f"{project.key} has no status '{name}'. Its statuses: {', '.join(s.name for s in statuses)}.",
        fields={"status": "unknown status"},
    )


def _initial_status(project: Project) -> Status:
    statuses = list(Status.objects.filter(project=project))
    for category in (Category.TODO, Category.BACKLOG, Category.IN_PROGRESS):
        for status in statuses:
            if status.category == category:
                return status
    return statuses[0]


def _estimate_minutes(hours: float | Decimal | None, field: str = "estimate_hours") -> int | None:
    if hours is None:
        return None
    if isinstance(hours, bool) or not isinstance(hours, (int, float, Decimal)):
        raise ValidationError("An estimate is a number of hours, e.g. 1.5.", fields={field: "not a number"})
    if not 0 <= hours <= MAX_ESTIMATE_HOURS:
        raise ValidationError(
            f"The estimate is between 0 and {MAX_ESTIMATE_HOURS} hours.", fields={field: "out of range"}
        )
    return round(Decimal(str(hours)) * 60)


def _three_point(task: Task, given: dict[str, Any]) -> bool:
    """Apply the optimistic/likely/pessimistic hours in `given` (UNSET = keep) to `task`.

    Returns whether any of them was given. Raises ValidationError unless o <= l <= p.
    """
    touched = False
    for name in THREE_POINT:
        hours = given.get(name, UNSET)
        if is_set(hours):
            touched = True
            setattr(task, f"{name}_minutes", _estimate_minutes(hours, f"{name}_hours"))
    values = [(name, getattr(task, f"{name}_minutes")) for name in THREE_POINT]
    present = [(name, minutes) for name, minutes in values if minutes is not None]
    for (low_name, low), (high_name, high) in itertools.pairwise(present):
        if low > high:
            raise ValidationError(
                f"A three-point estimate reads optimistic <= likely <= pessimistic; the {low_name.split('_')[1]} "
                f"({low / 60:g} h) is above the {high_name.split('_')[1]} ({high / 60:g} h).",
                code="estimate_order",
                fields={f"{high_name}_hours": f"below {low_name}_hours"},
            )
    return touched


def _pert_minutes(task: Task) -> int | None:
    """(o + 4l + p) / 6 when all three points are known."""
    o, m, p = (getattr(task, f"{name}_minutes") for name in THREE_POINT)
    if o is None or m is None or p is None:
        return None
    return round((o + 4 * m + p) / 6)


def _collaborators(project: Project, emails: list[str] | None) -> list[User]:
    people: dict[int, User] = {}
    for i, email in enumerate(emails or []):
        person = assignable_by_email(project, email, field=f"collaborators.{i}")
        if person is not None:
            people[person.pk] = person
    if len(people) > MAX_COLLABORATORS:
        raise ValidationError(
            f"A task has at most {MAX_COLLABORATORS} collaborators.", fields={"collaborators": "too many"}
        )
    return list(people.values())


def _duration(days: int | None) -> int | None:
    if days is not None and not 0 <= days <= 100_000:
        raise ValidationError(
            "The duration is a number of working days from 0 (a milestone) to 100000.",
            fields={"duration_days": "out of range"},
        )
    return days


def _parent(project: Project, key: str | None, task: Task | None = None, *, actor: Any = None) -> Task | None:
    """The parent named by `key`: in the same project, live, and not closing a cycle. A task of a
    project `actor` cannot see is "no task" (an error must not confirm it exists)."""
    if key is None or key.strip() == "":
        return None
    parsed = parse_task_key(key)
    parent = None
    if parsed is not None:
        parent = (
            Task.objects.filter(workspace=project.workspace, project__key=parsed[0], number=parsed[1])
            .select_related("project")
            .first()
        )
    if (
        parent is not None
        and parent.project_id != project.pk
        and actor is not None
        and not actor_sees(actor, parent.project)
    ):
        parent = None
    if parent is None:
        raise ValidationError(f"There is no task {key.strip()} to be the parent.", fields={"parent": "unknown task"})
    if parent.project_id != project.pk:
        raise ValidationError(
            f"{parent.key} is in project {parent.project.key}; a parent must be in the same project ({project.key}).",
            fields={"parent": "in another project"},
        )
    if task is not None:
        # Walk up from the new parent: meeting the task itself means the chain would loop.
        chain = [task.key]
        node: Task | None = parent
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            chain.append(node.key)
            if node.pk == task.pk:
                raise ValidationError(
                    f"{parent.key} cannot be the parent of {task.key}: the chain {' -> '.join(chain)} would loop.",
                    code="parent_cycle",
                    fields={"parent": "would make a cycle"},
                )
            seen.add(node.pk)
            node = (
                Task.all_objects.select_related("project").filter(pk=node.parent_id).first() if node.parent_id else None
            )
    return parent


def _labels(actor: User, workspace: Workspace, names: list[str]) -> list[Label]:
    """Labels by name, created in the workspace on first use (case-insensitively unique)."""
    cleaned: dict[str, str] = {}
    for i, raw in enumerate(names):
        name = clean_text(raw, field=f"labels.{i}", limit=60)
        cleaned.setdefault(name.lower(), name)
    if len(cleaned) > MAX_LABELS:
        raise ValidationError(f"A task has at most {MAX_LABELS} labels.", fields={"labels": "too many"})
    existing = {
        label.name.lower(): label
        for label in Label.all_objects.filter(workspace=workspace)
        if label.name.lower() in cleaned
    }
    result = []
    for lower, name in cleaned.items():
        label = existing.get(lower)
        if label is None:
            try:
                with transaction.atomic():
                    label = Label.objects.create(workspace=workspace, name=name)
                    events.record(
                        name="label.created", actor=actor, workspace=workspace, target=label, data={"name": name}
                    )
            except IntegrityError:  # created by a concurrent request a moment ago
                label = Label.all_objects.get(workspace=workspace, name__iexact=name)
        if label.deleted_at is not None:
            label.deleted_at = None
            label.deleted_by = None
            label.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        result.append(label)
    return result


def _check_wip(status: Status, *, entering: bool) -> None:
    if not entering or status.wip_limit is None:
        return
    count = Task.objects.filter(status=status).count()
    if count >= status.wip_limit:
        raise ValidationError(
            f"'{status.name}' is at its WIP limit ({count} of {status.wip_limit} tasks). "
            "Finish or move a task out of it first, or raise the limit in the workflow.",
            code="wip_limit_reached",
            fields={"status": "WIP limit reached"},
            extra={"wip_limit": status.wip_limit},
        )


def _check_transition(task: Task, target: Status) -> None:
    allowed_ids = list(
        Transition.objects.filter(project_id=task.project_id, from_status=task.status).values_list(
            "to_status_id", flat=True
        )
    )
    if not allowed_ids and not Transition.objects.filter(project_id=task.project_id).exists():
        return  # no transitions defined: any move is allowed
    if target.pk in allowed_ids:
        return
    allowed = list(Status.objects.filter(pk__in=allowed_ids).values_list("name", flat=True))
    targets = ", ".join(allowed) if allowed else "none (it is a final status)"
    raise ValidationError(
        f"The workflow does not allow moving {task.key} from '{task.status.name}' to '{target.name}'. "
        f"Allowed from '{task.status.name}': {targets}.",
        code="transition_not_allowed",
        fields={"status": "transition not allowed"},
        extra={"allowed": allowed},
    )


def _stamp_completion(task: Task, old: Status | None, new: Status) -> None:
    was_done = old is not None and old.category == Category.DONE
    if new.category == Category.DONE and not was_done:
        task.completed_at = timezone.now()
    elif new.category != Category.DONE:
        task.completed_at = None


# --- services --------------------------------------------------------------------------------


def task_create(
    *,
    actor: User,
    project: Project,
    title: str,
    description: str = "",
    type: str = TaskType.TASK,
    status: str | None = None,
    priority: str = "none",
    assignee: str | None = None,
    parent: str | None = None,
    start_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    duration_days: int | None = None,
    estimate_hours: float | None = None,
    labels: list[str] | None = None,
    collaborators: list[str] | None = None,
    estimate_optimistic_hours: float | None = None,
    estimate_likely_hours: float | None = None,
    estimate_pessimistic_hours: float | None = None,
    custom_fields: dict[str, Any] | None = None,
) -> Task:
    """Create a task with the next number of its project (`KEY-N`, never reused).

    With only the three-point estimate given, the estimate is its PERT mean (o + 4l + p) / 6.
    The reporter and the assignee start watching it. Raises PermissionDenied, ValidationError
    (unknown type/status/assignee/parent/label/custom field, dates, estimate_order,
    wip_limit_reached, required_field_missing).
    """
    workspace = project.workspace
    authorise(actor, "task.write", project, "Viewers cannot create tasks.")
    title = clean_text(title, field="title", limit=500)
    check_dates(start_date, due_date, start_field="start_date", end_field="due_date")
    fields = {
        "title": title,
        "description": (description or "").strip(),
        "type": _type(project, type),
        "priority": _priority(priority),
        "assignee": assignable_by_email(project, assignee, field="assignee"),
        "start_date": start_date,
        "due_date": due_date,
        "duration_days": _duration(duration_days),
        "estimate_minutes": _estimate_minutes(estimate_hours),
    }
    people = _collaborators(project, collaborators)
    definitions = field_services.field_definitions(project)
    values = field_services.merge_values(project, {}, custom_fields or {}, definitions) if custom_fields else {}
    with transaction.atomic():
        # The counter row: an atomic increment that also locks the project row until commit,
        # so concurrent creates in a project take numbers (and ranks) one after another.
        updated = Project.objects.filter(pk=project.pk, deleted_at__isnull=True).update(
            task_counter=F("task_counter") + 1
        )
        if not updated:
            raise NotFound(f"Project {project.key} is in the trash; restore it to add tasks.")
        locked = Project.objects.get(pk=project.pk)
        target = _status_by_name(locked, status) if status else _initial_status(locked)
        _check_wip(target, entering=True)
        last = Task.all_objects.filter(project=locked).order_by("-rank").values_list("rank", flat=True).first()
        task = Task(
            workspace=workspace,
            project=locked,
            number=locked.task_counter,
            status=target,
            reporter=actor,
            parent=_parent(locked, parent, actor=actor),
            rank=rank.between(last, None),
            custom_fields=values,
            **fields,
        )
        three_point = {
            "estimate_optimistic": estimate_optimistic_hours,
            "estimate_likely": estimate_likely_hours,
            "estimate_pessimistic": estimate_pessimistic_hours,
        }
        _three_point(task, three_point)
        if task.estimate_minutes is None:
            task.estimate_minutes = _pert_minutes(task)
        new_labels = _labels(actor, workspace, labels) if labels else []
        field_services.check_required(task, target, label_count=len(new_labels), definitions=definitions)
        _stamp_completion(task, None, target)
        task.save()
        if new_labels:
            task.labels.set(new_labels)
        task.label_list = list(new_labels)  # type: ignore[attr-defined]  # what label_objects() reads
        if people:
            task.collaborators.set(people)
        add_watchers(task, [actor, task.assignee])
        rollup_refresh([task.pk])
        events.record(
            name="task.created",
            actor=actor,
            workspace=workspace,
            target=task,
            target_label=f"{task.key} {task.title}",
            data={**_event_data(task), "title": task.title, "status": target.name},
        )
    return task


def task_update(
    *,
    actor: User,
    task: Task,
    version: int | None = None,
    title: Any = UNSET,
    description: Any = UNSET,
    type: Any = UNSET,
    status: Any = UNSET,
    priority: Any = UNSET,
    assignee: Any = UNSET,
    parent: Any = UNSET,
    start_date: Any = UNSET,
    due_date: Any = UNSET,
    duration_days: Any = UNSET,
    estimate_hours: Any = UNSET,
    labels: Any = UNSET,
    collaborators: Any = UNSET,
    estimate_optimistic_hours: Any = UNSET,
    estimate_likely_hours: Any = UNSET,
    estimate_pessimistic_hours: Any = UNSET,
    custom_fields: Any = UNSET,
) -> Task:
    """Change a task's fields (UNSET = keep, None = clear); a status change follows the workflow.

    `custom_fields` changes only the fields it names (a None value clears one). Setting the
    three-point estimate without `estimate_hours` sets the estimate to its PERT mean. A new
    assignee starts watching. Raises PermissionDenied, ValidationError (transition_not_allowed,
    wip_limit_reached, required_field_missing, unknown type/status/assignee/parent/custom field,
    parent_cycle, estimate_order, dates), Conflict (stale version).
    """
    workspace = task.workspace
    authorise(actor, "task.write", task.project, "Viewers cannot change tasks.")
    with transaction.atomic():
        locked = (
            Task.objects.select_for_update(of=("self",))
            .select_related("project", "status", "assignee", "parent__project")
            .filter(pk=task.pk)
            .first()
        )
        if locked is None:
            raise NotFound(f"Task {task.key} is in the trash; restore it first.")
        check_version(locked, version, "task")
        definitions = field_services.field_definitions(locked.project)
        before = snapshot(locked, definitions)
        old_parent_id, old_category = locked.parent_id, locked.status.category
        old_estimate = locked.estimate_minutes
        if is_set(title):
            locked.title = clean_text(title, field="title", limit=500)
        if is_set(description):
            locked.description = (description or "").strip()
        if is_set(type):
            locked.type = _type(locked.project, type or "")
        if is_set(priority):
            locked.priority = _priority(priority or "")
        if is_set(assignee):
            locked.assignee = assignable_by_email(locked.project, assignee, field="assignee")
        if is_set(parent):
            locked.parent = _parent(locked.project, parent, locked, actor=actor)
        if is_set(start_date):
            locked.start_date = start_date
        if is_set(due_date):
            locked.due_date = due_date
        check_dates(locked.start_date, locked.due_date, start_field="start_date", end_field="due_date")
        if is_set(duration_days):
            locked.duration_days = _duration(duration_days)
        if is_set(estimate_hours):
            locked.estimate_minutes = _estimate_minutes(estimate_hours)
        three_point = {
            "estimate_optimistic": estimate_optimistic_hours,
            "estimate_likely": estimate_likely_hours,
            "estimate_pessimistic": estimate_pessimistic_hours,
        }
        if _three_point(locked, three_point) and not is_set(estimate_hours):
            pert = _pert_minutes(locked)
            if pert is not None:
                locked.estimate_minutes = pert
        if is_set(custom_fields):
            locked.custom_fields = field_services.merge_values(
                locked.project, locked.custom_fields, custom_fields or {}, definitions
            )
        new_labels = _labels(actor, workspace, labels or []) if is_set(labels) else None
        if is_set(collaborators):
            locked.collaborators.set(_collaborators(locked.project, collaborators or []))
        if is_set(status):
            if not status:
                raise ValidationError("A task always has a status.", fields={"status": "required"})
            target = _status_by_name(locked.project, status)
            if target.pk != locked.status_id:
                _check_transition(locked, target)
                _check_wip(target, entering=True)
                label_count = len(new_labels) if new_labels is not None else locked.labels.count()
                field_services.check_required(locked, target, label_count=label_count, definitions=definitions)
                _stamp_completion(locked, locked.status, target)
                locked.status = target
        if new_labels is not None:
            locked.labels.set(new_labels)
            locked.label_list = list(new_labels)  # what label_objects() reads
        after = snapshot(locked, definitions)
        changes = events.changed(before, after)
        if changes:
            locked.version += 1
            locked.save()
            events.record(
                name="task.updated",
                actor=actor,
                workspace=workspace,
                target=locked,
                target_label=f"{locked.key} {locked.title}",
                data=_event_data(locked),
                changes=changes,
            )
            if "assignee" in changes:
                add_watchers(locked, [locked.assignee])
            rolled = (
                locked.parent_id != old_parent_id
                or locked.status.category != old_category
                or locked.estimate_minutes != old_estimate
            )
            if rolled:
                rollup_refresh([locked.pk, old_parent_id])
    return locked


def task_delete(*, actor: User, task: Task) -> Task:
    """Move a task to the trash (its number stays taken). Raises PermissionDenied."""
    authorise(actor, "task.write", task.project, "Viewers cannot delete tasks.")
    with transaction.atomic():
        locked = Task.all_objects.select_for_update(of=("self",)).select_related("project").get(pk=task.pk)
        if locked.deleted_at is None:
            move_to_trash(locked, actor=actor)
            rollup_refresh([locked.parent_id])
            events.record(
                name="task.deleted",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=f"{locked.key} {locked.title}",
                data=_event_data(locked),
            )
    return locked


def task_restore(*, actor: User, task: Task) -> Task:
    """Bring a task back from the trash. Raises PermissionDenied, ValidationError (not in the trash)."""
    authorise(actor, "task.write", task.project, "Viewers cannot restore tasks.")
    with transaction.atomic():
        locked = Task.all_objects.select_for_update(of=("self",)).select_related("project").get(pk=task.pk)
        if locked.deleted_at is None:
            raise ValidationError(f"{locked.key} is not in the trash.", code="not_in_trash")
        take_from_trash(locked)
        rollup_refresh([locked.pk])
        events.record(
            name="task.restored",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=f"{locked.key} {locked.title}",
            data=_event_data(locked),
        )
    return locked


MAX_BULK = 200


def _task_by_key(workspace: Workspace, key: str, *, project: Project | None = None) -> Task | None:
    parsed = parse_task_key(key)
    if parsed is None:
        return None
    tasks = Task.objects.filter(workspace=workspace, project__key=parsed[0], number=parsed[1], project__deleted_at=None)
    if project is not None:
        tasks = tasks.filter(project=project)
    return tasks.select_related("project", "status").first()


def _tasks_by_keys(
    workspace: Workspace, keys: list[str], *, project: Project | None = None, actor: Any = None
) -> dict[str, Task]:
    """The live tasks named by `keys`, in one query, by key (unknown keys are absent, and so
    are tasks of projects `actor`, when given, cannot see)."""
    numbers: dict[str, list[int]] = {}
    for key in keys:
        parsed = parse_task_key(key)
        if parsed is not None:
            numbers.setdefault(parsed[0], []).append(parsed[1])
    if not numbers:
        return {}
    wanted = Q()
    for project_key, project_numbers in numbers.items():
        wanted |= Q(project__key=project_key, number__in=project_numbers)
    tasks = Task.objects.filter(wanted, workspace=workspace, project__deleted_at=None)
    if project is not None:
        tasks = tasks.filter(project=project)
    found = {
        (task.project.key, task.number): task
        for task in tasks.select_related("project", "status")
        if actor is None or actor_sees(actor, task.project)
    }
    return {key: found[parsed] for key in keys if (parsed := parse_task_key(key)) is not None and parsed in found}


def _prefixed(error: LaboraError, key: str) -> LaboraError:
    """The same error, its message naming the task it is about ("OPS-4: ...")."""
    copy = type(error)(f"{key}: {error.message}", code=error.code, fields=error.fields, extra=error.extra)
    return copy


@access_cached  # one membership and role lookup for the whole batch, not one per task
def task_bulk_update(
    *,
    actor: User,
    workspace: Workspace,
    task_keys: list[str],
    status: str | None = None,
    assignee: Any = UNSET,
    priority: str | None = None,
    labels_add: list[str] | None = None,
    labels_remove: list[str] | None = None,
    due_date: Any = UNSET,
    delete: bool = False,
    project: Project | None = None,
) -> list[Task]:
    """Apply the same change to up to 200 tasks (or trash them): all of them or none.

    `project`, when given, limits the keys to that project. Raises PermissionDenied,
    ValidationError (unknown keys, too many, nothing to do, or the first task refused, its
    message prefixed with the task key), NotFound.
    """
    authorise(actor, "task.write", project or workspace, "Viewers cannot change tasks.")
    keys = list(dict.fromkeys((k or "").strip().upper() for k in task_keys))
    if not keys:
        raise ValidationError("Name at least one task key.", fields={"tasks": "required"})
    if len(keys) > MAX_BULK:
        raise ValidationError(
            f"A bulk change takes at most {MAX_BULK} tasks ({len(keys)} given). Split it into batches.",
            fields={"tasks": "too many"},
        )
    changes: dict[str, Any] = {}
    if status:
        changes["status"] = status
    if is_set(assignee):
        changes["assignee"] = assignee
    if priority:
        changes["priority"] = priority
    if is_set(due_date):
        changes["due_date"] = due_date
    adding = [name.strip() for name in labels_add or [] if name and name.strip()]
    removing = {name.strip().lower() for name in labels_remove or [] if name and name.strip()}
    if delete and (changes or adding or removing):
        raise ValidationError(
            "Either delete the tasks or change them, not both in one request.", fields={"delete": "with changes"}
        )
    if not delete and not (changes or adding or removing):
        raise ValidationError(
            "Nothing to change: set status, assignee, priority, due_date, labels_add or labels_remove, or delete.",
            fields={"set": "empty"},
        )
    tasks = _tasks_by_keys(workspace, keys, project=project, actor=actor)
    unknown = [key for key in keys if key not in tasks]
    if unknown:
        where = f"in {project.key}" if project is not None else "in this workspace"
        raise ValidationError(
            f"No task {', '.join(unknown)} {where} (or it is in the trash). Nothing was changed.",
            code="unknown_tasks",
            fields={"tasks": "unknown task keys"},
            extra={"unknown": unknown},
        )
    result = []
    with transaction.atomic():
        for key in keys:
            try:
                if delete:
                    result.append(task_delete(actor=actor, task=tasks[key]))
                    continue
                fields = dict(changes)
                if adding or removing:
                    current = [label.name for label in tasks[key].label_objects()]
                    names = [n for n in [*current, *adding] if n.lower() not in removing]
                    fields["labels"] = names
                result.append(task_update(actor=actor, task=tasks[key], **fields))
            except (ValidationError, NotFound, Conflict) as error:
                raise _prefixed(error, key) from error
    return result


def _neighbour(task: Task, key: str | None, *, field: str, actor: Any = None) -> Task | None:
    if key is None or key.strip() == "":
        return None
    neighbour = _task_by_key(task.workspace, key)
    if neighbour is not None and actor is not None and not actor_sees(actor, neighbour.project):
        neighbour = None  # a task the actor cannot see is not named back to them
    if neighbour is None:
        raise ValidationError(
            f"There is no task {key.strip()} to place {task.key} next to.", fields={field: "unknown task"}
        )
    if neighbour.pk == task.pk:
        raise ValidationError(f"{task.key} cannot be placed next to itself.", fields={field: "the task itself"})
    if neighbour.project_id != task.project_id:
        raise ValidationError(
            f"{neighbour.key} is in project {neighbour.project.key}; {task.key} can only be placed among the "
            f"tasks of {task.project.key}.",
            fields={field: "in another project"},
        )
    return neighbour


def task_move(
    *,
    actor: User,
    task: Task,
    before_key: str | None = None,
    after_key: str | None = None,
    status: str | None = None,
    version: int | None = None,
) -> Task:
    """Place a task after `after_key` and/or before `before_key` (a board drop), optionally into `status`.

    The reorder writes one row (a new fractional rank); a status change follows the workflow
    exactly like task_update. Raises PermissionDenied, NotFound (trashed), Conflict (stale
    version), ValidationError (unknown or foreign neighbour, transition_not_allowed,
    wip_limit_reached).
    """
    authorise(actor, "task.write", task.project, "Viewers cannot move tasks.")
    with transaction.atomic():
        locked = (
            Task.objects.select_for_update(of=("self",)).select_related("project", "status").filter(pk=task.pk).first()
        )
        if locked is None:
            raise NotFound(f"Task {task.key} is in the trash; restore it first.")
        check_version(locked, version, "task")
        after = _neighbour(locked, after_key, field="after", actor=actor)
        before = _neighbour(locked, before_key, field="before", actor=actor)
        new_rank = locked.rank
        if after is not None or before is not None:
            others = Task.all_objects.filter(project_id=locked.project_id).exclude(pk=locked.pk)
            low = after.rank if after is not None else None
            high = before.rank if before is not None else None
            if before is None and low is not None:
                high = others.filter(rank__gt=low).order_by("rank").values_list("rank", flat=True).first()
            elif after is None and high is not None:
                low = others.filter(rank__lt=high).order_by("-rank").values_list("rank", flat=True).first()
            try:
                new_rank = rank.between(low, high)
            except ValueError:
                raise ValidationError(
                    f"{after.key if after else '-'} does not come before {before.key if before else '-'} any more. "
                    "Reload the board and move the task again.",
                    code="stale_order",
                    fields={"before": "out of order"},
                ) from None
        old_status = locked.status.name
        moved_status = status is not None and status.strip().lower() != old_status.lower()
        if moved_status:
            # Same checks and activity as an edit of the status field (transition, WIP limit).
            locked = task_update(actor=actor, task=locked, version=version, status=status)
            if new_rank != locked.rank:
                Task.objects.filter(pk=locked.pk).update(rank=new_rank)
                locked.rank = new_rank
        elif new_rank != locked.rank:
            locked.rank = new_rank
            locked.version += 1
            locked.save(update_fields=["rank", "version", "updated_at"])
        if moved_status or new_rank != task.rank:
            events.record(
                name="task.moved",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=f"{locked.key} {locked.title}",
                data={
                    **_event_data(locked),
                    "status": locked.status.name,
                    "from_status": old_status,
                    "after": after.key if after else None,
                    "before": before.key if before else None,
                },
            )
    return locked


__all__ = [
    "CLOSED_CATEGORIES",
    "parse_task_key",
    "snapshot",
    "task_bulk_update",
    "task_create",
    "task_delete",
    "task_move",
    "task_restore",
    "task_update",
]
