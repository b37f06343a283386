"""Chat: project channels and direct messages.

A project channel is one per project, created on first use; who may read and write it is whoever
may see the project (docs/decisions/0006-project-access.md), so it has no member list of its own:
its ChannelMember rows only hold each reader's position. A direct channel is a conversation of
2..8 members of the workspace, one per set of members (`member_key`: their ids, sorted).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from labora.core.models import LiveManager, WorkspaceScopedModel

MAX_BODY = 10_000
MIN_DIRECT_MEMBERS = 2
MAX_DIRECT_MEMBERS = 8


class ChannelKind(models.TextChoices):
    PROJECT = "project", "Project channel"
    DIRECT = "direct", "Direct message"


def member_key(user_ids: list[int]) -> str:
    """The unique key of a direct channel's member set: its user ids sorted, joined by commas."""
    return ",".join(str(pk) for pk in sorted(set(user_ids)))


class Channel(WorkspaceScopedModel):
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    project = models.ForeignKey("work.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120, blank=True)
    member_key = models.CharField(max_length=200, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ChannelMember", related_name="chat_channels", blank=True
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-id"]  # lists order by the newest message (selectors.channel_list)
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "project"],
                condition=models.Q(kind="project"),
                name="chat_one_channel_per_project",
            ),
            models.UniqueConstraint(
                fields=["workspace", "member_key"],
                condition=models.Q(kind="direct"),
                name="chat_one_direct_per_member_set",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="project") & models.Q(project__isnull=False))
                | (models.Q(kind="direct") & models.Q(project__isnull=True)),
                name="chat_channel_kind_matches_project",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.kind} channel {self.public_id}"

    @property
    def is_direct(self) -> bool:
        return self.kind == ChannelKind.DIRECT


class ChannelMember(models.Model):
    """A person in a direct channel, or a reader of a project channel: where they stopped reading."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The id of the newest message this person has read (0: none). Only moves forward.
    last_read_message_id = models.BigIntegerField(default=0)
    muted = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="chat_member_once")]
        indexes = [models.Index(fields=["user", "workspace"], name="chat_member_user_ws")]

    def __str__(self) -> str:
        return f"user {self.user_id} in channel {self.channel_id}"


class Message(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()  # Markdown, at most MAX_BODY characters
    body_html = models.TextField(blank=True)  # sanitised (labora.collaboration.mentions.render)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["id"]
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["channel", "-id"], name="chat_message_history")]

    def __str__(self) -> str:
        return f"message {self.pk} in channel {self.channel_id}"
