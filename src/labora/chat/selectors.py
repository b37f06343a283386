"""Reads of chat: the channels a user may see (with unread counts), one channel, its history.

Every lookup of a user-supplied id goes through these, scoped to the workspace and to what the
user may see: a project channel follows its project's visibility (private projects!), a direct
channel is visible to its members only. Anything else is a NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower

from labora.accounts.models import User
from labora.chat.models import Channel, ChannelKind, ChannelMember, Message
from labora.chat.permissions import ChannelAccess
from labora.collaboration import mentions
from labora.core.errors import NotFound
from labora.work.models import Project, ProjectMember
from labora.work.permissions import effective_role
from labora.work.selectors import visible_projects
from labora.workspaces.models import Membership, Workspace

PAGE = 50  # messages per history page
MAX_PAGE = 200

_MEMBERS = Prefetch(
    "memberships", queryset=ChannelMember.objects.select_related("user").order_by("user__name", "user_id")
)


def _not_found(channel_id: str) -> NotFound:
    return NotFound(
        f"No channel '{str(channel_id)[:40]}' that you can see in this workspace. "
        "See GET /api/v1/workspaces/{ws}/chat/channels."
    )


def _unread_subquery(user: Any) -> Subquery:
    """Messages of the outer channel newer than the user's read position, not their own."""
    last_read = Coalesce(
        Subquery(
            ChannelMember.objects.filter(channel=OuterRef("channel_id"), user_id=user.pk).values(
                "last_read_message_id"
            )[:1]
        ),
        Value(0),
    )
    counted = (
        Message.objects.filter(channel=OuterRef("pk"))
        .exclude(author_id=user.pk)
        .filter(id__gt=last_read)
        .order_by()
        .values("channel")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return Subquery(counted, output_field=IntegerField())


def _annotated(qs: QuerySet[Channel], user: Any) -> QuerySet[Channel]:
    mine = ChannelMember.objects.filter(channel=OuterRef("pk"), user_id=user.pk)
    return qs.annotate(
        unread=Coalesce(_unread_subquery(user), Value(0)),
        my_last_read=Coalesce(Subquery(mine.values("last_read_message_id")[:1]), Value(0)),
        my_muted=Subquery(mine.values("muted")[:1]),
    )


def channel_list(*, user: Any, workspace: Workspace, membership: Membership | None) -> QuerySet[Channel]:
    """The channels `user` may see: project channels of visible projects and their direct
    conversations, newest activity first, each with `unread`, `my_last_read`, `my_muted` and
    (prefetched) its members. Three queries whatever the number of channels."""
    if membership is None or membership.user_id != getattr(user, "pk", None):
        return Channel.objects.none()
    projects = visible_projects(user=user, workspace=workspace, membership=membership)
    direct = ChannelMember.objects.filter(user_id=user.pk, workspace=workspace).values("channel_id")
    qs = Channel.objects.filter(workspace=workspace).filter(
        Q(kind=ChannelKind.PROJECT, project__in=projects.values("pk")) | Q(kind=ChannelKind.DIRECT, pk__in=direct)
    )
    return (
        _annotated(qs, user)
        .select_related("project")
        .prefetch_related(_MEMBERS)
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
    )


UNREAD_CAP = 100  # the sidebar shows "99+" beyond this: counting further costs and says nothing


def unread_total(*, user: Any, workspace: Workspace, membership: Membership | None, cap: int = UNREAD_CAP) -> int:
    """How many messages from others the user has not read, over the conversations they are in
    (the sidebar's Chat badge): their direct channels, muted or not, and the project channels
    they have a read position in (opened or written in), unless muted or their project is no
    longer visible to them. At most `cap`. One query."""
    if membership is None or membership.user_id != getattr(user, "pk", None):
        return 0
    projects = visible_projects(user=user, workspace=workspace, membership=membership).values("pk")
    # One filter() call: every condition on channel__memberships is about the same row (the user's).
    unread = Message.objects.filter(
        Q(channel__kind=ChannelKind.DIRECT)
        | Q(channel__kind=ChannelKind.PROJECT, channel__memberships__muted=False, channel__project_id__in=projects),
        workspace=workspace,
        channel__memberships__user_id=user.pk,
        id__gt=F("channel__memberships__last_read_message_id"),
    ).exclude(author_id=user.pk)
    return int(unread.order_by().values("pk")[: max(1, cap)].count())


def _access(user: Any, membership: Membership | None, channel: Channel) -> ChannelAccess:
    if membership is None:
        return ChannelAccess(membership=None, channel=channel)
    if channel.is_direct:
        is_member = ChannelMember.objects.filter(channel=channel, user_id=user.pk).exists()
        return ChannelAccess(membership=membership, channel=channel, is_member=is_member)
    project = (
        visible_projects(user=user, workspace=channel.workspace, membership=membership)
        .filter(pk=channel.project_id or 0)
        .only("id")
        .first()
    )
    role = getattr(project, "my_role", None) if project is not None else None
    return ChannelAccess(membership=membership, channel=channel, project_role=role)


def channel_get(
    *, user: Any, workspace: Workspace, membership: Membership | None, channel_id: str
) -> tuple[Channel, ChannelAccess]:
    """The channel `channel_id` (its public id) with the user's access; NotFound unless visible."""
    channel = (
        _annotated(Channel.objects.filter(workspace=workspace, public_id=str(channel_id)[:20]), user)
        .select_related("project", "workspace")
        .prefetch_related(_MEMBERS)
        .first()
    )
    if channel is None:
        raise _not_found(channel_id)
    access = _access(user, membership, channel)
    if not access.visible:
        raise _not_found(channel_id)
    return channel, access


def project_channel_find(*, workspace: Workspace, project: Project) -> Channel | None:
    return Channel.objects.filter(workspace=workspace, kind=ChannelKind.PROJECT, project=project).first()


def direct_channel_find(*, workspace: Workspace, key: str) -> Channel | None:
    return Channel.objects.filter(workspace=workspace, kind=ChannelKind.DIRECT, member_key=key).first()


def channel_title(channel: Channel, *, viewer: Any) -> str:
    """What the channel is called for `viewer`: "# OPS Operations", or the other members' names."""
    if not channel.is_direct:
        project = channel.project
        return f"{project.key} · {project.name}" if project else channel.name
    if channel.name:
        return channel.name
    others = [m.user.display_name for m in channel.memberships.all() if m.user_id != getattr(viewer, "pk", None)]
    return ", ".join(others) or "Just you"


@dataclass
class History:
    messages: list[Message]  # oldest first
    has_more: bool  # older messages exist before messages[0]

    @property
    def oldest_id(self) -> int | None:
        return self.messages[0].pk if self.messages else None


def message_history(*, user: Any, channel: Channel, before: int | None = None, limit: int = PAGE) -> History:
    """Up to `limit` live messages of `channel` older than message id `before` (the newest when
    None), oldest first, with authors and mentions. Three queries whatever the page size (plus one
    for the viewer's visible projects when a page links task references)."""
    limit = max(1, min(int(limit), MAX_PAGE))
    qs = Message.objects.filter(channel=channel)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(
        qs.select_related("author")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.order_by("id")))
        .order_by("-id")[: limit + 1]
    )
    has_more = len(rows) > limit
    messages = list(reversed(rows[:limit]))
    restrict_for_viewer(user=user, workspace=channel.workspace, messages=messages)
    return History(messages=messages, has_more=has_more)


def message_get(*, channel: Channel, message_id: int | str) -> Message:
    """A live message of `channel` (the caller has checked the channel is visible); NotFound otherwise."""
    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        pk = -1
    message = (
        Message.objects.filter(channel=channel, pk=pk)
        .select_related("author")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.order_by("id")))
        .first()
        if 0 < pk < 2**63
        else None
    )
    if message is None:
        raise NotFound(f"No message {str(message_id)[:20]} in this channel.")
    return message


def restrict_for_viewer(*, user: Any, workspace: Workspace, messages: list[Message]) -> None:
    """Set each message's `html`: its body_html with task links the viewer may not follow turned
    into text (a body is linked for its author, who may see more). One query when any link."""
    keys: set[str] = set()
    for message in messages:
        keys |= mentions.ref_keys(message.body_html)
    visible: set[str] = set()
    if keys:
        projects = {key.rsplit("-", 1)[0] for key in keys}
        seen = set(
            visible_projects(user=user, workspace=workspace).filter(key__in=projects).values_list("key", flat=True)
        )
        visible = {key for key in keys if key.rsplit("-", 1)[0] in seen}
    for message in messages:
        message.html = mentions.restrict_refs(message.body_html, visible_keys=visible)  # type: ignore[attr-defined]  # a per-viewer attribute


def who_sees_project(*, project: Project, user_ids: list[int]) -> list[int]:
    """Those of `user_ids` who may see `project` (to keep mentions to people who can read them).
    Two queries."""
    if not user_ids:
        return []
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(
            workspace_id=project.workspace_id, user_id__in=user_ids, user__is_active=True
        )
    }
    rows = dict(
        ProjectMember.objects.filter(project=project, user_id__in=list(memberships)).values_list("user_id", "role")
    )
    return sorted(
        pk
        for pk, membership in memberships.items()
        if effective_role(membership, is_private=project.is_private, member_role=rows.get(pk)) is not None
    )


def direct_candidates(*, workspace: Workspace, user: Any) -> QuerySet[Membership]:
    """The workspace's active members one may start a conversation with (everybody but oneself)."""
    return (
        Membership.objects.filter(workspace=workspace, user__is_active=True)
        .exclude(user_id=user.pk)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def members_by_reference(*, workspace: Workspace, refs: list[str]) -> tuple[list[Any], list[str]]:
    """The active members of `workspace` named by e-mail, public id or @handle in `refs`, and the
    references that matched nobody. One query."""
    cleaned = [str(r).strip().lstrip("@") for r in refs if str(r).strip()]
    lowered = [r.lower() for r in cleaned]
    found: list[Any] = []
    if cleaned:
        found = list(
            User.objects.filter(memberships__workspace=workspace, is_active=True)
            .annotate(email_l=Lower("email"), handle_l=Lower("handle"))
            .filter(Q(email_l__in=lowered) | Q(public_id__in=cleaned) | (Q(handle_l__in=lowered) & ~Q(handle="")))
        )
    index: dict[str, Any] = {}
    for u in found:
        index[u.email.lower()] = u
        index[u.public_id.lower()] = u
        if u.handle:
            index[u.handle.lower()] = u
    users: dict[int, Any] = {}
    unknown: list[str] = []
    for raw, low in zip(cleaned, lowered, strict=True):
        u = index.get(low)
        if u is None:
            unknown.append(raw)
        else:
            users[u.pk] = u
    return list(users.values()), unknown
