"""Project pages: the list of projects and ongoing streams, create, settings (edit, privacy,
colour and icon, members and their roles, archive, trash).

Thin adapters over labora.work.services.projects and labora.work.selectors; the workspace is
resolved among the user's memberships (404 otherwise) by workspaces.views.workspace_page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from labora.core.errors import Conflict, NotFound, ValidationError
from labora.core.policy import can
from labora.work import forms, selectors
from labora.work.markdown import render_markdown
from labora.work.models import Category, Project, ProjectMember, ProjectRole
from labora.work.permissions import OUTSIDER_ROLES, access_of, is_outsider
from labora.work.services import members as member_services
from labora.work.services import projects as project_services
from labora.work.services.projects import PROJECT_COLOURS, PROJECT_ICONS
from labora.workspaces.models import ROLE_RANK, Membership, Role, Workspace
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


def project_for(workspace: Workspace, key: str, *, user: Any, membership: Membership) -> Project:
    """The project `key` if the user may see it (with `my_role`), else the 404 page."""
    try:
        return selectors.project_get(user=user, workspace=workspace, membership=membership, key=key)
    except NotFound as exc:
        raise Http404(exc.message) from None


class AccessFields(django_forms.Form):
    """Privacy and looks of a project: parsed here, validated by the project services."""

    is_private = django_forms.BooleanField(
        required=False,
        label="Private",
        help_text="Only its members (and the workspace's owners and admins) see a private project.",
    )
    colour = django_forms.ChoiceField(choices=[(c, c) for c in PROJECT_COLOURS], required=False)
    icon = django_forms.ChoiceField(choices=[("", "None"), *((i, i) for i in PROJECT_ICONS)], required=False)


class ProjectCreateForm(forms.ProjectForm, AccessFields):
    pass


class ProjectSettingsForm(forms.ProjectSettingsForm, AccessFields):
    pass


class MemberAddForm(django_forms.Form):
    email = django_forms.ChoiceField(choices=[], label="Person", widget=django_forms.Select(attrs={"class": "select"}))
    role = django_forms.ChoiceField(
        choices=[("", "Default"), *ProjectRole.choices],
        help_text="Default: contributor; viewer for guests and clients.",
        required=False,
        widget=django_forms.Select(attrs={"class": "select"}),
    )

    def __init__(self, *args: Any, candidates: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        assert isinstance(field, django_forms.ChoiceField)
        field.choices = [
            (m.user.email, f"{m.user.display_name} · {m.user.email} ({Role(m.role).label.lower()})") for m in candidates
        ]


def _project_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "description": data.get("description", ""),
        "start_date": data.get("start_date"),
        "target_date": data.get("target_date"),
        "lead": data.get("lead") or None,
        "is_private": bool(data.get("is_private")),
        "colour": data.get("colour") or None,
        "icon": data.get("icon") or "",
    }


def _looks_context(form: Any) -> dict[str, Any]:
    """What the colour swatches and the icon picker need: the choices and the current values."""
    return {
        "colours": PROJECT_COLOURS,
        "icons": PROJECT_ICONS,
        "colour_value": form["colour"].value() or PROJECT_COLOURS[0],
        "icon_value": form["icon"].value() or "",
    }


@workspace_page
def project_list(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    show = request.GET.get("show", "")
    projects = with_task_counts(
        selectors.project_list(
            user=request.user, workspace=workspace, membership=membership, include_archived=show == "archived"
        )
    )
    if show == "archived":
        projects = projects.filter(archived_at__isnull=False)
    context = {
        "workspace": workspace,
        "projects": list(projects),
        "show": show,
        "can_create": can(request.user, "project.create", membership),
        "outsider": is_outsider(membership),
    }
    return render(request, "work/project_list.html", context)


@workspace_page
def project_create(request: Request, workspace: Workspace, membership: Membership) -> HttpResponse:
    members = list(members_list(workspace=workspace))
    form = ProjectCreateForm(request.POST or None, members=members, initial={"kind": "project"})
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
    context = {"workspace": workspace, "form": form, **_looks_context(form)}
    return render(request, "work/project_create.html", context, status=status)


@dataclass
class MemberRow:
    """One member of the project as the acting user sees it."""

    m: ProjectMember
    can_manage: bool
    roles: list[tuple[str, str]]
    error: str = ""


def _member_row(m: ProjectMember, *, can_manage: bool, error: str = "") -> MemberRow:
    workspace_role = getattr(m, "workspace_role", None)  # annotated by selectors.project_members
    outsider = ROLE_RANK[Role(workspace_role)] < ROLE_RANK[Role.MEMBER] if workspace_role else True
    roles = [(value, label) for value, label in ProjectRole.choices if not outsider or value in OUTSIDER_ROLES]
    return MemberRow(m=m, can_manage=can_manage, roles=roles, error=error)


def _member_action(request: Request, workspace: Workspace, project: Project, action: str) -> HttpResponse:
    """Add a member (plain POST, back to the page), or change a role / remove one (HTMX row swap)."""
    back = redirect(f"{reverse('project_settings', kwargs={'ws': workspace.slug, 'key': project.key})}#members")
    if action == "member_add":
        role = request.POST.get("role") or None
        try:
            row = member_services.project_member_add(
                actor=request.user, project=project, email=request.POST.get("email", ""), role=role
            )
        except (ValidationError, Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{project.key} is shared with {row.user.display_name} as {row.role}.")
        return back
    try:
        target = selectors.project_member_get(project=project, member=request.POST.get("member", ""))
    except NotFound as exc:
        if request.htmx:
            return _toast(HttpResponse(status=404), exc.message, "error", swap=False)
        messages.error(request, exc.message)
        return back
    error = notice = ""
    removed = False
    try:
        if action == "member_remove":
            member_services.project_member_remove(actor=request.user, project=project, member=target)
            notice = f"{target.user.display_name} is no longer a member of {project.key}."
            removed = True
        else:
            raw_version = request.POST.get("version", "")
            member_services.project_member_change_role(
                actor=request.user,
                project=project,
                member=target,
                role=request.POST.get("role", ""),
                version=int(raw_version) if raw_version.isdigit() else None,
            )
            notice = f"{target.user.display_name} is now {request.POST.get('role', '')} of {project.key}."
    except Conflict:
        error = (
            f"Someone changed {target.user.display_name}'s role meanwhile; this row now shows it as it is. "
            "Choose the role again if you still want to change it."
        )
    except (ValidationError, NotFound) as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return back
    if removed:
        return _toast(HttpResponse(""), notice, "success")
    fresh = selectors.project_member_get(project=project, member=target.user.public_id)
    context = {"row": _member_row(fresh, can_manage=True, error=error), "workspace": workspace, "project": project}
    response = render(request, "work/project_settings.html#member-row", context)
    return _toast(response, error or notice, "error" if error else "success")


def _toast(response: HttpResponse, message: str, level: str, *, swap: bool = True) -> HttpResponse:
    """Ask the page to show `message` as a toast (frontend/js/behaviours.js)."""
    response["HX-Trigger"] = json.dumps({"labora:toast": {"message": message, "level": level}})
    if not swap:
        response["HX-Reswap"] = "none"
    return response


@workspace_page
def project_settings(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    access = access_of(membership, project)
    members = list(members_list(workspace=workspace))
    initial = {
        "name": project.name,
        "kind": project.kind,
        "description": project.description,
        "start_date": project.start_date,
        "target_date": project.target_date,
        "lead": project.lead.email if project.lead else "",
        "version": project.version,
        "is_private": project.is_private,
        "colour": project.colour,
        "icon": project.icon,
    }
    action = request.POST.get("action", "save")
    form = ProjectSettingsForm(
        request.POST if request.method == "POST" and action == "save" else None, members=members, initial=initial
    )
    status = 200
    if request.method == "POST":
        if action in ("member_add", "member_role", "member_remove"):
            return _member_action(request, workspace, project, action)
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
    can_manage = can(request.user, "project.members", access)
    project_members = list(selectors.project_members(project=project))
    taken = {m.user_id for m in project_members}
    candidates = [m for m in members if m.user_id not in taken]
    context = {
        "workspace": workspace,
        "project": project,
        "form": form,
        "statuses": [(s, CATEGORY_BADGE[s.category]) for s in statuses],
        "transitions": transitions,
        "description_html": render_markdown(project.description),
        "can_edit": can(request.user, "project.update", access),
        "can_delete": can(request.user, "project.delete", access),
        "can_manage": can_manage,
        "my_role": getattr(project, "my_role", None),
        "member_rows": [_member_row(m, can_manage=can_manage) for m in project_members],
        "add_form": MemberAddForm(candidates=candidates) if can_manage and candidates else None,
        **_looks_context(form),
    }
    return render(request, "work/project_settings.html", context, status=status)


urlpatterns = [
    path("w/<slug:ws>/projects/", project_list, name="project_list"),
    path("w/<slug:ws>/projects/new/", project_create, name="project_create"),
    path("w/<slug:ws>/projects/<str:key>/settings/", project_settings, name="project_settings"),
]
