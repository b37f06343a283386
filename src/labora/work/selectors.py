"""Reads for projects, workflows and tasks, always scoped to the workspace the user is in.

Callers resolve the workspace through workspaces.selectors.workspace_for_user first (404 for
non-members); every lookup here then filters on that workspace, so an id or key of another
workspace is simply not found.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from labora.core.errors import NotFound
from labora.work import query_compiler
from labora.work.models import Project, Status, Task, Transition
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
