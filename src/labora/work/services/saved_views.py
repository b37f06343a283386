"""Writes to saved views: a named filter/sort/group/layout of a project, personal or shared.

Who may do what (rules registered here, asked through labora.core.policy with the actor's
ProjectAccess, i.e. their effective role in the view's project):
- anyone who sees the project (a viewer or more) saves personal views and changes or deletes their own;
- sharing a view with the project needs a contributor (viewers keep theirs personal);
- a shared view is changed or deleted by its owner or by a manager of the project (workspace
  owners and admins are managers of every project).
Somebody else's personal view, or a view of a project one cannot see, is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import NotFound, ValidationError
from labora.core.policy import can, check, rule
from labora.core.trash import move_to_trash
from labora.work import query_compiler
from labora.work.models import PROJECT_ROLE_RANK, Project, ProjectRole, SavedView, ViewLayout
from labora.work.permissions import ProjectAccess
from labora.work.selectors import visible_projects
from labora.work.services._common import UNSET, check_version, clean_text, is_set, project_access
from labora.workspaces.models import Workspace

# How a list groups its rows, and how a board lays out its cards (columns per status by default).
LIST_GROUPS = ("status", "assignee", "priority", "label", "due_week")
BOARD_GROUPS = ("assignee", "priority", "lanes")  # "lanes": status columns, one swimlane per assignee
MAX_VIEWS_PER_PROJECT = 100
SHARE_DENIED = "Viewers of a project save personal views only; ask a manager of the project to share one."


@dataclass(frozen=True)
class ViewAccess:
    """What the edit rule looks at: the actor's standing in the view's project, and the view."""

    access: ProjectAccess
    view: SavedView


def _role_rank(access: Any) -> int:
    return access.role_rank if isinstance(access, ProjectAccess) and access.membership is not None else 0


@rule("saved_view.create")
def _may_create(user: Any, access: Any) -> bool:
    return _role_rank(access) >= PROJECT_ROLE_RANK[ProjectRole.VIEWER]


@rule("saved_view.share")
def _may_share(user: Any, access: Any) -> bool:
    return _role_rank(access) >= PROJECT_ROLE_RANK[ProjectRole.CONTRIBUTOR]


@rule("saved_view.edit")
def _may_edit(user: Any, obj: Any) -> bool:
    if not isinstance(obj, ViewAccess) or _role_rank(obj.access) < PROJECT_ROLE_RANK[ProjectRole.VIEWER]:
        return False
    if obj.view.owner_id == user.pk:
        return True
    return bool(obj.view.shared and _role_rank(obj.access) >= PROJECT_ROLE_RANK[ProjectRole.MANAGER])


def _access(actor: Any, project: Project | None) -> ProjectAccess:
    """The actor's standing in the project; a project they cannot see is not found."""
    if project is None:
        raise NotFound("This view belongs to no project.")
    access = project_access(actor, project)
    if access.role is None:
        raise NotFound(f"No project '{project.key}' in this workspace.")
    return access


def may_edit(user: Any, access: ProjectAccess, view: SavedView) -> bool:
    """For pages (which have the access already): whether to offer renaming and deleting `view`."""
    return can(user, "saved_view.edit", ViewAccess(access, view))


# --- reads (kept next to the writes: they define who sees a view) ---------------------------


def saved_view_list(*, user: Any, workspace: Workspace, project: Project) -> QuerySet[SavedView]:
    """The views of `project` this user sees: the shared ones and their own, by name."""
    return (
        SavedView.objects.filter(workspace=workspace, project=project)
        .filter(Q(shared=True) | Q(owner_id=user.pk))
        .select_related("owner", "project")
        .order_by("name", "id")
    )


def saved_view_get(*, user: Any, workspace: Workspace, view_id: str) -> SavedView:
    """One view by its public id, if this user sees it (NotFound otherwise)."""
    view = (
        SavedView.objects.filter(workspace=workspace, public_id=(view_id or "").strip())
        .filter(Q(shared=True) | Q(owner_id=user.pk))
        .filter(project__in=visible_projects(user=user, workspace=workspace))
        .select_related("owner", "project")
        .first()
    )
    if view is None:
        raise NotFound(f"No saved view '{view_id}' that you can see in this workspace.")
    return view


# --- validation ------------------------------------------------------------------------------


def _layout(value: str) -> str:
    if value not in ViewLayout.values:
        raise ValidationError(
            f"Unknown layout '{value}'. Use one of: {', '.join(ViewLayout.values)}.", fields={"layout": "unknown"}
        )
    return value


def _group(value: str | None, layout: str) -> str:
    group = (value or "").strip()
    allowed = LIST_GROUPS if layout == ViewLayout.LIST else BOARD_GROUPS
    if group and group not in allowed:
        raise ValidationError(
            f"A {layout} cannot be grouped by '{group}'. Use one of: {', '.join(allowed)} (or nothing).",
            fields={"group_by": "unknown grouping"},
        )
    return group


def _query(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > 2000:
        raise ValidationError("A view's query is at most 2000 characters.", fields={"query": "too long"})
    try:
        query_compiler.parse(text)
    except ValidationError as exc:
        raise ValidationError(
            exc.message, code=exc.code, fields={"query": exc.fields.get("q", "invalid")}, extra=exc.extra
        ) from None
    return text


def _order(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > 40:
        raise ValidationError("A view's order is at most 40 characters.", fields={"order": "too long"})
    query_compiler.order_by(text)  # raises invalid_query on field "order"
    return text


def _unique_name(view_owner: Any, project: Project | None, name: str, *, exclude: int | None) -> None:
    """Names are unique among the views one person sees in a project (theirs and the shared ones)."""
    clash = SavedView.objects.filter(project=project, name__iexact=name).filter(
        Q(owner_id=view_owner.pk) | Q(shared=True)
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            f"There is already a view called '{name}' in this project. Choose another name.",
            code="duplicate_name",
            fields={"name": "already used"},
        )


def _snapshot(view: SavedView) -> dict[str, Any]:
    return {
        "name": view.name,
        "query": view.query,
        "order": view.order,
        "group_by": view.group_by,
        "layout": view.layout,
        "shared": view.shared,
    }


def _data(view: SavedView) -> dict[str, Any]:
    return {"project": view.project.key if view.project else "", "view": view.public_id, "name": view.name}


def _check_edit(actor: User, view: SavedView, action: str) -> ProjectAccess:
    access = _access(actor, view.project)
    check(
        actor,
        "saved_view.edit",
        ViewAccess(access, view),
        message=f"Only the person who saved it or a manager of the project can {action} the shared view '{view.name}'.",
    )
    return access


# --- services --------------------------------------------------------------------------------


def saved_view_create(
    *,
    actor: User,
    project: Project,
    name: str,
    query: str = "",
    order: str = "",
    group_by: str = "",
    layout: str = ViewLayout.LIST,
    shared: bool = False,
) -> SavedView:
    """Save a view of `project` for the actor (or, shared, for everyone who sees the project).

    Raises PermissionDenied (sharing as a guest or client), ValidationError (empty or duplicate
    name, invalid query or order, unknown layout or grouping, too many views).
    """
    workspace = project.workspace
    access = _access(actor, project)
    check(actor, "saved_view.create", access, message="Only people who see the project can save views of it.")
    if shared:
        check(actor, "saved_view.share", access, message=SHARE_DENIED)
    name = clean_text(name, field="name", limit=100)
    layout = _layout(layout)
    fields = {
        "query": _query(query),
        "order": _order(order),
        "group_by": _group(group_by, layout),
        "layout": layout,
        "shared": bool(shared),
    }
    with transaction.atomic():
        # Lock the project row: two saves of the same name cannot both pass the name check.
        locked = Project.objects.select_for_update().filter(pk=project.pk).first()
        if locked is None:
            raise NotFound(f"Project {project.key} is in the trash; restore it to save views.")
        if SavedView.objects.filter(project=locked).count() >= MAX_VIEWS_PER_PROJECT:
            raise ValidationError(
                f"A project has at most {MAX_VIEWS_PER_PROJECT} saved views. Delete one you no longer use.",
                fields={"name": "too many views"},
            )
        _unique_name(actor, locked, name, exclude=None)
        view = SavedView.objects.create(workspace=workspace, project=locked, owner=actor, name=name, **fields)
        events.record(
            name="saved_view.created",
            actor=actor,
            workspace=workspace,
            target=view,
            target_label=name,
            data={**_data(view), "shared": view.shared, "layout": view.layout},
        )
    return view


def saved_view_update(
    *,
    actor: User,
    view: SavedView,
    version: int | None = None,
    name: Any = UNSET,
    query: Any = UNSET,
    order: Any = UNSET,
    group_by: Any = UNSET,
    layout: Any = UNSET,
    shared: Any = UNSET,
) -> SavedView:
    """Rename a view or change what it shows (UNSET = keep); share or unshare it.

    Raises PermissionDenied (not the owner nor a project manager; sharing as a guest),
    ValidationError (as saved_view_create), Conflict (stale version), NotFound (deleted).
    """
    access = _check_edit(actor, view, "change")
    if is_set(shared) and shared and not view.shared:
        check(actor, "saved_view.share", access, message=SHARE_DENIED)
    if is_set(shared) and not shared and view.shared and view.owner_id != actor.pk:
        raise ValidationError(
            f"Only {view.owner.display_name}, who saved '{view.name}', can make it personal again.",
            fields={"shared": "not the owner"},
        )
    with transaction.atomic():
        if view.project_id is not None:
            Project.objects.select_for_update().filter(pk=view.project_id).first()
        locked = (
            SavedView.objects.select_for_update(of=("self",))
            .select_related("project", "owner")
            .filter(pk=view.pk)
            .first()
        )
        if locked is None:
            raise NotFound(f"The view '{view.name}' was deleted.")
        check_version(locked, version, "view")
        before = _snapshot(locked)
        new_layout = _layout(layout) if is_set(layout) else locked.layout
        if is_set(name):
            locked.name = clean_text(name, field="name", limit=100)
        if is_set(query):
            locked.query = _query(query)
        if is_set(order):
            locked.order = _order(order)
        if is_set(group_by) or new_layout != locked.layout:
            locked.group_by = _group(group_by if is_set(group_by) else locked.group_by, new_layout)
        locked.layout = new_layout
        if is_set(shared):
            locked.shared = bool(shared)
        if locked.name.lower() != before["name"].lower() or (locked.shared and not before["shared"]):
            _unique_name(locked.owner, locked.project, locked.name, exclude=locked.pk)
        after = _snapshot(locked)
        changes = events.changed(before, after)
        if changes:
            locked.version += 1
            locked.save()
            events.record(
                name="saved_view.updated",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=locked.name,
                data=_data(locked),
                changes=changes,
            )
    return locked


def saved_view_delete(*, actor: User, view: SavedView) -> SavedView:
    """Delete a view (to the trash). Raises PermissionDenied (not the owner nor a project manager)."""
    _check_edit(actor, view, "delete")
    with transaction.atomic():
        locked = SavedView.all_objects.select_for_update(of=("self",)).select_related("project").get(pk=view.pk)
        if locked.deleted_at is None:
            move_to_trash(locked, actor=actor)
            events.record(
                name="saved_view.deleted",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=locked.name,
                data=_data(locked),
            )
    return locked


__all__ = [
    "BOARD_GROUPS",
    "LIST_GROUPS",
    "may_edit",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_get",
    "saved_view_list",
    "saved_view_update",
]
