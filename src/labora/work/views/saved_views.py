"""Saved views on the list and the board: the tab bar above them, "Save view", rename, update
with the current filters, delete.

Thin adapters over labora.work.services.saved_views. The list and the board call
`views_bar_context` for the tabs; the forms post here and come back to the page they were on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse

from labora.core.errors import Conflict, LaboraError, NotFound, ValidationError
from labora.core.policy import can
from labora.work.models import Project, SavedView, ViewLayout
from labora.work.permissions import access_of
from labora.work.services import saved_views as view_services
from labora.work.services._common import UNSET
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

# The page parameters a view stores: (page parameter, SavedView field).
PARAMS = (("q", "query"), ("order", "order"), ("group", "group_by"))


def view_url(workspace: Workspace, project: Project, view: SavedView) -> str:
    """The list or board address that shows `view`: its parameters plus `view=<id>`."""
    name = "project_board" if view.layout == ViewLayout.BOARD else "project_tasks"
    base = reverse(name, kwargs={"ws": workspace.slug, "key": project.key})
    query = {param: getattr(view, field) for param, field in PARAMS if getattr(view, field)}
    if view.layout == ViewLayout.BOARD:
        query.pop("order", None)  # a board is always in board order
    return f"{base}?{urlencode({**query, 'view': view.public_id})}"


def views_bar_context(
    request: Request,
    workspace: Workspace,
    membership: Membership,
    project: Project,
    *,
    layout: str,
    params: dict[str, str],
) -> dict[str, Any]:
    """The tabs of saved views for one page; the active one (`?view=`) and whether the page's
    filters differ from it (then "Save changes" is offered)."""
    access = access_of(membership, project)
    views = list(view_services.saved_view_list(user=request.user, workspace=workspace, project=project))
    active_id = request.GET.get("view", "")
    active = next((v for v in views if v.public_id == active_id), None)
    tabs = [
        {"view": v, "url": view_url(workspace, project, v), "active": v is active}
        for v in views
        if v.layout == layout or v is active
    ]
    other = [{"view": v, "url": view_url(workspace, project, v)} for v in views if v.layout != layout]
    modified = active is not None and any(
        (params.get(param) or "") != (getattr(active, field) or "")
        for param, field in PARAMS
        if not (layout == ViewLayout.BOARD and param == "order")
    )
    return {
        "views_bar": {
            "tabs": tabs,
            "other": other,
            "active": active,
            "modified": modified,
            "editable": active is not None and view_services.may_edit(request.user, access, active),
            "can_share": can(request.user, "saved_view.share", access),
            "layout": layout,
            "params": params,
            "create_url": reverse("saved_view_create", kwargs={"ws": workspace.slug, "key": project.key}),
            "all_url": reverse(
                "project_board" if layout == ViewLayout.BOARD else "project_tasks",
                kwargs={"ws": workspace.slug, "key": project.key},
            ),
        }
    }


def _page_back(workspace: Workspace, project: Project, layout: str, params: dict[str, str]) -> HttpResponse:
    name = "project_board" if layout == ViewLayout.BOARD else "project_tasks"
    url = reverse(name, kwargs={"ws": workspace.slug, "key": project.key})
    kept = {k: v for k, v in params.items() if v}
    return redirect(f"{url}?{urlencode(kept)}" if kept else url)


def _posted_params(request: Request) -> dict[str, str]:
    return {param: request.POST.get(param, "").strip() for param, _ in PARAMS}


@workspace_page
def saved_view_create(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    """POST name, shared, layout, q, order, group: save the page's current view, then show it."""
    project = project_for(workspace, key, user=request.user, membership=membership)
    layout = request.POST.get("layout", ViewLayout.LIST)
    layout = layout if layout in ViewLayout.values else ViewLayout.LIST
    params = _posted_params(request)
    if request.method != "POST":
        return _page_back(workspace, project, layout, params)
    try:
        view = view_services.saved_view_create(
            actor=request.user,
            project=project,
            name=request.POST.get("name", ""),
            query=params["q"],
            order="" if layout == ViewLayout.BOARD else params["order"],
            group_by=params["group"],
            layout=layout,
            shared=request.POST.get("shared") == "on",
        )
    except ValidationError as exc:
        messages.error(request, f"The view was not saved. {exc.message}")
        return _page_back(workspace, project, layout, params)
    messages.success(request, f"Saved the view “{view.name}”{' for everyone in the project' if view.shared else ''}.")
    return redirect(view_url(workspace, project, view))


@workspace_page
def saved_view_edit(request: Request, workspace: Workspace, membership: Membership, view_id: str) -> HttpResponse:
    """POST action=rename (name, shared) | update (the page's q/order/group) | delete, with version."""
    try:
        view = view_services.saved_view_get(user=request.user, workspace=workspace, view_id=view_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if view.project is None:
        raise Http404("This view belongs to no project.")
    project = view.project
    if request.method != "POST":
        return redirect(view_url(workspace, project, view))
    action = request.POST.get("action", "")
    version_text = request.POST.get("version", "").strip()
    version = int(version_text) if version_text.isdigit() else None
    try:
        if action == "delete":
            view_services.saved_view_delete(actor=request.user, view=view)
            messages.success(request, f"Deleted the view “{view.name}”.")
            return _page_back(workspace, project, view.layout, {})
        if action == "rename":
            shared: Any = UNSET
            if "shared_present" in request.POST:
                shared = request.POST.get("shared") == "on"
            view = view_services.saved_view_update(
                actor=request.user, view=view, version=version, name=request.POST.get("name", ""), shared=shared
            )
            messages.success(request, f"Saved the view “{view.name}”.")
        elif action == "update":
            params = _posted_params(request)
            view = view_services.saved_view_update(
                actor=request.user,
                view=view,
                version=version,
                query=params["q"],
                order=UNSET if view.layout == ViewLayout.BOARD else params["order"],
                group_by=params["group"],
            )
            messages.success(request, f"The view “{view.name}” now shows these filters.")
        else:
            raise Http404("Unknown action.")
    except Conflict:
        messages.error(request, f"“{view.name}” was changed by someone else meanwhile. Here it is now; try again.")
    except (ValidationError, NotFound) as exc:
        messages.error(request, f"Nothing was changed. {exc.message}")
    except LaboraError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    return redirect(view_url(workspace, project, view))


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/views/", saved_view_create, name="saved_view_create"),
    path("w/<slug:ws>/views/<str:view_id>/", saved_view_edit, name="saved_view_edit"),
]
