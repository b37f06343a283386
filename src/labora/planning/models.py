"""Planning data beside the work app's tasks: dependencies, calendars, per-task and per-project
scheduling settings and results, baselines.

The work app's tables stay as they are; everything the scheduler needs or computes lives here,
one-to-one with a Task (TaskPlan) or a Project (ProjectPlan), and every row carries its workspace.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from labora.core.models import VersionedModel, WorkspaceScopedModel

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri"]
DEFAULT_HOURS_PER_DAY = 8


class DependencyType(models.TextChoices):
    FS = "FS", "Finish to start"
    SS = "SS", "Start to start"
    FF = "FF", "Finish to finish"
    SF = "SF", "Start to finish"


class ScheduleMode(models.TextChoices):
    AUTO = "auto", "Automatically scheduled"
    MANUAL = "manual", "Manually scheduled"


class ConstraintType(models.TextChoices):
    ASAP = "ASAP", "As soon as possible"
    SNET = "SNET", "Start no earlier than"
    SNLT = "SNLT", "Start no later than"
    FNET = "FNET", "Finish no earlier than"
    FNLT = "FNLT", "Finish no later than"
    MSO = "MSO", "Must start on"
    MFO = "MFO", "Must finish on"


class Dependency(WorkspaceScopedModel):
    """`successor` depends on `predecessor`: FS/SS/FF/SF with a lag in working days (negative = lead).

    `lag_elapsed` counts the lag in calendar days instead (MS Project's elapsed lags, kept on import).
    A dependency is a link, not a document: deleting it removes the row (the activity log keeps
    what it was). Trashing one of its tasks hides it; restoring the task brings it back.
    """

    predecessor = models.ForeignKey("work.Task", on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey("work.Task", on_delete=models.CASCADE, related_name="predecessor_links")
    type = models.CharField(max_length=2, choices=DependencyType.choices, default=DependencyType.FS)
    lag_days = models.IntegerField(default=0)
    lag_elapsed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="planning_dependency_once"),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")), name="planning_dependency_not_self"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "successor"], name="planning_dep_successor")]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -{self.type}{self.lag_days:+d}-> {self.successor_id}"


class WorkCalendar(VersionedModel):
    """When work happens: the workspace's calendar (project = None) or a project's own override."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    project = models.OneToOneField(
        "work.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="work_calendar"
    )
    working_days = models.JSONField(default=list)  # ["mon", ...]
    holidays = models.JSONField(default=list, blank=True)  # ["YYYY-MM-DD", ...], sorted
    # Optional names of some of those holidays: {"YYYY-MM-DD": "Christmas Day"}. Kept beside the
    # plain list so the scheduler's adapters read dates only.
    holiday_names = models.JSONField(default=dict, blank=True)
    # Saturdays (or other free weekdays) worked as exceptions, e.g. from an MS Project calendar.
    extra_working_days = models.JSONField(default=list, blank=True)
    hours_per_day = models.PositiveSmallIntegerField(default=DEFAULT_HOURS_PER_DAY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(project__isnull=True), name="planning_calendar_workspace_once"
            ),
        ]

    def __str__(self) -> str:
        return f"calendar of {self.project_id or 'workspace ' + str(self.workspace_id)}"


class ProjectPlan(VersionedModel):
    """A project's scheduling settings and the summary of its last schedule."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    project = models.OneToOneField("work.Project", on_delete=models.CASCADE, related_name="plan")
    # When on, every change to a task's duration, dates, parent or dependencies reschedules.
    auto_schedule = models.BooleanField(default=False)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)
    critical_path = models.JSONField(default=list, blank=True)  # task keys, as last computed

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"plan of project {self.project_id}"


class TaskPlan(VersionedModel):
    """A task's scheduling settings (mode, constraint, actuals) and its last computed schedule."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    task = models.OneToOneField("work.Task", on_delete=models.CASCADE, related_name="plan")
    mode = models.CharField(max_length=6, choices=ScheduleMode.choices, default=ScheduleMode.AUTO)
    constraint_type = models.CharField(max_length=4, choices=ConstraintType.choices, default=ConstraintType.ASAP)
    constraint_date = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_finish = models.DateField(null=True, blank=True)
    # Computed by the last schedule (None before the first).
    early_start = models.DateField(null=True, blank=True)
    early_finish = models.DateField(null=True, blank=True)
    late_start = models.DateField(null=True, blank=True)
    late_finish = models.DateField(null=True, blank=True)
    total_float_days = models.IntegerField(null=True, blank=True)
    free_float_days = models.IntegerField(null=True, blank=True)
    critical = models.BooleanField(default=False)
    conflicts = models.JSONField(default=list, blank=True)  # messages

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(constraint_type=ConstraintType.ASAP) | models.Q(constraint_date__isnull=False),
                name="planning_taskplan_constraint_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"plan of task {self.task_id}"


class Baseline(WorkspaceScopedModel):
    """A named snapshot of a project's plan: every task's start, finish, duration and estimate."""

    project = models.ForeignKey("work.Project", on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "project",
                Lower("name"),
                condition=models.Q(deleted_at__isnull=True),
                name="planning_baseline_name_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BaselineTask(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="rows")
    task = models.ForeignKey("work.Task", on_delete=models.CASCADE, related_name="+")
    start_date = models.DateField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    estimate_minutes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["baseline", "task"], name="planning_baselinetask_once")]

    def __str__(self) -> str:
        return f"task {self.task_id} in baseline {self.baseline_id}"
