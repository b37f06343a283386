"""The inbox page, its HTMX actions, the lazy unread badge of the top bar."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from labora.core.policy import check
from labora.notifications import selectors, services
from labora.notifications.models import Kind, Notification
from labora.notifications.views._request import Request
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

PAGE_SIZE = 30
SHOW_LABELS = {"inbox": "Inbox", "unread": "Unread", "archived": "Archived", "all": "All"}
ACTIONS = {
    "read": services.notifications_mark_read,
    "unread": services.notifications_mark_unread,
    "archive": services.notifications_archive,
    "unarchive": services.notifications_unarchive,
}


def _scope(request: Request, ws: str) -> tuple[Workspace, Membership]:
    workspace, membership = workspace_for_user(user=request.user, slug=ws)
    check(request.user, "notification.manage", membership, message="You can only see your own notifications.")
    return workspace, membership


def _filters(request: Request) -> tuple[str, str]:
    show = request.GET.get("show", "inbox")
    kind = request.GET.get("kind", "")
    return (show if show in selectors.SHOWS else "inbox"), (kind if kind in Kind.values else "")


def _count_trigger(response: HttpResponse, count: int) -> HttpResponse:
    """Tell the page the new unread count (inbox.js updates the bell and the sidebar)."""
    response["HX-Trigger"] = json.dumps({"labora:inbox-count": {"unread": count}})
    return response


@login_required
@require_GET
def inbox(request: Request, ws: str) -> HttpResponse:
    workspace, membership = _scope(request, ws)
    show, kind = _filters(request)
    rows = selectors.inbox_list(
        user=request.user, workspace=workspace, show=show, kind=kind or None, with_targets=False
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("show", show if show != "inbox" else ""), ("kind", kind)) if v}
    context: dict[str, Any] = {
        "workspace": workspace,
        "membership": membership,
        "page": page,
        "show": show,
        "kind": kind,
        "kinds": Kind.choices,
        "shows": SHOW_LABELS,
        "filter_query": urlencode(query),
        "here": request.get_full_path(),
        "base": reverse("inbox", kwargs={"ws": workspace.slug}),
        "unread": selectors.unread_count(user=request.user, workspace=workspace),
    }
    template = "notifications/inbox.html#inbox-list" if getattr(request, "htmx", False) else "notifications/inbox.html"
    return render(request, template, context)


@login_required
@require_GET
def badge(request: Request, ws: str) -> HttpResponse:
    """The bell's unread count, loaded lazily so the shell pays no query on every page."""
    workspace, _ = _scope(request, ws)
    count = selectors.unread_count(user=request.user, workspace=workspace)
    return render(request, "notifications/_badge.html", {"unread": count, "workspace": workspace})


def _back(request: Request, ws: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("inbox", kwargs={"ws": ws})


@login_required
@require_POST
def action(request: Request, ws: str, notification_id: str) -> HttpResponse:
    """POST `verb` = read | unread | archive | unarchive (the button pressed)."""
    workspace, membership = _scope(request, ws)
    service = ACTIONS.get(request.POST.get("verb", ""))
    if service is None:
        return HttpResponse("Say what to do: verb=read, unread, archive or unarchive.", status=422)
    notification = selectors.notification_get(user=request.user, workspace=workspace, notification_id=notification_id)
    service(actor=request.user, membership=membership, ids=[notification.public_id])
    if not getattr(request, "htmx", False):
        return redirect(_back(request, ws))
    notification.refresh_from_db()
    show = request.POST.get("show", "inbox")
    gone = (show == "unread" and not notification.unread) or (
        (show == "archived") != (notification.archived_at is not None) and show != "all"
    )
    context = {
        "n": notification,
        "workspace": workspace,
        "show": show,
        "here": _back(request, ws),
        "base": reverse("inbox", kwargs={"ws": ws}),
    }
    response = HttpResponse("") if gone else render(request, "notifications/_item.html", context)
    return _count_trigger(response, selectors.unread_count(user=request.user, workspace=workspace))


@login_required
@require_POST
def read_all(request: Request, ws: str) -> HttpResponse:
    _, membership = _scope(request, ws)
    services.notifications_mark_read(actor=request.user, membership=membership, all=True)
    return redirect(_back(request, ws))


@login_required
@require_GET
def open_item(request: Request, ws: str, notification_id: str) -> HttpResponse:
    """Follow a notification to what it is about, marking it read on the way."""
    workspace, membership = _scope(request, ws)
    notification: Notification = selectors.notification_get(
        user=request.user, workspace=workspace, notification_id=notification_id
    )
    if notification.unread:
        services.notifications_mark_read(actor=request.user, membership=membership, ids=[notification.public_id])
    link = notification.link
    if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        link = reverse("inbox", kwargs={"ws": ws})
    return redirect(link)


urlpatterns = [
    path("w/<slug:ws>/inbox/", inbox, name="inbox"),
    path("w/<slug:ws>/inbox/badge/", badge, name="inbox_badge"),
    path("w/<slug:ws>/inbox/read-all/", read_all, name="inbox_read_all"),
    path("w/<slug:ws>/inbox/<str:notification_id>/open/", open_item, name="inbox_open"),
    path("w/<slug:ws>/inbox/<str:notification_id>/", action, name="inbox_action"),
]
