"""The shell's own pages: the start redirect, the workspace overview, the activity log,
and the style guide (DEBUG only)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from labora.collaboration.feeds import feed_entries
from labora.core.policy import can
from labora.web import activity_text
from labora.web.context_processors import LAST_WORKSPACE
from labora.workspaces.selectors import members_list, memberships_for_user, teams_list, workspace_for_user

HOME_ACTIVITY = 15
HOME_MEMBERS = 8
ACTIVITY_PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """ "/": sign in first; then the workspace visited last, else the first one, else create one."""
    if not request.user.is_authenticated:
        return redirect("login")
    slugs = [m.workspace.slug for m in memberships_for_user(user=request.user)]
    if not slugs:
        return redirect("workspace_create")
    last = request.session.get(LAST_WORKSPACE)
    return redirect("workspace_home", ws=last if last in slugs else slugs[0])


@login_required
def workspace_home(request: HttpRequest, ws: str) -> HttpResponse:
    workspace, membership = workspace_for_user(user=request.user, slug=ws)
    user = request.user
    # None = not shown to this role (guests and clients do not see the member list or history).
    context: dict = {
        "workspace": workspace,
        "membership": membership,
        "member_count": None,
        "member_preview": [],
        "member_more": 0,
        "team_count": None,
        "activity": None,
        "is_admin": can(user, "workspace.update", membership),
    }
    if can(user, "member.list", membership):
        members = members_list(workspace=workspace)
        context["member_preview"] = list(members[:HOME_MEMBERS])
        context["member_count"] = members.count()
        context["member_more"] = context["member_count"] - len(context["member_preview"])
    if can(user, "team.view", membership):
        context["team_count"] = teams_list(workspace=workspace).count()
    if can(user, "activity.view", membership):
        context["activity"] = list(feed_entries(workspace=workspace, membership=membership)[:HOME_ACTIVITY])
    return render(request, "web/workspace_home.html", context)


def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component of the design system on one page, for developers (DEBUG only)."""
    if not settings.DEBUG:
        raise Http404("The style guide is only served when LABORA_DEBUG is on.")
    return render(request, "web/styleguide.html", {"kinds": activity_text.KINDS})
