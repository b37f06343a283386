"""Saved views and moving tasks between projects, under /api/v1/workspaces/{ws}.

- GET|POST /workspaces/{ws}/projects/{key}/views; GET|PATCH|DELETE /workspaces/{ws}/views/{id}
- POST /workspaces/{ws}/tasks/move-to-project {"tasks": [keys], "project": "KEY"}

Registered in labora.api before the work router, so that /tasks/move-to-project is not read as
the address of a task called "move-to-project".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from labora.core.api_utils import current_serialiser, expected_version
from labora.core.pagination import Page, paginate
from labora.work import selectors
from labora.work.api import PAGE, PAGE_SIZE, Bool, Int, TaskOut, _json_dates, _scope, _task
from labora.work.models import SavedView
from labora.work.services import relocate
from labora.work.services import saved_views as view_services

router = Router(tags=["work"])

Layout = Literal["list", "board"]
GroupName = Literal["", "status", "assignee", "priority", "label", "due_week", "lanes"]


class SavedViewIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    query: str = Field("", max_length=2000, description="the query language, e.g. `status:open label:bug`")
    order: str = Field("", max_length=40, description="e.g. `-updated`; empty = board order")
    group_by: GroupName = Field(
        "", description="list: status, assignee, priority, label, due_week; board: assignee, priority, lanes"
    )
    layout: Layout = "list"
    shared: Bool = Field(False, description="shared with everyone who sees the project; else personal")


class SavedViewPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    query: str | None = Field(None, max_length=2000)
    order: str | None = Field(None, max_length=40)
    group_by: GroupName | None = None
    layout: Layout | None = None
    shared: Bool | None = None
    version: Int | None = None


class SavedViewOut(Schema):
    id: str
    project: str | None
    name: str
    query: str
    order: str
    group_by: str
    layout: str
    shared: bool
    owner: str
    version: int
    created_at: datetime
    updated_at: datetime


class MoveToProjectIn(Schema):
    tasks: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        ..., min_length=1, max_length=200, description="task keys of this workspace; their subtasks move too"
    )
    project: str = Field(..., min_length=1, max_length=10, description="the target project's key")


class MovedTaskOut(Schema):
    old_key: str
    task: TaskOut


class MoveToProjectOut(Schema):
    items: list[MovedTaskOut]


def _view(view: SavedView) -> dict[str, Any]:
    return {
        "id": view.public_id,
        "project": view.project.key if view.project else None,
        "name": view.name,
        "query": view.query,
        "order": view.order,
        "group_by": view.group_by,
        "layout": view.layout,
        "shared": view.shared,
        "owner": view.owner.email,
        "version": view.version,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


current_serialiser(SavedView)(lambda v: _json_dates(_view(v)))


@router.get("/workspaces/{ws}/projects/{key}/views", response=Page[SavedViewOut], summary="Saved views of a project")
def saved_view_list(
    request: HttpRequest, ws: str, key: str, page: int = PAGE, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key)
    views = view_services.saved_view_list(user=user, workspace=workspace, project=project)
    result = paginate(request, views, page=page, page_size=page_size)
    result["items"] = [_view(v) for v in result["items"]]
    return result


@router.post("/workspaces/{ws}/projects/{key}/views", response={201: SavedViewOut}, summary="Save a view")
def saved_view_create(request: HttpRequest, ws: str, key: str, payload: SavedViewIn) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key)
    view = view_services.saved_view_create(actor=user, project=project, **payload.dict())
    return Status(201, _view(view_services.saved_view_get(user=user, workspace=workspace, view_id=view.public_id)))


@router.get("/workspaces/{ws}/views/{view_id}", response=SavedViewOut, summary="One saved view")
def saved_view_get(request: HttpRequest, ws: str, view_id: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    return _view(view_services.saved_view_get(user=user, workspace=workspace, view_id=view_id))


@router.patch("/workspaces/{ws}/views/{view_id}", response=SavedViewOut, summary="Rename or change a saved view")
def saved_view_update(request: HttpRequest, ws: str, view_id: str, payload: SavedViewPatchIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    view = view_services.saved_view_get(user=user, workspace=workspace, view_id=view_id)
    fields = payload.dict(exclude_unset=True)
    fields.pop("version", None)
    for name in ("name", "query", "order", "group_by", "layout", "shared"):
        if name in fields and fields[name] is None:
            del fields[name]  # null means "keep" for these: none of them can be cleared to null
    updated = view_services.saved_view_update(
        actor=user, view=view, version=expected_version(request, payload.version), **fields
    )
    return _view(updated)


@router.delete("/workspaces/{ws}/views/{view_id}", response={204: None}, summary="Delete a saved view")
def saved_view_delete(request: HttpRequest, ws: str, view_id: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    view = view_services.saved_view_get(user=user, workspace=workspace, view_id=view_id)
    view_services.saved_view_delete(actor=user, view=view)
    return Status(204, None)


@router.post(
    "/workspaces/{ws}/tasks/move-to-project",
    response=MoveToProjectOut,
    summary="Move tasks (and their subtasks) to another project: new keys, all or none",
)
def tasks_move_to_project(request: HttpRequest, ws: str, payload: MoveToProjectIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=payload.project)
    moved = relocate.tasks_move_to_project(actor=user, workspace=workspace, task_keys=payload.tasks, project=project)
    fresh = {
        t.key: t
        for t in selectors.task_list_by_keys(workspace=workspace, project=project, keys=[t.key for _, t in moved])
    }
    return {"items": [{"old_key": old, "task": _task(fresh[t.key])} for old, t in moved]}


__all__ = ["router"]
