"""GET /api/v1/workspaces/{ws}/activity: the activity log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from labora.collaboration.feeds import feed_entries
from labora.collaboration.models import ActivityEntry
from labora.core.api_utils import actor
from labora.core.pagination import Page, paginate
from labora.core.policy import check
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["activity"])


class TargetOut(Schema):
    type: str
    id: str
    label: str


class ActivityOut(Schema):
    id: int
    event: str
    actor: str | None
    target: TargetOut
    changes: dict[str, list[Any]]
    at: datetime


def _entry(e: ActivityEntry) -> dict[str, Any]:
    return {
        "id": e.event_id,
        "event": e.name,
        "actor": e.actor.email if e.actor else None,
        "target": {"type": e.target_type, "id": e.target_id, "label": e.target_label},
        "changes": e.changes,
        "at": e.at,
    }


@router.get("/workspaces/{ws}/activity", response=Page[ActivityOut], summary="Activity history")
def activity(
    request: HttpRequest,
    ws: str,
    task: str | None = None,
    project: str | None = None,
    actor_email: str | None = Query(None, alias="actor"),
    event: str | None = None,
    kind: str | None = Query(
        None,
        max_length=40,
        description="one kind of change: task, project, chat, comment, member, team, … (422 lists them)",
    ),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "activity.view", membership)
    qs = feed_entries(
        workspace=workspace,
        membership=membership,
        task=task,
        project=project,
        actor_email=actor_email,
        kind=kind,
        name_prefix=event,
    )
    result = paginate(request, qs, page=page, page_size=page_size)
    result["items"] = [_entry(e) for e in result["items"]]
    return result
