"""Baselines of a project: save a named snapshot of the plan, list and delete them, and compare
one with the current plan task by task (variance in working days, late tasks highlighted).

Thin adapters over labora.planning.services (baseline_create, baseline_delete) and the planning
selectors (baseline_list, baseline_get, baseline_variance).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from labora.core.errors import Conflict, NotFound, ValidationError
from labora.planning import selectors, services
from labora.planning.selectors import TaskVariance
from labora.planning.services.baselines import MAX_BASELINES
from labora.planning.views.plan import permissions_for, plan_project
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

BASELINES_PER_PAGE = 20
ROWS_PER_PAGE = 50

# ?sort= values of the variance table: what each sorts by (tasks without the value go last).
SORTS: dict[str, str] = {
    "key": "key",
    "start": "start_variance_days",
    "finish": "finish_variance_days",
    "duration": "duration_variance_days",
    "estimate": "estimate_variance_hours",
}


@workspace_page
def project_baselines(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = plan_project(request, workspace, membership, key)
    allowed = permissions_for(request, membership, project)
    name = ""
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        name = request.POST.get("name", "")
        try:
            if action == "create":
                baseline = services.baseline_create(actor=request.user, project=project, name=name)
                messages.success(request, f"Baseline “{baseline.name}” saved: compare the plan with it at any time.")
                return redirect("project_baseline", ws=workspace.slug, key=project.key, baseline_id=baseline.public_id)
            if action == "delete":
                target = selectors.baseline_get(project=project, baseline_id=request.POST.get("baseline", ""))
                services.baseline_delete(actor=request.user, baseline=target)
                messages.success(request, f"Baseline “{target.name}” is in the trash.")
                return redirect("project_baselines", ws=workspace.slug, key=project.key)
            error, status = f"Unknown action '{action}'. Use the buttons on this page.", 422
        except NotFound as exc:
            error, status = exc.message, 404
        except (ValidationError, Conflict) as exc:
            error, status = exc.message, exc.status
    page = Paginator(selectors.baseline_list(project=project), BASELINES_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "workspace": workspace,
        "project": project,
        "can": allowed,
        "page": page,
        "name": name,
        "error": error,
        "max_baselines": MAX_BASELINES,
    }
    return render(request, "planning/plan_baselines.html", context, status=status)


def _sorted(rows: list[TaskVariance], sort: str) -> list[TaskVariance]:
    descending = sort.startswith("-")
    attr = SORTS.get(sort.lstrip("-"), "key")
    if attr == "key":
        ordered = sorted(rows, key=lambda r: int(r.key.rsplit("-", 1)[1]), reverse=descending)
        return ordered
    present = [r for r in rows if getattr(r, attr) is not None]
    missing = [r for r in rows if getattr(r, attr) is None]
    sign = -1 if descending else 1
    present.sort(key=lambda r: (sign * getattr(r, attr), int(r.key.rsplit("-", 1)[1])))
    return present + missing


@workspace_page
def project_baseline(
    request: Request, workspace: Workspace, membership: Membership, key: str, baseline_id: str
) -> HttpResponse:
    project = plan_project(request, workspace, membership, key)
    try:
        baseline = selectors.baseline_get(project=project, baseline_id=baseline_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    variance = selectors.baseline_variance(project=project, baseline=baseline)
    sort = request.GET.get("sort", "key")
    if sort.lstrip("-") not in SORTS:
        sort = "key"
    only_late = request.GET.get("late") == "1"
    rows = [r for r in variance.tasks if not only_late or (r.finish_variance_days or 0) > 0]
    page = Paginator(_sorted(rows, sort), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = f"sort={sort}" + ("&late=1" if only_late else "")
    context = {
        "workspace": workspace,
        "project": project,
        "baseline": baseline,
        "variance": variance,
        "late_count": sum(1 for r in variance.tasks if (r.finish_variance_days or 0) > 0),
        "added_count": sum(1 for r in variance.tasks if not r.in_baseline),
        "page": page,
        "sort": sort,
        "only_late": only_late,
        "page_query": query,
        "late_query": "&late=1" if only_late else "",
        "sort_links": {name: ("-" + name if sort == name else name) for name in SORTS},
    }
    return render(request, "planning/plan_baseline.html", context)


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/plan/baselines/", project_baselines, name="project_baselines"),
    path(
        "w/<slug:ws>/projects/<str:key>/plan/baselines/<str:baseline_id>/",
        project_baseline,
        name="project_baseline",
    ),
]
