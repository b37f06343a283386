"""The sidebar's Chat badge: how many messages the user has not read (chat.selectors.unread_total).

Loaded lazily by the shell (chat/_nav_item.html: the page itself pays no query for it), and
fetched again by frontend/js/chat.js when a chat event arrives live or a channel is read.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from labora.chat import selectors
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page


@workspace_page
def chat_unread(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    """The badge alone (an HTMX/fetch fragment); one query besides the workspace lookup."""
    unread = selectors.unread_total(user=request.user, workspace=workspace, membership=membership)
    response = render(request, "chat/_nav_badge.html", {"workspace": workspace, "unread": unread})
    response["Cache-Control"] = "no-store"
    return response


# Before pages.py's "chat/<channel_id>/" (modules are read in name order, chat/urls.py).
urlpatterns = [
    path("w/<slug:ws>/chat/unread/", chat_unread, name="chat_unread"),
]
