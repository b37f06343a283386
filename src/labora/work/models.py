"""Projects and ongoing work streams, their workflows (statuses, transitions), labels and tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from labora.core.models import WorkspaceScopedModel


class ProjectKind(models.TextChoices):
    PROJECT = "project", "Project"
    ONGOING = "ongoing", "Ongoing work stream"


class Category(models.TextChoices):
    BACKLOG = "backlog", "Backlog"
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_CATEGORIES = (Category.DONE, Category.CANCELLED)

# A status without a colour of its own shows its category's (the same hues as the CSS tokens).
CATEGORY_COLOUR: dict[str, str] = {
    Category.BACKLOG: "#a3a8b5",
    Category.TODO: "#7c8190",
    Category.IN_PROGRESS: "#5046e5",
    Category.DONE: "#16a34a",
    Category.CANCELLED: "#a3a8b5",
}


class Priority(models.IntegerChoices):
    """Stored as a small integer so that ordering by priority is ordering by urgency."""

    NONE = 0, "none"
    LOW = 1, "low"
    MEDIUM = 2, "medium"
    HIGH = 3, "high"
    URGENT = 4, "urgent"


PRIORITY_BY_NAME = {label: value for value, label in Priority.choices}
PRIORITY_NAME = dict(Priority.choices)


class TaskType(models.TextChoices):
    TASK = "task", "Task"
    BUG = "bug", "Bug"
    MILESTONE = "milestone", "Milestone"
    EPIC = "epic", "Epic"


class ProjectRole(models.TextChoices):
    """A person's role in one project. Workspace owners and admins act as managers everywhere."""

    MANAGER = "manager", "Manager"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"


PROJECT_ROLE_RANK = {ProjectRole.VIEWER: 1, ProjectRole.CONTRIBUTOR: 2, ProjectRole.MANAGER: 3}


class Project(WorkspaceScopedModel):
    key = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ProjectKind.choices, default=ProjectKind.PROJECT)
    description = models.TextField(blank=True)  # Markdown
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    # Private: visible only to its members (and the workspace's owners and admins).
    is_private = models.BooleanField(default=False)
    colour = models.CharField(max_length=7, default="#4f46e5")
    icon = models.CharField(max_length=32, blank=True, default="")
    # Task types of this project beyond the built-in ones: [{"name": "story"}, ...]
    custom_types = models.JSONField(default=list, blank=True)
    # The per-project counter row (DESIGN.md §5): task numbers come from an atomic increment.
    task_counter = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key", "id"]
        constraints = [
            # Including trashed projects: a key is never reused, so old task keys stay unambiguous.
            models.UniqueConstraint(fields=["workspace", "key"], name="work_project_key_once"),
            models.CheckConstraint(
                condition=models.Q(target_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(target_date__gte=models.F("start_date")),
                name="work_project_target_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class ProjectMember(models.Model):
    """Somebody's role in a project: how private projects and guest sharing are expressed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(max_length=12, choices=ProjectRole.choices, default=ProjectRole.CONTRIBUTOR)
    created_at = models.DateTimeField(default=timezone.now)
    # Bumped by every role change: a change based on an older version answers 409 (If-Match).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="work_project_member_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} in {self.project_id}"


class Status(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=60)
    category = models.CharField(max_length=12, choices=Category.choices)
    position = models.PositiveIntegerField(default=0)
    wip_limit = models.PositiveIntegerField(null=True, blank=True)
    colour = models.CharField(max_length=7, blank=True, default="")  # "" = the category's colour
    # Fields a task must have to enter this status: "assignee", "due_date", "estimate", "cf:<public id>", ...
    required_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint("project", Lower("name"), name="work_status_name_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.category in CLOSED_CATEGORIES

    @property
    def badge_colour(self) -> str:
        """The colour to paint this status with: its own, or its category's."""
        return self.colour or CATEGORY_COLOUR.get(self.category, "#7c8190")


class Transition(models.Model):
    """An allowed move. A project without any row allows every move."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    to_status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_status", "to_status"], name="work_transition_once"),
        ]

    def __str__(self) -> str:
        return f"{self.from_status_id} -> {self.to_status_id}"


class Label(WorkspaceScopedModel):
    name = models.CharField(max_length=60)
    colour = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("workspace", Lower("name"), name="work_label_name_once")]

    def __str__(self) -> str:
        return self.name


LIVE = models.Q(deleted_at__isnull=True)  # what partial indexes of live tasks are for


class Task(WorkspaceScopedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField()
    # A built-in TaskType or one of the project's custom_types.
    type = models.CharField(max_length=30, default=TaskType.TASK)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)  # Markdown
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="tasks")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    estimate_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Three-point estimate (PERT), in minutes like estimate_minutes.
    estimate_optimistic_minutes = models.PositiveIntegerField(null=True, blank=True)
    estimate_likely_minutes = models.PositiveIntegerField(null=True, blank=True)
    estimate_pessimistic_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Roll-ups kept by the task services: the subtree's estimate and the share of it that is done.
    rollup_estimate_minutes = models.PositiveIntegerField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, 0..100
    labels = models.ManyToManyField(Label, blank=True, related_name="tasks")
    collaborators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="collaborating_tasks")
    watchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="watched_tasks")
    # Values of the project's custom fields, keyed by CustomField.public_id.
    custom_fields = models.JSONField(default=dict, blank=True)
    rank = models.CharField(max_length=64, default="i")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="work_task_number_once"),
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="work_task_due_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "rank"], name="work_task_rank"),
            models.Index(fields=["workspace", "assignee"], name="work_task_assignee"),
            models.Index(fields=["project", "status"], name="work_task_status"),
            models.Index(fields=["project", "updated_at"], name="work_task_updated"),
            # Filtered list pages count and page within one project. Partial (live tasks) and
            # carrying the status, so that counting `priority:high status:open` or `due<+7d
            # status:open` reads the index alone, not one table row per candidate.
            # (`deleted_at`, always null in them, is there for SQLite: it treats an index as covering
            # only when it holds every column the query names, the partial condition's included.)
            models.Index(
                fields=["project", "due_date", "status", "deleted_at"], name="work_task_due_live", condition=LIVE
            ),
            models.Index(
                fields=["project", "assignee", "status", "deleted_at"], name="work_task_assignee_live", condition=LIVE
            ),
            models.Index(
                fields=["project", "priority", "status", "deleted_at"], name="work_task_priority_live", condition=LIVE
            ),
            # Every live task of a project, narrow: counting a filtered list that no other index
            # answers (label:, custom fields) walks this instead of every task row.
            models.Index(fields=["project", "status", "id", "deleted_at"], name="work_task_live", condition=LIVE),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"{self.project.key}-{self.number}"

    def label_objects(self) -> list[Label]:
        """The task's labels: the selectors' prefetched list (no query), else one query."""
        cached = getattr(self, "label_list", None)
        return list(cached) if cached is not None else list(self.labels.all())

    @property
    def priority_name(self) -> str:
        return PRIORITY_NAME[self.priority]

    @property
    def estimate_hours(self) -> float | None:
        return None if self.estimate_minutes is None else round(self.estimate_minutes / 60, 2)


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    SELECT = "select", "Single select"
    MULTISELECT = "multiselect", "Multi select"
    USER = "user", "Person"
    CHECKBOX = "checkbox", "Checkbox"
    URL = "url", "URL"


class CustomField(WorkspaceScopedModel):
    """A field defined per project; values live in Task.custom_fields under the field's public id."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="custom_field_defs")
    name = models.CharField(max_length=60)
    type = models.CharField(max_length=12, choices=CustomFieldType.choices)
    options = models.JSONField(default=list, blank=True)  # choices of select / multiselect
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                "project", Lower("name"), condition=models.Q(deleted_at__isnull=True), name="work_customfield_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(WorkspaceScopedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(max_length=500)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rank = models.CharField(max_length=64, default="i")

    class Meta:
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.text


class ViewLayout(models.TextChoices):
    LIST = "list", "List"
    BOARD = "board", "Board"


class SavedView(WorkspaceScopedModel):
    """A named filter/sort/group/layout: personal, or shared with everyone who sees the project."""

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    query = models.TextField(blank=True)
    order = models.CharField(max_length=40, blank=True)
    group_by = models.CharField(max_length=20, blank=True)
    layout = models.CharField(max_length=10, choices=ViewLayout.choices, default=ViewLayout.LIST)
    shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaskKeyAlias(models.Model):
    """A key a task had before it moved to another project, so that OPS-12 still finds it.

    Project keys and task numbers are never reused, so an old key can never clash with a live one.
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    project_key = models.CharField(max_length=10)
    number = models.PositiveIntegerField()
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="key_aliases")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "project_key", "number"], name="work_task_alias_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project_key}-{self.number} -> task {self.task_id}"
