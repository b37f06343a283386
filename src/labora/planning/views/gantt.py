"""The Gantt chart page of a project: /w/<ws>/projects/<KEY>/gantt/.

The page is a shell (toolbar, legend, the grid and chart panes, the task side panel); the chart
itself is drawn in the browser by frontend/js/gantt/ from GET /api/v1/.../projects/<KEY>/gantt
(STYLE rule 7: JSON leaves only through /api/), and every change it makes goes through the
ordinary API routes: PATCH a task's dates or duration (If-Match), POST/DELETE a dependency,
POST .../schedule. The decision and its reasons: docs/decisions/0009-gantt-renderer.md.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from labora.core.policy import can
from labora.planning import selectors
from labora.work.permissions import access_of
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

ZOOMS = [("day", "Day"), ("week", "Week"), ("month", "Month"), ("quarter", "Quarter")]


@workspace_page
def project_gantt(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    access = access_of(membership, project)
    api = f"/api/v1/workspaces/{workspace.slug}"
    plan = selectors.project_plan(project=project)
    zoom = request.GET.get("zoom", "")
    context = {
        "workspace": workspace,
        "project": project,
        "zooms": ZOOMS,
        "zoom": zoom if zoom in dict(ZOOMS) else "week",
        "can_write": can(request.user, "task.write", access),
        "can_link": can(request.user, "dependency.write", access),
        "can_schedule": can(request.user, "schedule.run", access),
        "auto_schedule": plan.auto_schedule,
        "baselines": list(selectors.baseline_list(project=project)),
        "data_url": f"{api}/projects/{project.key}/gantt",
        "task_url": f"{api}/tasks/__KEY__",
        "schedule_url": f"{api}/projects/{project.key}/schedule",
    }
    return render(request, "planning/gantt.html", context)


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/gantt/", project_gantt, name="project_gantt"),
]
