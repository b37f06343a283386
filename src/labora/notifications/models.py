"""Notifications: the in-app inbox, e-mail per event and digests, per-user preferences,
and project watching."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from labora.core.ids import new_public_id


class Kind(models.TextChoices):
    """What a notification is about. The value is stable: preferences and unsubscribe links name it."""

    TASK_ASSIGNED = "task.assigned", "Assigned to you"
    TASK_STATUS_CHANGED = "task.status_changed", "Status changes of watched tasks"
    TASK_DUE_CHANGED = "task.due_changed", "Due date changes of watched tasks"
    TASK_PRIORITY_CHANGED = "task.priority_changed", "Priority changes of watched tasks"
    COMMENT_MENTION = "comment.mention", "Mentions in comments"
    COMMENT_ADDED = "comment.added", "Comments on watched tasks and projects"
    CHAT_MENTION = "chat.mention", "Mentions in chat"
    CHAT_DIRECT = "chat.direct", "Direct messages"


# Kinds that e-mail by default (no preference row): the ones addressed to you personally.
EMAIL_BY_DEFAULT = frozenset({Kind.TASK_ASSIGNED, Kind.COMMENT_MENTION, Kind.CHAT_MENTION, Kind.CHAT_DIRECT})

# Notifications of one group about one thing (task, project, chat channel) collapse into one row.
KIND_GROUP: dict[str, str] = {
    Kind.TASK_ASSIGNED: "assigned",
    Kind.TASK_STATUS_CHANGED: "changes",
    Kind.TASK_DUE_CHANGED: "changes",
    Kind.TASK_PRIORITY_CHANGED: "changes",
    Kind.COMMENT_MENTION: "mentions",
    Kind.COMMENT_ADDED: "comments",
    Kind.CHAT_MENTION: "chat",
    Kind.CHAT_DIRECT: "chat",
}


class Channel(models.TextChoices):
    INBOX = "inbox", "Inbox"
    EMAIL = "email", "E-mail"


class EmailMode(models.TextChoices):
    INSTANT = "instant", "Right away, one e-mail per notification"
    HOURLY = "hourly", "An hourly digest"
    DAILY = "daily", "A daily digest"
    OFF = "off", "Never"


class Notification(models.Model):
    """One line of someone's inbox. Several events about the same thing within a few minutes
    collapse into one row (`count`, `event_ids`) while it is unread."""

    public_id = models.CharField(max_length=20, unique=True, default=new_public_id, editable=False)
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    group = models.CharField(max_length=20)
    # What collapses: "task:<pk>", "project:<pk>" or "chat:<channel>".
    subject = models.CharField(max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("work.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_label = models.CharField(max_length=300, blank=True)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=300, blank=True)
    event_ids = models.JSONField(default=list)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    unread = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # E-mail still owed for this row (instant mail queued, or waiting for the next digest).
    email_pending = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-unread", "-updated_at", "-id"]
        indexes = [
            # The inbox page and the unread count: one recipient's unarchived rows of one
            # workspace, unread first, newest first — an index range scan in order, no sort.
            # (Partial: with archived_at as a column, `IS NULL` is no equality to PostgreSQL's
            # planner, which would then sort the whole inbox.)
            models.Index(
                fields=["recipient", "workspace", "-unread", "-updated_at", "-id"],
                name="notif_inbox",
                condition=models.Q(archived_at__isnull=True),
            ),
            models.Index(
                fields=["recipient", "workspace", "-unread", "-updated_at", "-id"],
                name="notif_archive",
                condition=models.Q(archived_at__isnull=False),
            ),
            # Collapsing: the recipient's unread row about the same subject.
            models.Index(fields=["recipient", "subject", "group", "-updated_at"], name="notif_collapse"),
            # Digests: who is owed an e-mail.
            models.Index(
                fields=["recipient", "updated_at"], name="notif_email_pending", condition=models.Q(email_pending=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.text}"

    @property
    def read(self) -> bool:
        return not self.unread

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class NotificationReceipt(models.Model):
    """Event E was turned into a notification for recipient R: the outbox may deliver an event
    again, and this unique row keeps it from notifying anyone twice."""

    event = models.ForeignKey("core.DomainEvent", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="receipts")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "recipient"], name="notif_receipt_once")]

    def __str__(self) -> str:
        return f"event {self.event_id} -> user {self.recipient_id}"


class NotificationPreference(models.Model):
    """One switch of someone's preferences in one workspace. No row = the default
    (inbox: on for every kind; e-mail: on for EMAIL_BY_DEFAULT)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace", "kind", "channel"], name="notif_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}: {'on' if self.enabled else 'off'}"


def default_enabled(kind: str, channel: str) -> bool:
    return channel == Channel.INBOX or kind in EMAIL_BY_DEFAULT


class EmailSettings(models.Model):
    """How someone gets e-mail about their notifications. `version` covers all their
    notification preferences (this row and their NotificationPreference rows): a stale save is a 409."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_settings")
    mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.INSTANT)
    version = models.PositiveIntegerField(default=1)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"


class ProjectWatch(models.Model):
    """`user` follows `project`: comments on the project itself reach them."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey("work.Project", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="notif_project_watch_once")]

    def __str__(self) -> str:
        return f"{self.user_id} watches project {self.project_id}"
