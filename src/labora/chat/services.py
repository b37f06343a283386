"""Every write of chat: channels, messages, read positions.

Each service authorises (chat/permissions.py), validates, writes in one transaction and records
its domain event there. Events of a direct channel carry `"audience": [member ids]`, so the live
websocket delivers them to the members only and the activity feeds leave them out
(docs/api.md, "Live updates"). The shape of `chat.message_posted` is what notifications build on:

    {"project": KEY (project channels), "channel": public id, "kind": "project"|"direct",
     "message": id, "mentions": [user ids], "members": [user ids] (direct), "excerpt": str,
     "audience": [member ids] (direct)}
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from labora.accounts.models import User
from labora.chat import selectors
from labora.chat.models import (
    MAX_BODY,
    MAX_DIRECT_MEMBERS,
    MIN_DIRECT_MEMBERS,
    Channel,
    ChannelKind,
    ChannelMember,
    Message,
    member_key,
)
from labora.chat.permissions import ChannelAccess, MessageAccess
from labora.collaboration import mentions
from labora.core import events
from labora.core.errors import NotFound, ValidationError
from labora.core.policy import check
from labora.core.versioning import check_version
from labora.work.models import Project
from labora.work.services._common import membership_of, project_access
from labora.workspaces.models import Workspace

EXCERPT = 140


def excerpt(body: str, limit: int = EXCERPT) -> str:
    """A one-line plain-text preview of a Markdown body (for notifications and lists)."""
    text = re.sub(r"```.*?```", " [code] ", body, flags=re.DOTALL)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`>#~]+", "", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clean_body(body: Any) -> str:
    text = str(body or "").strip()
    if not text:
        raise ValidationError("A message cannot be empty: write something.", fields={"body": "required"})
    if len(text) > MAX_BODY:
        raise ValidationError(
            f"A message is at most {MAX_BODY:,} characters (this one has {len(text):,}). "
            "Split it in several messages, or attach a document instead.",
            fields={"body": "too long"},
        )
    return text


def _channel_data(channel: Channel, member_ids: list[int] | None = None) -> dict[str, Any]:
    """The part of every chat event's data that says where it happened, and to whom it goes."""
    data: dict[str, Any] = {"channel": channel.public_id, "kind": channel.kind}
    if channel.is_direct:
        ids = member_ids if member_ids is not None else _member_ids(channel)
        data["members"] = ids
        data["audience"] = ids
    else:
        assert channel.project is not None
        data["project"] = channel.project.key
    return data


def _member_ids(channel: Channel) -> list[int]:
    return sorted(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))


def channel_access(actor: Any, channel: Channel) -> ChannelAccess:
    """The actor's access to `channel` (for services called with an already-resolved channel)."""
    membership = membership_of(actor, channel.workspace)
    if channel.is_direct:
        is_member = membership is not None and ChannelMember.objects.filter(channel=channel, user_id=actor.pk).exists()
        return ChannelAccess(membership=membership, channel=channel, is_member=is_member)
    assert channel.project is not None
    return ChannelAccess(
        membership=membership, channel=channel, project_role=project_access(actor, channel.project).role
    )


def _visible_or_404(actor: Any, channel: Channel) -> ChannelAccess:
    access = channel_access(actor, channel)
    if not access.visible:
        raise NotFound("No such channel in this workspace.")
    return access


# --- channels -----------------------------------------------------------------------------------


def channel_for_project(*, actor: User, project: Project) -> Channel:
    """The project's channel, created on first use. Raises NotFound (a project the actor cannot see)."""
    access = project_access(actor, project)
    if access.role is None:
        raise NotFound(f"No project '{project.key}' in this workspace.")
    existing = selectors.project_channel_find(workspace=project.workspace, project=project)
    if existing is not None:
        return existing
    with transaction.atomic():
        try:
            with transaction.atomic():
                channel = Channel.objects.create(
                    workspace=project.workspace, kind=ChannelKind.PROJECT, project=project, name=project.name[:120]
                )
        except IntegrityError:  # created meanwhile by someone else: theirs is the one
            found = selectors.project_channel_find(workspace=project.workspace, project=project)
            if found is None:
                raise
            return found
        events.record(
            name="chat.channel_created",
            actor=actor,
            workspace=project.workspace,
            target=channel,
            target_label=f"{project.key} chat",
            data=_channel_data(channel),
        )
    return channel


def direct_channel_open(*, actor: User, workspace: Workspace, members: list[User]) -> tuple[Channel, bool]:
    """The direct conversation between the actor and `members` (2..8 people, the actor
    included): the existing one for that exact set, or a new one. Returns (channel, created).
    Raises PermissionDenied (guests, clients), ValidationError (too few/many, not members)."""
    membership = membership_of(actor, workspace)
    check(
        actor,
        "chat.direct_open",
        membership,
        message="Guests and clients cannot start conversations; reply in the ones you were added to.",
    )
    people = {u.pk: u for u in members}
    people[actor.pk] = actor
    if len(people) < MIN_DIRECT_MEMBERS:
        raise ValidationError(
            "Name at least one other member of the workspace to talk to.", fields={"members": "nobody else"}
        )
    if len(people) > MAX_DIRECT_MEMBERS:
        raise ValidationError(
            f"A conversation has at most {MAX_DIRECT_MEMBERS} people (you included); you named {len(people)}. "
            "Use a project channel for a larger group.",
            fields={"members": "too many"},
        )
    active = set(
        User.objects.filter(pk__in=list(people), is_active=True, memberships__workspace=workspace).values_list(
            "pk", flat=True
        )
    )
    missing = [people[pk].email for pk in people if pk not in active]
    if missing:
        raise ValidationError(
            f"Not members of this workspace: {', '.join(sorted(missing))}. See GET /api/v1/workspaces/{{ws}}/members.",
            fields={"members": "not a member"},
        )
    key = member_key(list(people))
    existing = selectors.direct_channel_find(workspace=workspace, key=key)
    if existing is not None:
        return existing, False
    ids = sorted(people)
    with transaction.atomic():
        try:
            with transaction.atomic():
                channel = Channel.objects.create(workspace=workspace, kind=ChannelKind.DIRECT, member_key=key)
        except IntegrityError:  # the same conversation opened meanwhile
            found = selectors.direct_channel_find(workspace=workspace, key=key)
            if found is None:
                raise
            return found, False
        ChannelMember.objects.bulk_create(
            [ChannelMember(workspace=workspace, channel=channel, user_id=pk) for pk in ids]
        )
        events.record(
            name="chat.channel_created",
            actor=actor,
            workspace=workspace,
            target=channel,
            target_label="Direct conversation",
            data=_channel_data(channel, ids),
        )
    return channel, True


# --- messages -----------------------------------------------------------------------------------


def _render(*, actor: User, channel: Channel, body: str, member_ids: list[int] | None) -> tuple[str, list[int]]:
    """The sanitised HTML of `body` and who it mentions among those who can read the channel."""
    workspace = channel.workspace
    resolved = mentions.resolve(workspace=workspace, author=actor, parsed=mentions.parse(body))
    wanted = resolved.user_ids
    if channel.is_direct:
        allowed = set(member_ids or [])
        mentioned = [pk for pk in wanted if pk in allowed]
    else:
        assert channel.project is not None
        mentioned = selectors.who_sees_project(project=channel.project, user_ids=wanted)
    return mentions.render(body, resolved=resolved, workspace_slug=workspace.slug), mentioned


def message_post(*, actor: User, channel: Channel, body: str) -> Message:
    """Post a message. Raises NotFound (channel not visible), PermissionDenied, ValidationError (body)."""
    access = _visible_or_404(actor, channel)
    check(actor, "chat.post", access, message="You cannot write in this channel.")
    text = _clean_body(body)
    member_ids = _member_ids(channel) if channel.is_direct else None
    html, mentioned = _render(actor=actor, channel=channel, body=text, member_ids=member_ids)
    with transaction.atomic():
        message = Message.objects.create(
            workspace=channel.workspace, channel=channel, author=actor, body=text, body_html=html
        )
        if mentioned:
            message.mentions.set(mentioned)
        Channel.objects.filter(pk=channel.pk).update(
            last_message_at=message.created_at, last_message_id=message.pk, version=F("version") + 1
        )
        # The author has read what they wrote: their own message never counts as unread.
        ChannelMember.objects.get_or_create(
            channel=channel, user=actor, defaults={"workspace": channel.workspace, "last_read_message_id": message.pk}
        )
        ChannelMember.objects.filter(channel=channel, user=actor, last_read_message_id__lt=message.pk).update(
            last_read_message_id=message.pk
        )
        events.record(
            name="chat.message_posted",
            actor=actor,
            workspace=channel.workspace,
            target=message,
            target_label=selectors.channel_title(channel, viewer=None) if not channel.is_direct else "Direct message",
            data={
                **_channel_data(channel, member_ids),
                "message": message.pk,
                "mentions": mentioned,
                "excerpt": excerpt(text),
            },
        )
    channel.last_message_at, channel.last_message_id = message.created_at, message.pk
    return message


def _message_access(actor: User, message: Message) -> MessageAccess:
    channel = message.channel
    return MessageAccess(channel=_visible_or_404(actor, channel), message=message)


def message_edit(*, actor: User, message: Message, body: str, version: int | None = None) -> Message:
    """Change a message's text (its author only). Raises NotFound, PermissionDenied,
    ValidationError (body), Conflict (stale version)."""
    access = _message_access(actor, message)
    check(actor, "chat.message_edit", access, message="Only the author of a message can edit it.")
    text = _clean_body(body)
    channel = message.channel
    member_ids = _member_ids(channel) if channel.is_direct else None
    html, mentioned = _render(actor=actor, channel=channel, body=text, member_ids=member_ids)
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None:
            raise NotFound("This message was deleted.")
        check_version(locked, version, "message")
        if locked.body == text:
            return locked
        before = locked.body
        locked.body, locked.body_html = text, html
        locked.edited_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["body", "body_html", "edited_at", "version"])
        locked.mentions.set(mentioned)
        events.record(
            name="chat.message_edited",
            actor=actor,
            workspace=channel.workspace,
            target=locked,
            target_label="Chat message",
            data={
                **_channel_data(channel, member_ids),
                "message": locked.pk,
                "mentions": mentioned,
                "excerpt": excerpt(text),
            },
            changes={"body": [before, text]},
        )
    locked.channel = channel
    return locked


def message_delete(*, actor: User, message: Message, version: int | None = None) -> None:
    """Delete a message (its author, or a manager of the project in a project channel). Raises
    NotFound, PermissionDenied, Conflict (stale version)."""
    access = _message_access(actor, message)
    check(
        actor,
        "chat.message_delete",
        access,
        message="Only the author of a message, or a manager of the project, can delete it.",
    )
    channel = message.channel
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None:
            raise NotFound("This message was already deleted.")
        check_version(locked, version, "message")
        locked.deleted_at, locked.deleted_by = timezone.now(), actor
        locked.version += 1
        locked.save(update_fields=["deleted_at", "deleted_by", "version"])
        events.record(
            name="chat.message_deleted",
            actor=actor,
            workspace=channel.workspace,
            target=locked,
            target_label="Chat message",
            data={**_channel_data(channel), "message": locked.pk, "author": locked.author_id},
        )


def channel_mark_read(*, actor: User, channel: Channel, message_id: int) -> ChannelMember:
    """Move the actor's read position in `channel` forward to `message_id` (never back). Raises
    NotFound (channel not visible), ValidationError (not a message of this channel)."""
    access = _visible_or_404(actor, channel)
    check(actor, "chat.read", access, message="You cannot read this channel.")
    if not Message.all_objects.filter(channel=channel, pk=message_id).exists():
        raise ValidationError(
            f"Message {message_id} is not in this channel: send the id of a message you have read.",
            fields={"message": "not in this channel"},
        )
    with transaction.atomic():
        row, _ = ChannelMember.objects.select_for_update().get_or_create(
            channel=channel, user=actor, defaults={"workspace": channel.workspace}
        )
        if message_id <= row.last_read_message_id:
            return row
        before = row.last_read_message_id
        row.last_read_message_id = message_id
        row.save(update_fields=["last_read_message_id"])
        # Addressed to the reader only: their other tabs clear the unread mark; nobody else learns it.
        events.record(
            name="chat.channel_read",
            actor=actor,
            workspace=channel.workspace,
            target_label="Chat read position",
            data={"channel": channel.public_id, "kind": channel.kind, "message": message_id, "audience": [actor.pk]},
            changes={"last_read": [before, message_id]},
        )
    return row


def channel_mute(*, actor: User, channel: Channel, muted: bool) -> ChannelMember:
    """Mute or unmute a channel for the actor (notifications leave muted channels alone; the
    unread count still shows). Raises NotFound (channel not visible)."""
    access = _visible_or_404(actor, channel)
    check(actor, "chat.read", access, message="You cannot read this channel.")
    with transaction.atomic():
        row, _ = ChannelMember.objects.select_for_update().get_or_create(
            channel=channel, user=actor, defaults={"workspace": channel.workspace}
        )
        if row.muted == muted:
            return row
        row.muted = muted
        row.save(update_fields=["muted"])
        events.record(
            name="chat.channel_muted" if muted else "chat.channel_unmuted",
            actor=actor,
            workspace=channel.workspace,
            target_label="Chat channel",
            data={"channel": channel.public_id, "kind": channel.kind, "audience": [actor.pk]},
            changes={"muted": [not muted, muted]},
        )
    return row
