"""Reads for live updates: what a connection's user may see, event payloads, catch-up.

Visibility follows the activity log's rule (work.selectors.activity_project_filter,
docs/decisions/0006-project-access.md): owners and admins see every event of the workspace;
members every event except those of private projects they are not in (trashed projects
included); guests and clients only the events of projects shared with them, and none about the
workspace itself (members, invitations, teams, labels).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from labora.core.models import DomainEvent
from labora.live.wire import envelope
from labora.work.models import Project, ProjectMember, Task
from labora.work.permissions import ADMIN, is_outsider
from labora.work.services.tasks import parse_task_key
from labora.workspaces.models import Membership, Workspace

# How many missed events one resume_after may replay; further behind, the client reloads.
MAX_CATCH_UP = 5000
CATCH_UP_BATCH = 500


@dataclass(frozen=True)
class Visibility:
    """What one member may see of a workspace's events, computed once per connection and again
    when a membership or a project's privacy changes."""

    everything: bool = False  # owners and admins
    outsider: bool = False  # guests and clients: only `shared`, nothing workspace-wide
    shared: frozenset[str] = frozenset()  # project keys with a ProjectMember row for the user
    hidden: frozenset[str] = frozenset()  # members: private projects without such a row

    def sees_project(self, key: str) -> bool:
        if self.everything:
            return True
        if self.outsider:
            return key in self.shared
        return key not in self.hidden

    def allows(self, payload: dict[str, Any]) -> bool:
        """May the user see this event (a payload or a live.wire envelope: both have `project`)?"""
        project = payload.get("project")
        if project:
            return self.sees_project(str(project))
        return not self.outsider


NOBODY = Visibility(outsider=True)


def membership_for(*, user: Any, workspace_slug: str) -> Membership | None:
    """The user's membership of the live workspace `workspace_slug`, with the workspace; None otherwise."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return (
        Membership.objects.filter(user_id=user.pk, workspace__slug=workspace_slug, workspace__deleted_at__isnull=True)
        .select_related("workspace")
        .first()
    )


def visibility_for(*, user: Any, workspace: Workspace) -> tuple[Membership | None, Visibility]:
    """The user's membership (None when no longer a member) and what they may see. Two or three
    queries, whatever the number of projects."""
    membership = Membership.objects.filter(workspace=workspace, user_id=user.pk).first()
    if membership is None:
        return None, NOBODY
    if membership.rank >= ADMIN:
        return membership, Visibility(everything=True)
    shared = frozenset(
        ProjectMember.objects.filter(user_id=user.pk, project__workspace=workspace).values_list(
            "project__key", flat=True
        )
    )
    if is_outsider(membership):
        return membership, Visibility(outsider=True, shared=shared)
    hidden = frozenset(
        Project.all_objects.filter(workspace=workspace, is_private=True)
        .exclude(key__in=shared)
        .values_list("key", flat=True)
    )
    return membership, Visibility(shared=shared, hidden=hidden)


def task_exists(*, workspace: Workspace, key: str) -> str | None:
    """The canonical key of live task `key` in the workspace (e.g. "ops-12" -> "OPS-12"), or None."""
    parsed = parse_task_key(key)
    if parsed is None:
        return None
    project_key, number = parsed
    found = Task.objects.filter(workspace=workspace, project__key=project_key, number=number).exists()
    return f"{project_key}-{number}" if found else None


def project_exists(*, workspace: Workspace, key: str) -> bool:
    return Project.objects.filter(workspace=workspace, key=key).exists()


def last_event_id(*, workspace: Workspace) -> int:
    """The id of the workspace's newest event (0 when none): where a fresh connection starts."""
    newest = DomainEvent.objects.filter(workspace=workspace).order_by("-id").values_list("id", flat=True).first()
    return int(newest or 0)


def _actor(event: DomainEvent) -> dict[str, str] | None:
    user = event.actor
    if user is None:
        return None
    return {"id": user.public_id, "name": user.display_name}


def event_payload(event: DomainEvent, *, workspace_slug: str) -> dict[str, Any]:
    """API.md's live message for one event: {id, event, workspace, project, task, actor, at, data}.

    `data` is the event's data, plus `changes` ({field: [before, after]}) when it has any.
    """
    data: dict[str, Any] = dict(event.data or {})
    if event.changes:
        data["changes"] = event.changes
    return {
        "id": event.pk,
        "event": event.name,
        "workspace": workspace_slug,
        "project": data.get("project") or None,
        "task": data.get("task") or None,
        "actor": _actor(event),
        "at": event.created_at.isoformat(),
        "data": data,
    }


def payload_for_publish(event_id: int) -> tuple[int, dict[str, Any]] | None:
    """(workspace id, payload) of one event, in one query; None for events of no workspace."""
    event = DomainEvent.objects.select_related("actor", "workspace").filter(pk=event_id).first()
    if event is None or event.workspace is None:
        return None
    return event.workspace.pk, event_payload(event, workspace_slug=event.workspace.slug)


def events_after(*, workspace: Workspace, after: int, limit: int = CATCH_UP_BATCH) -> list[dict[str, Any]]:
    """Up to `limit` of the workspace's events with id > `after`, as channel-layer envelopes
    (live.wire), in id order, in one query. The caller filters them with its Visibility (the same
    test as live delivery) and pages on with the last id."""
    rows: Iterable[DomainEvent] = (
        DomainEvent.objects.filter(workspace=workspace, id__gt=after).select_related("actor").order_by("id")[:limit]
    )
    return [envelope(event_payload(event, workspace_slug=workspace.slug)) for event in rows]


def count_after(*, workspace: Workspace, after: int) -> int:
    return DomainEvent.objects.filter(workspace=workspace, id__gt=after).count()
