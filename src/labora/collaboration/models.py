"""The activity log: one row per workspace event, written by the outbox subscriber."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActivityEntry(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    # One entry per event: the unique key is what makes the subscriber idempotent.
    event = models.OneToOneField("core.DomainEvent", on_delete=models.CASCADE, related_name="activity")
    name = models.CharField(max_length=80)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    # Filled by events that concern a project or a task (`data.project` / `data.task` keys).
    project_key = models.CharField(max_length=20, blank=True, db_index=True)
    task_key = models.CharField(max_length=30, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "-at"], name="collab_activity_ws_at")]

    def __str__(self) -> str:
        return f"{self.name} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"
