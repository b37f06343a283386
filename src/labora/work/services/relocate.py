"""Moving tasks where they are shown: another project of the workspace, or another board column.

- tasks_move_to_project: tasks (with all their subtasks) leave their project for another one of
  the workspace, all of them or none. Each gets the next number of its new project, a status of
  the same category, keeps its labels, and loses a parent that stays behind. Its old key stays
  resolvable (TaskKeyAlias), since links and e-mails keep pointing at it.
- task_drop: a board drop that may change the status, the assignee or the priority of the card
  as well as its place, in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import NotFound, ValidationError
from labora.work import rank
from labora.work.models import Category, CustomField, Project, ProjectMember, Status, Task, TaskKeyAlias
from labora.work.permissions import effective_role
from labora.work.services._common import UNSET, access_cached, authorise, cannot_see, is_set
from labora.work.services.tasks import MAX_BULK, _tasks_by_keys, task_move, task_update
from labora.workspaces.models import Membership, Workspace


def _target_status(statuses: list[Status], category: str) -> Status:
    """The first status (board order) of `category`; else where new tasks start (todo, backlog,
    in progress, like task_create)."""
    for status in statuses:
        if status.category == category:
            return status
    for fallback in (Category.TODO, Category.BACKLOG, Category.IN_PROGRESS):
        for status in statuses:
            if status.category == fallback:
                return status
    return statuses[0]


def _with_subtasks(tasks: list[Task]) -> list[Task]:
    """The tasks and all their descendants (the trash included), parents before children.

    One query per level of depth."""
    ordered = list(tasks)
    seen = {task.pk for task in tasks}
    frontier = [task.pk for task in tasks]
    while frontier:
        children = [
            child
            for child in Task.all_objects.filter(parent_id__in=frontier)
            .select_related("project", "status", "parent__project")
            .order_by("project__key", "number")
            if child.pk not in seen
        ]
        seen.update(child.pk for child in children)
        ordered.extend(children)
        frontier = [child.pk for child in children]
    return ordered


@access_cached  # one membership and role lookup per project, not one per task
def tasks_move_to_project(
    *, actor: User, workspace: Workspace, task_keys: list[str], project: Project
) -> list[tuple[str, Task]]:
    """Move tasks and their subtasks to `project`; returns (old key, task) for each moved task.

    New keys come from the target's counter; statuses map by category; labels stay; a parent
    left behind is detached; custom field values the target does not define are dropped; each
    task records `task.moved_to_project` with its old and new key. Raises PermissionDenied,
    ValidationError (unknown keys, too many, already in the project, archived target,
    wip_limit_reached), NotFound (target in the trash).
    """
    authorise(actor, "task.write", project, "Viewers of the target project cannot move tasks into it.")
    keys = list(dict.fromkeys((k or "").strip().upper() for k in task_keys if (k or "").strip()))
    if not keys:
        raise ValidationError("Name at least one task key to move.", fields={"tasks": "required"})
    if len(keys) > MAX_BULK:
        raise ValidationError(
            f"A move takes at most {MAX_BULK} tasks ({len(keys)} given). Split it into batches.",
            fields={"tasks": "too many"},
        )
    if project.workspace_id != workspace.pk:
        raise NotFound("No such project in this workspace.")
    if project.archived_at is not None:
        raise ValidationError(
            f"{project.key} is archived. Unarchive it first, or move the tasks to an active project.",
            fields={"project": "archived"},
        )
    found = _tasks_by_keys(workspace, keys, actor=actor)  # tasks the actor cannot see are unknown
    for source in {task.project_id: task.project for task in found.values()}.values():  # their projects too
        authorise(actor, "task.write", source, "Viewers cannot move tasks out of a project.")
    unknown = [key for key in keys if key not in found]
    if unknown:
        raise ValidationError(
            f"No task {', '.join(unknown)} in this workspace (or it is in the trash). Nothing was moved.",
            code="unknown_tasks",
            fields={"tasks": "unknown task keys"},
            extra={"unknown": unknown},
        )
    already = [key for key in keys if found[key].project_id == project.pk]
    if already:
        raise ValidationError(
            f"{', '.join(already)} {'is' if len(already) == 1 else 'are'} already in {project.key}. "
            "Leave them out of the move.",
            code="already_in_project",
            fields={"tasks": "already in the target project"},
        )
    with transaction.atomic():
        # Lock the moving rows first, then the target's counter row (the order task_create uses
        # for the project row: a concurrent create waits for us, never the other way round).
        list(Task.objects.select_for_update(of=("self",)).filter(pk__in=[t.pk for t in found.values()]))
        moving = _with_subtasks([found[key] for key in keys])
        moving_ids = {task.pk for task in moving}
        list(Task.all_objects.select_for_update(of=("self",)).filter(pk__in=moving_ids))
        updated = Project.objects.filter(pk=project.pk, deleted_at__isnull=True).update(
            task_counter=F("task_counter") + len(moving)
        )
        if not updated:
            raise NotFound(f"Project {project.key} is in the trash; restore it first.")
        target = Project.objects.get(pk=project.pk)
        statuses = list(Status.objects.filter(project=target).order_by("position", "id"))
        field_ids = set(CustomField.objects.filter(project=target).values_list("public_id", flat=True))
        mapped = {task.pk: _target_status(statuses, task.status.category) for task in moving}
        _check_wip_limits(target, mapped, moving)
        _check_people_see(target, moving)
        last = Task.all_objects.filter(project=target).order_by("-rank").values_list("rank", flat=True).first()
        first_number = target.task_counter - len(moving) + 1
        aliases = []
        result = []
        for offset, task in enumerate(moving):
            old_key, old_project, old_number = task.key, task.project, task.number
            old_status, old_parent = task.status, task.parent
            changes: dict[str, list[Any]] = {
                "key": [old_key, f"{target.key}-{first_number + offset}"],
                "project": [old_project.key, target.key],
            }
            task.project = target
            task.number = first_number + offset
            new_status = mapped[task.pk]
            if new_status.name != old_status.name:
                changes["status"] = [old_status.name, new_status.name]
            # The categories match unless the target has none of the task's category.
            if new_status.category != Category.DONE:
                task.completed_at = None
            elif old_status.category != Category.DONE:
                task.completed_at = timezone.now()
            task.status = new_status
            if old_parent is not None and task.parent_id not in moving_ids:
                changes["parent"] = [old_parent.key, None]
                task.parent = None
            dropped = sorted(k for k in (task.custom_fields or {}) if k not in field_ids)
            if dropped:
                changes["custom_fields"] = [dropped, []]
                task.custom_fields = {k: v for k, v in task.custom_fields.items() if k in field_ids}
            last = rank.between(last, None)
            task.rank = last
            task.version += 1
            task.save()
            aliases.append(TaskKeyAlias(workspace=workspace, project_key=old_project.key, number=old_number, task=task))
            events.record(
                name="task.moved_to_project",
                actor=actor,
                workspace=workspace,
                target=task,
                target_label=f"{task.key} {task.title}",
                data={"project": target.key, "task": task.key, "from_project": old_project.key, "from_task": old_key},
                changes=changes,
            )
            result.append((old_key, task))
        TaskKeyAlias.objects.bulk_create(aliases)
    return result


def _check_people_see(target: Project, moving: list[Task]) -> None:
    """A task's assignee and collaborators must see the project it moves to (a private one, or
    one not shared with a guest): else 422 naming the first such task and person. Two queries
    (plus one for the target's member rows); people who left the workspace see nothing anywhere
    and are not asked about."""
    people: dict[int, list[tuple[Task, str]]] = {}
    for task in moving:
        if task.assignee_id is not None:
            people.setdefault(task.assignee_id, []).append((task, "assignee"))
    through = Task.collaborators.through.objects.filter(task_id__in=[t.pk for t in moving])
    by_pk = {task.pk: task for task in moving}
    for task_id, user_id in through.values_list("task_id", "user_id"):
        people.setdefault(user_id, []).append((by_pk[task_id], "collaborator"))
    if not people:
        return
    memberships = Membership.objects.filter(workspace_id=target.workspace_id, user_id__in=people).select_related("user")
    rows = dict(ProjectMember.objects.filter(project=target, user_id__in=people).values_list("user_id", "role"))
    for membership in sorted(memberships, key=lambda m: m.user.email):
        role = effective_role(membership, is_private=target.is_private, member_role=rows.get(membership.user_id))
        if role is None:
            task, what = people[membership.user_id][0]
            error = cannot_see(membership.user.email, target, field="tasks")
            raise ValidationError(
                f"{task.key}: its {what} {error.message} Nothing was moved.",
                code=error.code,
                fields={"tasks": f"its {what} cannot see {target.key}"},
            )


def _check_wip_limits(target: Project, mapped: dict[int, Status], moving: list[Task]) -> None:
    live = {task.pk for task in moving if task.deleted_at is None}
    incoming: dict[int, int] = {}
    for pk, status in mapped.items():
        if pk in live:
            incoming[status.pk] = incoming.get(status.pk, 0) + 1
    for status in {s.pk: s for s in mapped.values()}.values():
        if status.wip_limit is None or not incoming.get(status.pk):
            continue
        present = Task.objects.filter(status=status).count()
        if present + incoming[status.pk] > status.wip_limit:
            raise ValidationError(
                f"'{status.name}' of {target.key} holds at most {status.wip_limit} tasks: it has {present} and "
                f"{incoming[status.pk]} would arrive. Nothing was moved; move fewer tasks or raise the limit.",
                code="wip_limit_reached",
                fields={"project": "WIP limit reached"},
                extra={"status": status.name, "wip_limit": status.wip_limit},
            )


def task_drop(
    *,
    actor: User,
    task: Task,
    before_key: str | None = None,
    after_key: str | None = None,
    status: str | None = None,
    assignee: Any = UNSET,
    priority: str | None = None,
    version: int | None = None,
) -> Task:
    """A board drop: place the card (and move it into `status`, per task_move), then give it the
    assignee (an e-mail, None = unassign) or priority of the column or swimlane it landed in.

    All in one transaction. Raises what task_move and task_update raise.
    """
    with transaction.atomic():
        moved = task_move(
            actor=actor, task=task, before_key=before_key, after_key=after_key, status=status, version=version
        )
        fields: dict[str, Any] = {}
        current = moved.assignee.email if moved.assignee is not None else None
        if is_set(assignee) and (assignee or None) != current:
            fields["assignee"] = assignee or None
        if priority and priority != moved.priority_name:
            fields["priority"] = priority
        if fields:
            # The version was checked (and the row locked) by task_move, in this transaction.
            moved = task_update(actor=actor, task=moved, **fields)
    return moved


__all__ = ["task_drop", "tasks_move_to_project"]
