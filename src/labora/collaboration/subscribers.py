"""Writes the activity log from the outbox: who changed what, when, with before/after."""

from __future__ import annotations

from labora.collaboration.models import ActivityEntry
from labora.core.events import subscriber
from labora.core.models import DomainEvent


@subscriber("collaboration.activity_log")
def activity_log(event: DomainEvent) -> None:
    if event.workspace_id is None:
        return  # account-level events (sign-up, tokens) belong to no workspace's history
    data = event.data or {}
    ActivityEntry.objects.get_or_create(
        event=event,
        defaults={
            "workspace_id": event.workspace_id,
            "name": event.name,
            "actor_id": event.actor_id,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "target_label": event.target_label,
            "project_key": str(data.get("project", ""))[:20],
            "task_key": str(data.get("task", ""))[:30],
            "changes": event.changes,
            "data": data,
            "at": event.created_at,
        },
    )
