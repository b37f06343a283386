"""The activity log (one row per workspace event, written by the outbox subscriber), and comments
with their revisions and reactions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from labora.core.models import WorkspaceScopedModel


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


MAX_COMMENT_LENGTH = 20_000

# The reactions offered under a comment (GitHub's set): anything else is refused with a 422.
REACTION_EMOJIS: tuple[str, ...] = ("👍", "👎", "🎉", "❤️", "😄", "😕", "👀", "🚀")


class Comment(WorkspaceScopedModel):
    """A Markdown comment on a task or (a discussion post) on a project; replies one level deep.

    Exactly one of `task` / `project` is set. `body_html` is rendered and sanitised when the body
    is written (labora.collaboration.mentions.render), never from user HTML. A deleted comment
    stays (soft delete) so that its replies keep their place; it shows as "comment deleted".
    """

    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    project = models.ForeignKey(
        "work.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    # Replies attach to the root of a thread (a reply to a reply is a reply to its root).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    body_html = models.TextField(blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="comment_mentions")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(task__isnull=False) & models.Q(project__isnull=True))
                | (models.Q(task__isnull=True) & models.Q(project__isnull=False)),
                name="collab_comment_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["task", "created_at"], name="collab_comment_task"),
            models.Index(fields=["project", "created_at"], name="collab_comment_project"),
            models.Index(fields=["parent", "created_at"], name="collab_comment_parent"),
        ]

    def __str__(self) -> str:
        return f"comment {self.public_id} by {self.author_id}"


class CommentRevision(models.Model):
    """One earlier text of a comment: written each time its author edits it."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"revision of {self.comment_id} at {self.at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user", "emoji"], name="collab_reaction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.comment_id}"
