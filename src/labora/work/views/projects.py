"""Project pages: the list of projects and ongoing streams, create, settings (edit, archive, trash).

Thin adapters over labora.work.services.projects and labora.work.selectors; the workspace is
resolved among the user's memberships (404 otherwise) by workspaces.views.workspace_page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import can
from labora.work import forms, selectors
from labora.work.markdown import render_markdown
from labora.work.models import Category, Project
from labora.work.services import projects as project_services
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import members_list
from labora.workspaces.views import Request, workspace_page

CATEGORY_BADGE: dict[str, str] = {
    Category.BACKLOG: "badge",
    Category.TODO: "badge",
    Category.IN_PROGRESS: "badge badge-info",
    Category.DONE: "badge badge-success",
    Category.CANCELLED: "badge",
}


with_task_counts = selectors.project_list_with_counts


def project_for(workspace: Workspace, key: str) -> Project:
    try:
        return selectors.project_get(workspace=workspace, key=key)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _project_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "description": data.get("description", ""),
        "start_date": data.get("start_date"),
        "target_date": data.get("target_date"),
        "lead": data.get("lead") or None,
    }


@workspace_page
def project_list(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    show = request.GET.get("show", "")
    projects = with_task_counts(selectors.project_list(workspace=workspace, include_archived=show == "archived"))
    if show == "archived":
        projects = projects.filter(archived_at__isnull=False)
    context = {
        "workspace": workspace,
        "projects": list(projects),
        "show": show,
        "can_create": can(request.user, "project.create", membership),
    }
    return render(request, "work/project_list.html", context)


@workspace_page
def project_create(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    members = list(members_list(workspace=workspace))
    form = forms.ProjectForm(request.POST or None, members=members, initial={"kind": "project"})
    if request.method == "POST" and form.is_valid():
        try:
            project = project_services.project_create(
                actor=request.user,
                workspace=workspace,
                key=form.cleaned_data["key"],
                **_project_kwargs(form.cleaned_data),
            )
        except (ValidationError, Conflict) as exc:
            forms.apply_error(form, exc)
        else:
            messages.success(request, f"{project.key} {project.name} is ready: add its first tasks.")
            return redirect("project_tasks", ws=workspace.slug, key=project.key)
    status = 422 if request.method == "POST" else 200
    return render(request, "work/project_create.html", {"workspace": workspace, "form": form}, status=status)


@workspace_page
def project_settings(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key)
    members = list(members_list(workspace=workspace))
    initial = {
        "name": project.name,
        "kind": project.kind,
        "description": project.description,
        "start_date": project.start_date,
        "target_date": project.target_date,
        "lead": project.lead.email if project.lead else "",
        "version": project.version,
    }
    action = request.POST.get("action", "save")
    form = forms.ProjectSettingsForm(
        request.POST if request.method == "POST" and action == "save" else None, members=members, initial=initial
    )
    status = 200
    if request.method == "POST":
        if action in ("archive", "unarchive"):
            project_services.project_update(actor=request.user, project=project, archived=action == "archive")
            messages.success(request, f"{project.key} is {'archived' if action == 'archive' else 'active again'}.")
            return redirect("project_settings", ws=workspace.slug, key=project.key)
        if action == "delete":
            project_services.project_delete(actor=request.user, project=project)
            messages.success(request, f"{project.key} {project.name} and its tasks are in the trash.")
            return redirect("project_list", ws=workspace.slug)
        if form.is_valid():
            try:
                project_services.project_update(
                    actor=request.user,
                    project=project,
                    version=form.cleaned_data["version"],
                    **_project_kwargs(form.cleaned_data),
                )
            except Conflict:
                form.add_error(
                    None,
                    "This project was changed elsewhere since you opened the page. "
                    "Reload to see the current values, then apply your change again.",
                )
            except ValidationError as exc:
                forms.apply_error(form, exc)
            else:
                messages.success(request, "Project settings saved.")
                return redirect("project_settings", ws=workspace.slug, key=project.key)
        status = 422
    statuses, transitions = selectors.workflow_get(project=project)
    context = {
        "workspace": workspace,
        "project": project,
        "form": form,
        "statuses": [(s, CATEGORY_BADGE[s.category]) for s in statuses],
        "transitions": transitions,
        "description_html": render_markdown(project.description),
        "can_edit": can(request.user, "project.update", membership),
        "can_delete": can(request.user, "project.delete", membership),
    }
    return render(request, "work/project_settings.html", context, status=status)


urlpatterns = [
    path("w/<slug:ws>/projects/", project_list, name="project_list"),
    path("w/<slug:ws>/projects/new/", project_create, name="project_create"),
    path("w/<slug:ws>/projects/<str:key>/settings/", project_settings, name="project_settings"),
]
