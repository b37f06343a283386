"""Reads of the activity log."""

from __future__ import annotations

from django.db.models import QuerySet

from labora.collaboration.models import ActivityEntry
from labora.workspaces.models import Membership, Workspace


def activity_list(
    *,
    workspace: Workspace,
    membership: Membership | None,
    task: str | None = None,
    project: str | None = None,
    actor_email: str | None = None,
    name_prefix: str | None = None,
) -> QuerySet[ActivityEntry]:
    """The activity of `workspace` that the holder of `membership` may read, newest first: the
    entries of projects they cannot see are left out (labora.work.selectors.activity_project_filter).

    With `task`: the task's whole history, under every key it has had (moves between projects),
    read as labora.collaboration.feeds.task_history_filter says: one query for the task's
    former keys, one for the entries."""
    from labora.collaboration.feeds import task_history_filter
    from labora.work.selectors import activity_project_filter  # collaboration does not depend on work at import

    qs = ActivityEntry.objects.filter(workspace=workspace).select_related("actor")
    if task:
        qs = qs.filter(task_history_filter(workspace=workspace, membership=membership, task=task))
    else:
        qs = qs.filter(activity_project_filter(membership=membership))
    if project:
        qs = qs.filter(project_key__iexact=project)
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email)
    if name_prefix:
        qs = qs.filter(name__startswith=name_prefix)
    return qs.order_by("-at", "-id")
