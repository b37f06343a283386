"""Who may do what in chat.

Visibility first (the selectors answer 404): a project channel is visible to whoever may see its
project, a direct channel only to its members. Then these rules, over a `ChannelAccess`:

- reading and posting: anybody who sees the channel (project viewers included: chat is how a
  viewer asks a question);
- editing a message: its author only;
- deleting a message: its author, or, in a project channel, the project's managers (and so the
  workspace's owners and admins) to moderate;
- opening a direct conversation: members, admins and owners; guests and clients may take part in
  one they were added to, not start one (they do not see the workspace's member list).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labora.core.policy import rule
from labora.work.models import ProjectRole
from labora.work.permissions import MEMBER
from labora.workspaces.models import Membership


@dataclass(frozen=True)
class ChannelAccess:
    """The acting user's standing in one channel."""

    membership: Membership | None
    channel: Any
    project_role: str | None = None  # project channels: the effective project role
    is_member: bool = False  # direct channels: a ChannelMember row exists

    @property
    def visible(self) -> bool:
        if self.membership is None:
            return False
        return self.is_member if self.channel.is_direct else self.project_role is not None


@dataclass(frozen=True)
class MessageAccess:
    channel: ChannelAccess
    message: Any


@rule("chat.read")
def _read(user: Any, access: Any) -> bool:
    return (
        isinstance(access, ChannelAccess)
        and access.visible
        and access.membership is not None
        and access.membership.user_id == user.pk
    )


@rule("chat.post")
def _post(user: Any, access: Any) -> bool:
    return _read(user, access)


@rule("chat.message_edit")
def _edit(user: Any, target: Any) -> bool:
    return isinstance(target, MessageAccess) and _read(user, target.channel) and target.message.author_id == user.pk


@rule("chat.message_delete")
def _delete(user: Any, target: Any) -> bool:
    if not isinstance(target, MessageAccess) or not _read(user, target.channel):
        return False
    if target.message.author_id == user.pk:
        return True
    return not target.channel.channel.is_direct and target.channel.project_role == ProjectRole.MANAGER


@rule("chat.direct_open")
def _direct_open(user: Any, membership: Any) -> bool:
    return membership is not None and membership.user_id == user.pk and membership.rank >= MEMBER
