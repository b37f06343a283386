"""Task field routes under /api/v1/workspaces/{ws}: custom fields and custom types of a project,
a task's checklist and its watchers. (Task and workflow schemas live in work/api.py.)

Custom fields: `GET|POST .../projects/{key}/fields`, `PATCH|DELETE .../projects/{key}/fields/{id}`,
`POST .../projects/{key}/fields/order`. Values are set on tasks as `custom_fields: {"<name>": value}`.
Custom types: `GET|PUT .../projects/{key}/types` (the built-in task, bug, milestone, epic always exist).
Checklist: `GET|POST .../tasks/{key}/checklist`, `PATCH|DELETE .../checklist/{id}`, `POST .../checklist/{id}/move`.
Watchers: `GET|POST .../tasks/{key}/watchers`, `DELETE .../watchers/{email}`, `POST|DELETE .../watchers/me`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import Strict

from labora.core.api_utils import actor, current_serialiser, expected_version
from labora.core.pagination import Page, paginate
from labora.core.policy import check
from labora.work import selectors
from labora.work.models import ChecklistItem, CustomField, Project, Task
from labora.work.services import checklist as checklist_services
from labora.work.services import fields as field_services
from labora.work.services import watchers as watcher_services
from labora.workspaces.models import Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["work"])

PAGE = Query(1, ge=1)
PAGE_SIZE = Query(50, ge=1, le=200)
Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
FieldType = Literal["text", "number", "date", "select", "multiselect", "user", "checkbox", "url"]
Option = Annotated[str, Field(min_length=1, max_length=100)]
Id = Annotated[str, Field(min_length=1, max_length=20)]


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    return user, workspace


def _project(request: HttpRequest, ws: str, key: str) -> tuple[Any, Project]:
    user, workspace = _scope(request, ws)
    return user, selectors.project_get(user=user, workspace=workspace, key=key)


def _task(request: HttpRequest, ws: str, task_key: str) -> tuple[Any, Task]:
    user, workspace = _scope(request, ws)
    return user, selectors.task_get(user=user, workspace=workspace, key=task_key)


# --- custom fields -----------------------------------------------------------------------------


class FieldIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    type: FieldType
    options: list[Option] = Field(default_factory=list, max_length=100, description="for select and multiselect")


class FieldPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    options: list[Option] | None = Field(None, max_length=100, description="the full list; select/multiselect only")
    version: Int | None = None


class FieldOut(Schema):
    id: str
    name: str
    type: str
    options: list[str]
    position: int
    version: int


class FieldOrderIn(Schema):
    fields: list[Id] = Field(..., min_length=1, max_length=50, description="every field's id, in the new order")


class FieldListOut(Schema):
    items: list[FieldOut]


def _field(f: CustomField) -> dict[str, Any]:
    return {
        "id": f.public_id,
        "name": f.name,
        "type": f.type,
        "options": list(f.options or []),
        "position": f.position,
        "version": f.version,
    }


current_serialiser(CustomField)(_field)


@router.get("/workspaces/{ws}/projects/{key}/fields", response=Page[FieldOut], summary="Custom fields of a project")
def field_list(request: HttpRequest, ws: str, key: str, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    _, project = _project(request, ws, key)
    result = paginate(request, selectors.custom_field_list(project=project), page=page, page_size=page_size)
    result["items"] = [_field(f) for f in result["items"]]
    return result


@router.post(
    "/workspaces/{ws}/projects/{key}/fields",
    response={201: FieldOut},
    summary="Define a custom field (text, number, date, select, multiselect, user, checkbox, url)",
)
def field_create(request: HttpRequest, ws: str, key: str, payload: FieldIn) -> Status[dict[str, Any]]:
    user, project = _project(request, ws, key)
    field = field_services.custom_field_create(
        actor=user, project=project, name=payload.name, type=payload.type, options=payload.options
    )
    return Status(201, _field(field))


@router.post(
    "/workspaces/{ws}/projects/{key}/fields/order",
    response=FieldListOut,
    summary="Reorder the custom fields (send every field's id once)",
)
def field_reorder(request: HttpRequest, ws: str, key: str, payload: FieldOrderIn) -> dict[str, Any]:
    user, project = _project(request, ws, key)
    ordered = field_services.custom_field_reorder(actor=user, project=project, field_ids=payload.fields)
    return {"items": [_field(f) for f in ordered]}


@router.patch(
    "/workspaces/{ws}/projects/{key}/fields/{field_id}",
    response=FieldOut,
    summary="Rename a custom field or change its options (its type is fixed)",
)
def field_update(request: HttpRequest, ws: str, key: str, field_id: str, payload: FieldPatchIn) -> dict[str, Any]:
    user, project = _project(request, ws, key)
    field = selectors.custom_field_get(project=project, field_id=field_id)
    changes = payload.dict(exclude_unset=True)
    changes.pop("version", None)
    updated = field_services.custom_field_update(
        actor=user, field=field, version=expected_version(request, payload.version), **changes
    )
    return _field(updated)


@router.delete(
    "/workspaces/{ws}/projects/{key}/fields/{field_id}",
    response={204: None},
    summary="Delete a custom field (it disappears from every task)",
)
def field_delete(request: HttpRequest, ws: str, key: str, field_id: str) -> Status[None]:
    user, project = _project(request, ws, key)
    field_services.custom_field_delete(actor=user, field=selectors.custom_field_get(project=project, field_id=field_id))
    return Status(204, None)


# --- custom types ------------------------------------------------------------------------------


class TypesIn(Schema):
    types: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        ..., max_length=20, description="the project's own types, replacing the current list; [] for none"
    )
    version: Int | None = Field(None, description="the project's version")


class TypesOut(Schema):
    builtin: list[str]
    custom: list[str]
    version: int = Field(..., description="the project's version")


def _types(project: Project) -> dict[str, Any]:
    return {
        "builtin": list(field_services.BUILTIN_TYPES),
        "custom": field_services.custom_type_names(project),
        "version": project.version,
    }


@router.get("/workspaces/{ws}/projects/{key}/types", response=TypesOut, summary="Task types of a project")
def types_get(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    _, project = _project(request, ws, key)
    return _types(project)


@router.put(
    "/workspaces/{ws}/projects/{key}/types",
    response=TypesOut,
    summary="Replace a project's custom task types (a type still used by tasks cannot be removed)",
)
def types_replace(request: HttpRequest, ws: str, key: str, payload: TypesIn) -> dict[str, Any]:
    user, project = _project(request, ws, key)
    updated = field_services.project_types_replace(
        actor=user, project=project, types=payload.types, version=expected_version(request, payload.version)
    )
    return _types(updated)


# --- checklist ---------------------------------------------------------------------------------


class ChecklistItemIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)


class ChecklistItemPatchIn(Schema):
    text: str | None = Field(None, min_length=1, max_length=500)
    done: Bool | None = None
    version: Int | None = None


class ChecklistMoveIn(Schema):
    before: Id | None = Field(None, description="the item it now comes before")
    after: Id | None = Field(None, description="the item it now comes after")
    version: Int | None = None


class ChecklistItemOut(Schema):
    id: str
    text: str
    done: bool
    done_at: datetime | None
    done_by: str | None
    version: int


class ChecklistOut(Schema):
    items: list[ChecklistItemOut]
    done: int
    total: int


def _item(item: ChecklistItem) -> dict[str, Any]:
    return {
        "id": item.public_id,
        "text": item.text,
        "done": item.done,
        "done_at": item.done_at,
        "done_by": item.done_by.email if item.done_by else None,
        "version": item.version,
    }


current_serialiser(ChecklistItem)(lambda i: {**_item(i), "done_at": i.done_at.isoformat() if i.done_at else None})


@router.get("/workspaces/{ws}/tasks/{task_key}/checklist", response=ChecklistOut, summary="A task's checklist")
def checklist_get(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    _, task = _task(request, ws, task_key)
    items = list(selectors.checklist(task=task)[: checklist_services.MAX_ITEMS])
    return {"items": [_item(i) for i in items], "done": sum(i.done for i in items), "total": len(items)}


@router.post(
    "/workspaces/{ws}/tasks/{task_key}/checklist", response={201: ChecklistItemOut}, summary="Add a checklist item"
)
def checklist_add(request: HttpRequest, ws: str, task_key: str, payload: ChecklistItemIn) -> Status[dict[str, Any]]:
    user, task = _task(request, ws, task_key)
    return Status(201, _item(checklist_services.checklist_item_add(actor=user, task=task, text=payload.text)))


@router.patch(
    "/workspaces/{ws}/tasks/{task_key}/checklist/{item_id}",
    response=ChecklistItemOut,
    summary="Edit a checklist item's text or tick it",
)
def checklist_update(
    request: HttpRequest, ws: str, task_key: str, item_id: str, payload: ChecklistItemPatchIn
) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    item = selectors.checklist_item_get(task=task, item_id=item_id)
    changes = payload.dict(exclude_unset=True)
    changes.pop("version", None)
    if changes.get("text", "") is None:
        changes.pop("text")  # null text: keep it (an item always has one)
    if "done" in changes and changes["done"] is None:
        changes.pop("done")
    updated = checklist_services.checklist_item_update(
        actor=user, item=item, version=expected_version(request, payload.version), **changes
    )
    return _item(updated)


@router.post(
    "/workspaces/{ws}/tasks/{task_key}/checklist/{item_id}/move",
    response=ChecklistItemOut,
    summary="Reorder a checklist item (before and/or after another item)",
)
def checklist_move(
    request: HttpRequest, ws: str, task_key: str, item_id: str, payload: ChecklistMoveIn
) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    item = selectors.checklist_item_get(task=task, item_id=item_id)
    moved = checklist_services.checklist_item_move(
        actor=user,
        item=item,
        before_id=payload.before,
        after_id=payload.after,
        version=expected_version(request, payload.version),
    )
    return _item(moved)


@router.delete(
    "/workspaces/{ws}/tasks/{task_key}/checklist/{item_id}", response={204: None}, summary="Delete a checklist item"
)
def checklist_delete(request: HttpRequest, ws: str, task_key: str, item_id: str) -> Status[None]:
    user, task = _task(request, ws, task_key)
    checklist_services.checklist_item_delete(actor=user, item=selectors.checklist_item_get(task=task, item_id=item_id))
    return Status(204, None)


# --- watchers ----------------------------------------------------------------------------------


class WatcherIn(Schema):
    email: str = Field(..., min_length=3, max_length=254, description="a member's e-mail")


class WatcherOut(Schema):
    email: str
    name: str


class WatchersOut(Schema):
    items: list[WatcherOut]
    watching: bool = Field(..., description="whether the caller watches the task")


def _watchers(user: Any, task: Task) -> dict[str, Any]:
    people = selectors.task_watchers(task=task)
    return {
        "items": [{"email": p.email, "name": p.display_name} for p in people],
        "watching": any(p.pk == user.pk for p in people),
    }


@router.get("/workspaces/{ws}/tasks/{task_key}/watchers", response=WatchersOut, summary="Who watches a task")
def watcher_list(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    return _watchers(user, task)


@router.post("/workspaces/{ws}/tasks/{task_key}/watchers/me", response=WatchersOut, summary="Watch a task")
def watcher_add_me(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    watcher_services.task_watch(actor=user, task=task)
    return _watchers(user, task)


@router.delete("/workspaces/{ws}/tasks/{task_key}/watchers/me", response=WatchersOut, summary="Stop watching a task")
def watcher_remove_me(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    watcher_services.task_unwatch(actor=user, task=task)
    return _watchers(user, task)


@router.post("/workspaces/{ws}/tasks/{task_key}/watchers", response=WatchersOut, summary="Make a member watch a task")
def watcher_add(request: HttpRequest, ws: str, task_key: str, payload: WatcherIn) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    watcher_services.task_watch(actor=user, task=task, email=payload.email)
    return _watchers(user, task)


@router.delete(
    "/workspaces/{ws}/tasks/{task_key}/watchers/{email}", response=WatchersOut, summary="Stop a member watching"
)
def watcher_remove(request: HttpRequest, ws: str, task_key: str, email: str) -> dict[str, Any]:
    user, task = _task(request, ws, task_key)
    watcher_services.task_unwatch(actor=user, task=task, email=email)
    return _watchers(user, task)
