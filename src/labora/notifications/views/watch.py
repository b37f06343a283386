"""The Watch button of project pages (work/_project_nav.html loads it lazily)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from labora.notifications import selectors, services
from labora.notifications.views._request import Request
from labora.work import selectors as work_selectors
from labora.workspaces.selectors import workspace_for_user


@login_required
@require_http_methods(["GET", "POST"])
def project_watch(request: Request, ws: str, key: str) -> HttpResponse:
    """GET: the button (watching or not); POST: toggle it (`watch=1` or `watch=0`)."""
    workspace, membership = workspace_for_user(user=request.user, slug=ws)
    project = work_selectors.project_get(user=request.user, workspace=workspace, key=key, membership=membership)
    if request.method == "POST":
        if request.POST.get("watch") == "1":
            services.project_watch(actor=request.user, project=project)
        else:
            services.project_unwatch(actor=request.user, project=project)
        if not getattr(request, "htmx", False):
            return redirect("project_tasks", ws=workspace.slug, key=project.key)
    context = {
        "workspace": workspace,
        "project": project,
        "watching": selectors.project_is_watched(user=request.user, project=project),
    }
    return render(request, "notifications/_watch_button.html", context)


urlpatterns = [path("w/<slug:ws>/projects/<str:key>/watch/", project_watch, name="project_watch")]
