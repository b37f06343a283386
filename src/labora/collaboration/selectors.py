"""Reads of the activity log."""

from __future__ import annotations

from django.db.models import QuerySet

from labora.collaboration.models import ActivityEntry
from labora.workspaces.models import Workspace


def activity_list(
    *,
    workspace: Workspace,
    task: str | None = None,
    project: str | None = None,
    actor_email: str | None = None,
    name_prefix: str | None = None,
) -> QuerySet[ActivityEntry]:
    qs = ActivityEntry.objects.filter(workspace=workspace).select_related("actor")
    if task:
        qs = qs.filter(task_key__iexact=task)
    if project:
        qs = qs.filter(project_key__iexact=project)
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email)
    if name_prefix:
        qs = qs.filter(name__startswith=name_prefix)
    return qs.order_by("-at", "-id")
