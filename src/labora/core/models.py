"""The shared kernel's tables: the workspace-scoped base model and the event outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from labora.core.ids import new_public_id


class LiveManager(models.Manager):
    """The default manager: rows in the trash are invisible unless asked for."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Optimistic concurrency: every write bumps `version`; a stale write answers 409."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class SoftDeleteModel(models.Model):
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: Any = LiveManager()
    all_objects = models.Manager()

    class Meta:
        abstract = True

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None


class WorkspaceScopedModel(VersionedModel, SoftDeleteModel):
    """Base of every tenant table: workspace key, public id, timestamps, version, trash.

    Every selector filters on `workspace`; every user-visible unique constraint of a
    subclass must include it (DESIGN.md §5).
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id, editable=False)

    class Meta:
        abstract = True
        # Django does not inherit base managers' default ordering; subclasses set their own.


class DomainEvent(models.Model):
    """The outbox: one row per change, written in the transaction of the change itself."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set once every subscriber has acknowledged; the worker re-delivers rows still NULL.
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["delivered_at", "id"], name="core_event_pending")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name} {self.target_type}:{self.target_id}"


class EventDelivery(models.Model):
    """An acknowledgement: subscriber S has handled event E. Unique, so never twice."""

    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=120)
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="core_delivery_once")]

    def __str__(self) -> str:
        return f"{self.subscriber} handled event {self.event_id}"


class WorkerHeartbeat(models.Model):
    """Each running worker refreshes its row; /api/v1/health reads the freshest."""

    worker_id = models.CharField(max_length=120, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.IntegerField()
    embedded = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} seen {self.seen_at:%H:%M:%S}"


class JobProgress(models.Model):
    """How far a background job has got (`done` of `total` steps), written by
    labora.core.jobs.report_progress while it runs and read by the page that polls the job."""

    job_id = models.CharField(max_length=64, unique=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"job {self.job_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        """0..100, rounded down (100 only when every step is done)."""
        if self.total <= 0:
            return 0
        return max(0, min(100, self.done * 100 // self.total))
