"""Reads for projects, workflows and tasks, always scoped to the workspace the user is in.

Callers resolve the workspace through workspaces.selectors.workspace_for_user first (404 for
non-members); every lookup here then filters on that workspace, so an id or key of another
workspace is simply not found.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from labora.core.errors import NotFound
from labora.work import query_compiler
from labora.work.models import CLOSED_CATEGORIES, Label, Project, Status, Task, Transition
from labora.work.query import Me, Node, Term, Text, all_of
from labora.work.services.tasks import parse_task_key
from labora.workspaces.models import Workspace


def project_list(*, workspace: Workspace, include_archived: bool = True) -> QuerySet[Project]:
    projects = Project.objects.filter(workspace=workspace).select_related("lead")
    if not include_archived:
        projects = projects.filter(archived_at__isnull=True)
    return projects.order_by("key", "id")


def project_get(*, workspace: Workspace, key: str) -> Project:
    project = Project.objects.filter(workspace=workspace, key=(key or "").upper()).select_related("lead").first()
    if project is None:
        raise NotFound(f"No project '{key}' in this workspace. See GET /api/v1/workspaces/{{ws}}/projects.")
    return project


def workflow_get(*, project: Project) -> tuple[list[Status], list[Transition]]:
    statuses = list(Status.objects.filter(project=project).order_by("position", "id"))
    transitions = list(
        Transition.objects.filter(project=project)
        .select_related("from_status", "to_status")
        .order_by("from_status__position", "to_status__position")
    )
    return statuses, transitions


def _tasks(workspace: Workspace, *, include_trash: bool = False) -> QuerySet[Task]:
    manager = Task.all_objects if include_trash else Task.objects
    return (
        manager.filter(workspace=workspace, project__deleted_at__isnull=True)
        .select_related("project", "status", "assignee", "reporter", "parent__project")
        .prefetch_related("labels")
    )


def task_get(*, workspace: Workspace, key: str, include_trash: bool = False) -> Task:
    """The task `KEY-N` of this workspace (NotFound otherwise; trashed ones only when asked)."""
    parsed = parse_task_key(key)
    task = None
    if parsed is not None:
        task = _tasks(workspace, include_trash=include_trash).filter(project__key=parsed[0], number=parsed[1]).first()
    if task is None:
        raise NotFound(f"No task '{key}' in this workspace. Task keys look like OPS-12.")
    return task


def task_list(
    *,
    user: Any,
    workspace: Workspace,
    project: Project | None = None,
    status: str | None = None,
    assignee: str | None = None,
    label: str | None = None,
    q: str | None = None,
    order: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Task]:
    """Tasks matching the filters and the query language `q`, in `order` (default: rank).

    A constant number of queries whatever the page size: one for the page, one for its labels.
    Raises ValidationError (invalid_query) for a bad `q` or `order`.
    """
    nodes: list[Node] = []
    if status:
        nodes.append(Term("status", ":", (Text(status),)))
    if assignee:
        nodes.append(Term("assignee", ":", (Me() if assignee == "me" else Text(assignee),)))
    if label:
        nodes.append(Term("label", ":", (Text(label),)))
    parsed = query_compiler.parse(q) if q else None
    if parsed is not None:
        nodes.append(parsed)
    tasks = _tasks(workspace)
    if project is not None:
        tasks = tasks.filter(project=project)
    if nodes:
        tasks = tasks.filter(
            query_compiler.compile_query(
                all_of(*nodes),
                user=user,
                workspace=workspace,
                today=today or query_compiler.user_today(user),
            )
        )
    return tasks.order_by(*query_compiler.order_by(order))


def project_get_any(*, workspace: Workspace, key: str) -> Project:
    """A project of this workspace by key, trashed ones included (for restoring it)."""
    project = Project.all_objects.filter(workspace=workspace, key=(key or "").upper()).select_related("lead").first()
    if project is None:
        raise NotFound(f"No project '{key}' in this workspace, not even in the trash.")
    return project


def task_trash_list(*, workspace: Workspace, project: Project) -> QuerySet[Task]:
    """The trashed tasks of a project, most recently trashed first."""
    return (
        _tasks(workspace, include_trash=True)
        .filter(project=project, deleted_at__isnull=False)
        .order_by("-deleted_at", "-id")
    )


def label_list(*, workspace: Workspace) -> QuerySet[Label]:
    return Label.objects.filter(workspace=workspace).order_by("name", "id")


def label_get(*, workspace: Workspace, label_id: str) -> Label:
    label = Label.objects.filter(workspace=workspace, public_id=label_id).first()
    if label is None:
        raise NotFound(f"No label '{label_id}' in this workspace. See GET /api/v1/workspaces/{{ws}}/labels.")
    return label


@dataclass
class BoardColumn:
    status: Status
    tasks: list[Task]

    @property
    def count(self) -> int:
        return len(self.tasks)

    @property
    def at_limit(self) -> bool:
        return self.status.wip_limit is not None and self.count >= self.status.wip_limit


def task_list_for_board(*, workspace: Workspace, project: Project) -> list[BoardColumn]:
    """The project's statuses in order, each with its live tasks in rank order.

    Three queries whatever the number of cards: statuses, tasks (with project, status,
    assignee), labels.
    """
    statuses = list(Status.objects.filter(project=project).order_by("position", "id"))
    columns = {s.pk: BoardColumn(status=s, tasks=[]) for s in statuses}
    tasks = (
        Task.objects.filter(workspace=workspace, project=project)
        .select_related("project", "status", "assignee")
        .prefetch_related("labels")
        .order_by("rank", "id")
    )
    for task in tasks:
        columns[task.status_id].tasks.append(task)
    return list(columns.values())


def task_list_by_keys(*, workspace: Workspace, project: Project, keys: list[str]) -> list[Task]:
    """The tasks of `project` named by `keys` (trashed ones too), in one query plus labels."""
    numbers = [parsed[1] for parsed in map(parse_task_key, keys) if parsed is not None]
    return list(_tasks(workspace, include_trash=True).filter(project=project, number__in=numbers))


@dataclass
class BoardLane:
    """One swimlane of the board: the cards of one assignee (None = unassigned), per status."""

    assignee: Any
    columns: list[BoardColumn]

    @property
    def key(self) -> str:
        return str(self.assignee.public_id) if self.assignee is not None else "none"

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


def board_lanes_by_assignee(columns: list[BoardColumn]) -> list[BoardLane]:
    """Split the board's columns into one lane per assignee (by name, unassigned last); no query."""
    people: dict[int | None, Any] = {}
    for column in columns:
        for task in column.tasks:
            people.setdefault(task.assignee_id, task.assignee)
    order: list[int | None] = sorted(
        (pk for pk in people if pk is not None),
        key=lambda pk: (people[pk].display_name.lower(), pk),
    )
    if None in people:
        order.append(None)
    return [
        BoardLane(
            assignee=people[pk],
            columns=[BoardColumn(status=c.status, tasks=[t for t in c.tasks if t.assignee_id == pk]) for c in columns],
        )
        for pk in order
    ]


def project_list_with_counts(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with `open_count` and `task_count` of their live tasks (one query)."""
    live = Q(tasks__deleted_at__isnull=True)
    return projects.annotate(
        task_count=Count("tasks", filter=live, distinct=True),
        open_count=Count("tasks", filter=live & ~Q(tasks__status__category__in=CLOSED_CATEGORIES), distinct=True),
    )


def task_children(*, workspace: Workspace, task: Task) -> QuerySet[Task]:
    """The live subtasks of `task`, in board order."""
    return (
        Task.objects.filter(workspace=workspace, parent=task)
        .select_related("status", "assignee", "project")
        .order_by("rank", "id")
    )


def my_open_tasks(*, workspace: Workspace, user: Any) -> QuerySet[Task]:
    """The live tasks of this workspace assigned to `user` that are still open (not done or
    cancelled), across its live projects; earliest due first, undated last.

    Two queries whatever the number of tasks: the tasks (with project, status, assignee), labels.
    """
    return (
        _tasks(workspace)
        .filter(assignee=user)
        .exclude(status__category__in=CLOSED_CATEGORIES)
        .order_by(F("due_date").asc(nulls_last=True), "-priority", "project__key", "number")
    )
