"""The chat API: channels (project channels and direct conversations), messages, read positions.

GET|POST /workspaces/{ws}/chat/channels, GET|POST .../chat/channels/{id}/messages?before=<id>,
PATCH|DELETE .../chat/channels/{id}/messages/{message}, POST .../chat/channels/{id}/read,
GET /workspaces/{ws}/projects/{key}/chat. Thin: parse, call a selector or a service, serialise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import Strict

from labora.chat import selectors, services
from labora.chat.models import MAX_BODY, MAX_DIRECT_MEMBERS, Channel, Message
from labora.core.api_utils import actor, current_serialiser, expected_version
from labora.core.errors import ValidationError
from labora.core.pagination import Page, paginate
from labora.core.policy import check
from labora.work.selectors import project_get
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["chat"])

MessageId = Annotated[int, Strict(), Field(ge=1, le=2**62)]
Body = Annotated[str, Field(min_length=1, max_length=MAX_BODY * 2)]  # the service says how long is too long


class PersonOut(Schema):
    id: str
    name: str
    email: str


class ChannelOut(Schema):
    id: str
    kind: Literal["project", "direct"]
    name: str
    project: str | None = Field(None, description="the project's key (project channels)")
    members: list[PersonOut] = Field(description="the people of a direct conversation (empty for project channels)")
    unread: int = Field(description="messages of others after your read position")
    last_read: int = Field(description="the id of the last message you read (0: none)")
    last_message_at: datetime | None
    muted: bool


class DirectIn(Schema):
    members: list[Annotated[str, Field(min_length=1, max_length=254)]] = Field(
        ...,
        min_length=1,
        max_length=MAX_DIRECT_MEMBERS,
        description="the other people: e-mails, @handles or user ids of members of the workspace (you are added)",
    )


class MessageOut(Schema):
    id: int
    channel: str
    author: PersonOut | None
    body: str = Field(description="Markdown")
    body_html: str = Field(description="sanitised HTML, mentions and task references marked up")
    mentions: list[str] = Field(description="e-mails of the people mentioned")
    created_at: datetime
    edited_at: datetime | None
    version: int


class MessageIn(Schema):
    body: Body


class MessagePatchIn(Schema):
    body: Body
    version: Annotated[int, Strict()] | None = None


class ReadIn(Schema):
    message: MessageId


class MuteIn(Schema):
    muted: Annotated[bool, Strict()]


class ReadOut(Schema):
    channel: str
    last_read: int
    unread: int


class MessagePage(Schema):
    items: list[MessageOut]
    count: int = Field(description="messages in the channel")
    next: str | None = Field(description="the page of older messages (?before=<oldest id here>), or null")


def _person(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {"id": user.public_id, "name": user.display_name, "email": user.email}


def _channel(channel: Channel, *, viewer: Any) -> dict[str, Any]:
    members = [] if not channel.is_direct else [_person(m.user) for m in channel.memberships.all()]
    return {
        "id": channel.public_id,
        "kind": channel.kind,
        "name": selectors.channel_title(channel, viewer=viewer),
        "project": channel.project.key if channel.project_id and channel.project else None,
        "members": members,
        "unread": int(getattr(channel, "unread", 0) or 0),
        "last_read": int(getattr(channel, "my_last_read", 0) or 0),
        "last_message_at": channel.last_message_at,
        "muted": bool(getattr(channel, "my_muted", False)),
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "channel": message.channel.public_id,
        "author": _person(message.author),
        "body": message.body,
        "body_html": getattr(message, "html", message.body_html),
        "mentions": [u.email for u in message.mentions.all()],
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "version": message.version,
    }


def _iso(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


current_serialiser(Message)(lambda m: _iso(_message(m)))


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace, Membership]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    return user, workspace, membership


def _channel_for(request: HttpRequest, ws: str, channel_id: str) -> tuple[Any, Workspace, Membership, Channel]:
    user, workspace, membership = _scope(request, ws)
    channel, _ = selectors.channel_get(user=user, workspace=workspace, membership=membership, channel_id=channel_id)
    return user, workspace, membership, channel


def _fresh_channel(user: Any, workspace: Workspace, membership: Membership, channel: Channel) -> dict[str, Any]:
    found, _ = selectors.channel_get(
        user=user, workspace=workspace, membership=membership, channel_id=channel.public_id
    )
    return _channel(found, viewer=user)


@router.get("/workspaces/{ws}/chat/channels", response=Page[ChannelOut], summary="My chat channels")
def channel_list(
    request: HttpRequest, ws: str, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    """Project channels of the projects you can see and your direct conversations, newest activity
    first, each with your unread count. A project's channel appears once somebody opened it."""
    user, workspace, membership = _scope(request, ws)
    result = paginate(
        request,
        selectors.channel_list(user=user, workspace=workspace, membership=membership),
        page=page,
        page_size=page_size,
    )
    result["items"] = [_channel(c, viewer=user) for c in result["items"]]
    return result


@router.post(
    "/workspaces/{ws}/chat/channels",
    response={200: ChannelOut, 201: ChannelOut},
    summary="Open a direct conversation",
)
def channel_open(request: HttpRequest, ws: str, payload: DirectIn) -> Status[dict[str, Any]]:
    """The conversation between you and `members` (2 to 8 people, you included): 201 with a new
    one, or 200 with the one that already exists for exactly these people."""
    user, workspace, membership = _scope(request, ws)
    people, unknown = selectors.members_by_reference(workspace=workspace, refs=payload.members)
    if unknown:
        raise ValidationError(
            f"Not members of this workspace: {', '.join(sorted(unknown))[:300]}. Name members by e-mail, "
            "@handle or id (GET /api/v1/workspaces/{ws}/members).",
            fields={"members": "not a member"},
        )
    channel, created = services.direct_channel_open(actor=user, workspace=workspace, members=people)
    return Status(201 if created else 200, _fresh_channel(user, workspace, membership, channel))


@router.get("/workspaces/{ws}/projects/{key}/chat", response=ChannelOut, summary="A project's channel")
def project_channel(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    """The channel of project `key` (created the first time anybody asks)."""
    user, workspace, membership = _scope(request, ws)
    project = project_get(user=user, workspace=workspace, key=key, membership=membership)
    channel = services.channel_for_project(actor=user, project=project)
    return _fresh_channel(user, workspace, membership, channel)


@router.get(
    "/workspaces/{ws}/chat/channels/{channel_id}/messages", response=MessagePage, summary="Messages, newest page first"
)
def message_list(
    request: HttpRequest,
    ws: str,
    channel_id: str,
    before: int | None = Query(None, ge=1, le=2**62, description="only messages older than this id (the cursor)"),
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    """The newest `limit` messages older than `before`, oldest first; `next` pages further back."""
    user, _, _, channel = _channel_for(request, ws, channel_id)
    history = selectors.message_history(user=user, channel=channel, before=before, limit=limit)
    next_url = None
    if history.has_more and history.oldest_id is not None:
        params = request.GET.copy()
        params["before"] = str(history.oldest_id)
        params["limit"] = str(limit)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    for message in history.messages:
        message.channel = channel
    return {
        "items": [_message(m) for m in history.messages],
        "count": Message.objects.filter(channel=channel).count(),
        "next": next_url,
    }


def _after_write(user: Any, channel: Channel, message: Message) -> dict[str, Any]:
    fresh = selectors.message_get(channel=channel, message_id=message.pk)
    fresh.channel = channel
    selectors.restrict_for_viewer(user=user, workspace=channel.workspace, messages=[fresh])
    return _message(fresh)


@router.post(
    "/workspaces/{ws}/chat/channels/{channel_id}/messages", response={201: MessageOut}, summary="Post a message"
)
def message_post(request: HttpRequest, ws: str, channel_id: str, payload: MessageIn) -> Status[dict[str, Any]]:
    """Markdown, at most 10,000 characters; `@handle`, `@e-mail` and `@team` mention people who can
    read the channel, task keys (OPS-12) link the task."""
    user, _, _, channel = _channel_for(request, ws, channel_id)
    message = services.message_post(actor=user, channel=channel, body=payload.body)
    return Status(201, _after_write(user, channel, message))


@router.patch(
    "/workspaces/{ws}/chat/channels/{channel_id}/messages/{message_id}",
    response=MessageOut,
    summary="Edit a message (its author)",
)
def message_edit(
    request: HttpRequest, ws: str, channel_id: str, message_id: int, payload: MessagePatchIn
) -> dict[str, Any]:
    user, _, _, channel = _channel_for(request, ws, channel_id)
    message = selectors.message_get(channel=channel, message_id=message_id)
    message.channel = channel
    edited = services.message_edit(
        actor=user, message=message, body=payload.body, version=expected_version(request, payload.version)
    )
    return _after_write(user, channel, edited)


@router.delete(
    "/workspaces/{ws}/chat/channels/{channel_id}/messages/{message_id}",
    response={204: None},
    summary="Delete a message (its author or a project manager)",
)
def message_delete(request: HttpRequest, ws: str, channel_id: str, message_id: int) -> Status[None]:
    user, _, _, channel = _channel_for(request, ws, channel_id)
    message = selectors.message_get(channel=channel, message_id=message_id)
    message.channel = channel
    services.message_delete(actor=user, message=message, version=expected_version(request, None))
    return Status(204, None)


@router.post("/workspaces/{ws}/chat/channels/{channel_id}/read", response=ReadOut, summary="Mark read up to a message")
def channel_read(request: HttpRequest, ws: str, channel_id: str, payload: ReadIn) -> dict[str, Any]:
    """Moves your read position forward to `message` (never back)."""
    user, workspace, membership, channel = _channel_for(request, ws, channel_id)
    row = services.channel_mark_read(actor=user, channel=channel, message_id=payload.message)
    fresh = _fresh_channel(user, workspace, membership, channel)
    return {"channel": channel.public_id, "last_read": row.last_read_message_id, "unread": fresh["unread"]}


@router.put("/workspaces/{ws}/chat/channels/{channel_id}/mute", response=ChannelOut, summary="Mute or unmute a channel")
def channel_mute(request: HttpRequest, ws: str, channel_id: str, payload: MuteIn) -> dict[str, Any]:
    """`{"muted": true}`: no notifications from this channel for you (its unread count remains)."""
    user, workspace, membership, channel = _channel_for(request, ws, channel_id)
    services.channel_mute(actor=user, channel=channel, muted=payload.muted)
    return _fresh_channel(user, workspace, membership, channel)
