"""Chat pages: the channel list and a conversation (/w/<ws>/chat/...), a project's Chat tab, and
the HTMX fragments behind them (older history, one message, the composer, the list refresh).

Thin: resolve through labora.chat.selectors (404 for what the user cannot see), call one
service, render. frontend/js/chat.js adds Enter-to-send, live delivery and infinite scroll.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from labora.chat import selectors, services
from labora.chat.models import MAX_BODY, MAX_DIRECT_MEMBERS, Channel, Message
from labora.chat.permissions import ChannelAccess
from labora.core.errors import LaboraError, NotFound
from labora.core.policy import can
from labora.work.models import ProjectRole
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

GROUP_WITHIN = timedelta(minutes=5)  # consecutive messages of one author share a header


def _channel_or_404(
    request: Request, workspace: Workspace, membership: Membership, channel_id: str
) -> tuple[Channel, ChannelAccess]:
    try:
        return selectors.channel_get(
            user=request.user, workspace=workspace, membership=membership, channel_id=channel_id
        )
    except NotFound as exc:
        raise Http404(exc.message) from None


def _message_or_404(channel: Channel, message_id: int) -> Message:
    try:
        message = selectors.message_get(channel=channel, message_id=message_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    message.channel = channel
    return message


def _mark_groups(messages: list[Message], previous: Message | None = None) -> None:
    """Set `show_head` on each message: False when it follows one of the same author shortly."""
    for message in messages:
        message.show_head = not (  # type: ignore[attr-defined]  # a display attribute
            previous is not None
            and previous.author_id == message.author_id
            and message.created_at - previous.created_at < GROUP_WITHIN
            and previous.created_at.date() == message.created_at.date()
        )
        previous = message


def _channel_rows(request: Request, workspace: Workspace, membership: Membership) -> list[Channel]:
    rows = list(selectors.channel_list(user=request.user, workspace=workspace, membership=membership))
    for row in rows:
        row.title = selectors.channel_title(row, viewer=request.user)  # type: ignore[attr-defined]
        row.others = [m.user for m in row.memberships.all() if m.user_id != request.user.pk]  # type: ignore[attr-defined]
    return rows


def _list_context(
    request: Request, workspace: Workspace, membership: Membership, current: str | None
) -> dict[str, Any]:
    from labora.work.selectors import project_list

    rows = _channel_rows(request, workspace, membership)
    with_channel = {row.project_id for row in rows if not row.is_direct}
    projects = [
        p
        for p in project_list(user=request.user, workspace=workspace, membership=membership, include_archived=False)
        if p.pk not in with_channel
    ]
    return {
        "project_channels": [r for r in rows if not r.is_direct],
        "direct_channels": [r for r in rows if r.is_direct],
        "other_projects": projects,
        "current": current,
        "can_start": can(request.user, "chat.direct_open", membership),
    }


def _conversation_context(request: Request, channel: Channel, access: ChannelAccess) -> dict[str, Any]:
    history = selectors.message_history(user=request.user, channel=channel)
    _mark_groups(history.messages)
    last_read = int(getattr(channel, "my_last_read", 0) or 0)
    marker = next(
        (m.pk for m in history.messages if m.pk > last_read and m.author_id != request.user.pk),
        None,
    )
    return {
        "channel": channel,
        "title": selectors.channel_title(channel, viewer=request.user),
        "others": [m.user for m in channel.memberships.all() if m.user_id != request.user.pk],
        "history": history,
        "marker_id": marker if last_read else None,
        "can_moderate": not channel.is_direct and access.project_role == ProjectRole.MANAGER,
        "max_body": MAX_BODY,
    }


@workspace_page
def chat_home(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    context = {"workspace": workspace, "membership": membership, **_list_context(request, workspace, membership, None)}
    return render(request, "chat/chat.html", context)


@workspace_page
def chat_list(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    """The channel list alone (chat.js refreshes it when messages arrive)."""
    current = request.GET.get("current") or None
    context = {"workspace": workspace, **_list_context(request, workspace, membership, current)}
    return render(request, "chat/_channel_list.html", context)


@workspace_page
def chat_channel(request: Request, workspace: Workspace, membership: Membership, channel_id: str) -> HttpResponse:
    channel, access = _channel_or_404(request, workspace, membership, channel_id)
    context = {
        "workspace": workspace,
        "membership": membership,
        **_list_context(request, workspace, membership, channel.public_id),
        **_conversation_context(request, channel, access),
    }
    return render(request, "chat/chat.html", context)


@workspace_page
def chat_project(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    """Open a project's channel from the chat list (created on first use), then show it there."""
    project = project_for(workspace, key, user=request.user, membership=membership)
    channel = services.channel_for_project(actor=request.user, project=project)
    return redirect("chat_channel", ws=workspace.slug, channel_id=channel.public_id)


@workspace_page
def project_chat(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    """The project page's Chat tab."""
    project = project_for(workspace, key, user=request.user, membership=membership)
    created = services.channel_for_project(actor=request.user, project=project)
    channel, access = _channel_or_404(request, workspace, membership, created.public_id)
    context = {
        "workspace": workspace,
        "membership": membership,
        "project": project,
        "in_project": True,
        **_conversation_context(request, channel, access),
    }
    return render(request, "chat/project_chat.html", context)


@workspace_page
def chat_history(request: Request, workspace: Workspace, membership: Membership, channel_id: str) -> HttpResponse:
    """Older messages (infinite scroll upwards): the page before ?before=<id>, and the next sentinel."""
    channel, _ = _channel_or_404(request, workspace, membership, channel_id)
    try:
        before = int(request.GET.get("before", ""))
    except ValueError:
        raise Http404("Say which message to load history before: ?before=<message id>.") from None
    history = selectors.message_history(user=request.user, channel=channel, before=max(1, before))
    _mark_groups(history.messages)
    context = {"workspace": workspace, "channel": channel, "history": history, "marker_id": None}
    return render(request, "chat/_history.html", context)


@workspace_page
def chat_message(
    request: Request, workspace: Workspace, membership: Membership, channel_id: str, message_id: int
) -> HttpResponse:
    """One message (live delivery fetches it); POST saves an edit of it."""
    channel, access = _channel_or_404(request, workspace, membership, channel_id)
    message = _message_or_404(channel, message_id)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", "")) if request.POST.get("version") else None
        except ValueError:
            version = None
        message = services.message_edit(
            actor=request.user, message=message, body=request.POST.get("body", ""), version=version
        )
        message = _message_or_404(channel, message.pk)
    selectors.restrict_for_viewer(user=request.user, workspace=workspace, messages=[message])
    message.show_head = True  # type: ignore[attr-defined]
    context = {
        "workspace": workspace,
        "channel": channel,
        "message": message,
        "can_moderate": not channel.is_direct and access.project_role == ProjectRole.MANAGER,
    }
    return render(request, "chat/_message.html", context)


@workspace_page
def chat_message_edit(
    request: Request, workspace: Workspace, membership: Membership, channel_id: str, message_id: int
) -> HttpResponse:
    """The inline edit form of one of one's own messages."""
    channel, _ = _channel_or_404(request, workspace, membership, channel_id)
    message = _message_or_404(channel, message_id)
    if message.author_id != request.user.pk:
        raise Http404("Only the author of a message can edit it.")
    return render(
        request,
        "chat/_message_edit.html",
        {"workspace": workspace, "channel": channel, "message": message, "max_body": MAX_BODY},
    )


@require_POST
@workspace_page
def chat_message_delete(
    request: Request, workspace: Workspace, membership: Membership, channel_id: str, message_id: int
) -> HttpResponse:
    channel, _ = _channel_or_404(request, workspace, membership, channel_id)
    message = _message_or_404(channel, message_id)
    services.message_delete(actor=request.user, message=message)
    if request.htmx:
        return HttpResponse("")  # the message's <li> is swapped for nothing
    return redirect("chat_channel", ws=workspace.slug, channel_id=channel.public_id)


@require_POST
@workspace_page
def chat_post(request: Request, workspace: Workspace, membership: Membership, channel_id: str) -> HttpResponse:
    """The composer: post, answer the new message's <li> (HTMX) or go back to the channel."""
    channel, access = _channel_or_404(request, workspace, membership, channel_id)
    try:
        message = services.message_post(actor=request.user, channel=channel, body=request.POST.get("body", ""))
    except LaboraError as exc:
        if request.htmx:
            raise  # a toast says what is wrong; the composer keeps the text
        flash.error(request, exc.message)
        return redirect("chat_channel", ws=workspace.slug, channel_id=channel.public_id)
    if not request.htmx:
        return redirect("chat_channel", ws=workspace.slug, channel_id=channel.public_id)
    message = _message_or_404(channel, message.pk)
    selectors.restrict_for_viewer(user=request.user, workspace=workspace, messages=[message])
    message.show_head = True  # type: ignore[attr-defined]
    context = {
        "workspace": workspace,
        "channel": channel,
        "message": message,
        "can_moderate": not channel.is_direct and access.project_role == ProjectRole.MANAGER,
    }
    response = render(request, "chat/_message.html", context)
    response["X-Chat-Message"] = str(message.pk)
    return response


@require_POST
@workspace_page
def chat_read(request: Request, workspace: Workspace, membership: Membership, channel_id: str) -> HttpResponse:
    """Move the read position (chat.js posts the newest message on screen)."""
    channel, _ = _channel_or_404(request, workspace, membership, channel_id)
    try:
        message_id = int(request.POST.get("message", ""))
    except ValueError:
        return HttpResponse("Send message=<id>.", status=422)
    services.channel_mark_read(actor=request.user, channel=channel, message_id=message_id)
    return HttpResponse(status=204)


@require_POST
@workspace_page
def chat_mute(request: Request, workspace: Workspace, membership: Membership, channel_id: str) -> HttpResponse:
    """Mute or unmute the channel for oneself, then back to it."""
    channel, _ = _channel_or_404(request, workspace, membership, channel_id)
    muted = request.POST.get("muted") == "1"
    services.channel_mute(actor=request.user, channel=channel, muted=muted)
    flash.success(request, "Channel muted: no notifications from it." if muted else "Channel unmuted.")
    back = request.POST.get("next", "")
    if back.startswith(f"/w/{workspace.slug}/") and "//" not in back:
        return redirect(back)
    return redirect("chat_channel", ws=workspace.slug, channel_id=channel.public_id)


@workspace_page
def chat_new(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    """Start a direct conversation with one or more members."""
    error = ""
    chosen: list[str] = request.POST.getlist("members") if request.method == "POST" else []
    if request.method == "POST":
        people, unknown = selectors.members_by_reference(workspace=workspace, refs=chosen)
        try:
            if unknown:
                error = f"Not members of this workspace: {', '.join(unknown)[:200]}."
            else:
                channel, _ = services.direct_channel_open(actor=request.user, workspace=workspace, members=people)
                return redirect("chat_channel", ws=workspace.slug, channel_id=channel.public_id)
        except LaboraError as exc:
            if exc.status == 403:
                raise
            error = exc.message
    context = {
        "workspace": workspace,
        "membership": membership,
        "candidates": list(selectors.direct_candidates(workspace=workspace, user=request.user)),
        "chosen": set(chosen),
        "error": error,
        "max_others": MAX_DIRECT_MEMBERS - 1,
        **_list_context(request, workspace, membership, "new"),
    }
    return render(request, "chat/new.html", context, status=422 if error else 200)


urlpatterns = [
    path("w/<slug:ws>/chat/", chat_home, name="chat_home"),
    path("w/<slug:ws>/chat/list/", chat_list, name="chat_list"),
    path("w/<slug:ws>/chat/new/", chat_new, name="chat_new"),
    path("w/<slug:ws>/chat/project/<str:key>/", chat_project, name="chat_project"),
    path("w/<slug:ws>/chat/<str:channel_id>/", chat_channel, name="chat_channel"),
    path("w/<slug:ws>/chat/<str:channel_id>/history/", chat_history, name="chat_history"),
    path("w/<slug:ws>/chat/<str:channel_id>/post/", chat_post, name="chat_post"),
    path("w/<slug:ws>/chat/<str:channel_id>/read/", chat_read, name="chat_read"),
    path("w/<slug:ws>/chat/<str:channel_id>/mute/", chat_mute, name="chat_mute"),
    path("w/<slug:ws>/chat/<str:channel_id>/m/<int:message_id>/", chat_message, name="chat_message"),
    path("w/<slug:ws>/chat/<str:channel_id>/m/<int:message_id>/edit/", chat_message_edit, name="chat_message_edit"),
    path(
        "w/<slug:ws>/chat/<str:channel_id>/m/<int:message_id>/delete/", chat_message_delete, name="chat_message_delete"
    ),
    path("w/<slug:ws>/projects/<str:key>/chat/", project_chat, name="project_chat"),
]
