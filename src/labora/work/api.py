"""Projects, workflows and tasks under /api/v1/workspaces/{ws} (API.md "Projects" and "Tasks")."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, Strict

from labora.core.api_utils import actor, current_serialiser, expected_version, json_response
from labora.core.pagination import Page, next_url, page_bounds, paginate
from labora.core.policy import check
from labora.work import selectors, services, task_rows
from labora.work.models import Label, Project, Task
from labora.work.services import fields as field_services
from labora.work.services import labels as label_services
from labora.work.services import projects as project_services
from labora.work.services import tasks as task_services
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["work"])

PAGE = Query(1, ge=1)
PAGE_SIZE = Query(50, ge=1, le=200)
KEY_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    # pydantic would also read 0 or "1700000000" as a date; the API takes YYYY-MM-DD only.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("a date is written YYYY-MM-DD, e.g. 2026-03-31")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
# JSON numbers and booleans as themselves: "5" or "true" in a body is refused, not coerced.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]
Bool = Annotated[bool, Strict()]

Kind = Literal["project", "ongoing"]
ProjectIcon = Literal[("", *project_services.PROJECT_ICONS)]  # type: ignore[valid-type]  # built from the tuple
CategoryName = Literal["backlog", "todo", "in_progress", "done", "cancelled"]
PriorityName = Literal["urgent", "high", "medium", "low", "none"]
# task, bug, milestone, epic, or one of the project's custom types (PUT .../projects/{key}/types).
TypeName = Annotated[str, Field(min_length=1, max_length=30)]
Hours = Annotated[float, Strict(), Field(ge=0, le=100_000)]
Email = Annotated[str, Field(min_length=1, max_length=254)]
CustomValues = Annotated[
    dict[Annotated[str, Field(max_length=60)], Any],
    Field(
        max_length=50,
        description='{"<field name>": value}: text, number, "YYYY-MM-DD", an option, [options], a member\'s '
        "e-mail, true/false or a URL, by the field's type; null clears a value",
    ),
]
RequiredField = Annotated[str, Field(min_length=1, max_length=70)]


# --- schemas -----------------------------------------------------------------------------------


class ProjectIn(Schema):
    key: str = Field(..., min_length=2, max_length=10, pattern=KEY_PATTERN, description="e.g. OPS")
    name: str = Field(..., min_length=1, max_length=200)
    kind: Kind = "project"
    description: str = Field("", max_length=50_000, description="Markdown")
    start_date: IsoDate | None = None
    target_date: IsoDate | None = None
    lead: str | None = Field(None, max_length=254, description="a member's e-mail")
    is_private: Bool = Field(False, description="only its members (and workspace owners and admins) see it")
    colour: str | None = Field(None, max_length=7, description="#rrggbb; default #4f46e5")
    icon: ProjectIcon = Field("", description='one of the listed icon names, or "" for none')


class ProjectPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    description: str | None = Field(None, max_length=50_000)
    start_date: IsoDate | None = None
    target_date: IsoDate | None = None
    lead: str | None = Field(None, max_length=254)
    archived: Bool | None = None
    is_private: Bool | None = Field(None, description="making it private needs a manager among its members")
    colour: str | None = Field(None, max_length=7, description="#rrggbb")
    icon: ProjectIcon | None = None
    version: Int | None = None


class ProjectOut(Schema):
    key: str
    name: str
    kind: str
    description: str
    start_date: date | None
    target_date: date | None
    lead: str | None
    archived: bool
    is_private: bool
    colour: str
    icon: str
    my_role: str | None = Field(..., description="the caller's role in it: manager, contributor or viewer")
    version: int
    created_at: datetime
    updated_at: datetime


class StatusIn(Schema):
    id: Int | None = Field(None, description="an existing status's id: keeps it (and its tasks) under a new name")
    name: str = Field(..., min_length=1, max_length=60)
    category: CategoryName
    wip_limit: Int | None = Field(None, ge=1, le=10_000)
    colour: str = Field("", max_length=7, description='"#rrggbb", or "" for the category\'s colour')
    required_fields: list[RequiredField] = Field(
        default_factory=list,
        max_length=60,
        description="fields a task needs to enter this status: assignee, due_date, start_date, estimate, labels, "
        "description, or cf:<custom field name>",
    )


class TransitionIn(Schema):
    from_: str = Field(..., alias="from", min_length=1, max_length=60)
    to: str = Field(..., min_length=1, max_length=60)


class WorkflowIn(Schema):
    statuses: list[StatusIn] = Field(..., min_length=1, max_length=30)
    transitions: list[TransitionIn] = Field(default_factory=list, max_length=900)
    version: Int | None = None


class StatusOut(Schema):
    id: int
    name: str
    category: str
    wip_limit: int | None
    colour: str = Field(..., description='its own colour, or "" for the category\'s')
    badge_colour: str = Field(..., description="the colour to paint it with: its own or its category's")
    required_fields: list[str]


class TransitionOut(Schema):
    from_: str = Field(..., alias="from")
    to: str


class WorkflowOut(Schema):
    statuses: list[StatusOut]
    transitions: list[TransitionOut]
    version: int


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=100_000, description="Markdown")
    type: TypeName = "task"
    status: str | None = Field(None, max_length=60, description="a status name; default: the first to-do status")
    priority: PriorityName = "none"
    assignee: str | None = Field(None, max_length=254, description="a member's e-mail")
    parent: str | None = Field(None, max_length=30, description="a task key in the same project")
    start_date: IsoDate | None = None
    due_date: IsoDate | None = None
    duration_days: Int | None = Field(None, ge=0, le=100_000, description="working days; 0 = milestone")
    estimate_hours: Float | None = Field(
        None, ge=0, le=100_000, description="default: the PERT mean of the three-point estimate, when given"
    )
    estimate_optimistic_hours: Hours | None = None
    estimate_likely_hours: Hours | None = None
    estimate_pessimistic_hours: Hours | None = None
    labels: list[str] = Field(default_factory=list, max_length=50, description="names; created on first use")
    collaborators: list[Email] = Field(default_factory=list, max_length=50, description="members' e-mails")
    custom_fields: CustomValues = Field(default_factory=dict)


class TaskPatchIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=500)
    description: str | None = Field(None, max_length=100_000)
    type: TypeName | None = None
    status: str | None = Field(None, max_length=60)
    priority: PriorityName | None = None
    assignee: str | None = Field(None, max_length=254, description="an e-mail; null unassigns")
    parent: str | None = Field(None, max_length=30, description="a task key; null detaches")
    start_date: IsoDate | None = None
    due_date: IsoDate | None = None
    duration_days: Int | None = Field(None, ge=0, le=100_000)
    estimate_hours: Float | None = Field(None, ge=0, le=100_000)
    estimate_optimistic_hours: Hours | None = Field(
        None, description="with the other two points and no estimate_hours: the estimate becomes their PERT mean"
    )
    estimate_likely_hours: Hours | None = None
    estimate_pessimistic_hours: Hours | None = None
    labels: list[str] | None = Field(None, max_length=50, description="the full list of names")
    collaborators: list[Email] | None = Field(None, max_length=50, description="the full list of e-mails")
    custom_fields: CustomValues | None = Field(None, description="only the fields named change")
    version: Int | None = None


class ChecklistSummary(Schema):
    done: int
    total: int


class TaskOut(Schema):
    key: str
    project: str
    version: int
    type: str
    title: str
    description: str
    status: str
    category: str
    priority: str
    assignee: str | None
    reporter: str | None
    parent: str | None
    start_date: date | None
    due_date: date | None
    duration_days: int | None
    estimate_hours: float | None
    estimate_optimistic_hours: float | None
    estimate_likely_hours: float | None
    estimate_pessimistic_hours: float | None
    rollup_estimate_hours: float | None = Field(..., description="own estimate, or the subtasks' sum")
    progress: int = Field(..., description="percent of the (subtasks') work done, 0..100")
    labels: list[str]
    collaborators: list[str]
    custom_fields: dict[str, Any]
    checklist: ChecklistSummary
    status_colour: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class TaskPage(Page[TaskOut]):
    count_exact: bool = Field(
        ...,
        description="false when `count` is a lower bound: a text search in best-match order counts its matches "
        "up to 1,000 (or to the end of the page asked for); true otherwise",
    )


# --- serialisers -------------------------------------------------------------------------------


def _project(p: Project) -> dict[str, Any]:
    return {
        "key": p.key,
        "name": p.name,
        "kind": p.kind,
        "description": p.description,
        "start_date": p.start_date,
        "target_date": p.target_date,
        "lead": p.lead.email if p.lead else None,
        "archived": p.archived_at is not None,
        "is_private": p.is_private,
        "colour": p.colour,
        "icon": p.icon,
        "my_role": getattr(p, "my_role", None),  # set by the selectors (visible_projects)
        "version": p.version,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def _checklist_counts(t: Task) -> dict[str, int]:
    total = getattr(t, "checklist_total", None)
    if total is None:  # not annotated by selectors.with_task_fields (one task after a write)
        counts = selectors.checklist(task=t).aggregate(total=Count("pk"), done=Count("pk", filter=Q(done=True)))
        return {"done": counts["done"], "total": counts["total"]}
    return {"done": t.checklist_done, "total": total}  # type: ignore[attr-defined]


def _task(t: Task) -> dict[str, Any]:
    if not hasattr(t, "custom_values"):
        selectors.attach_custom_values([t])
    return {
        "key": t.key,
        "project": t.project.key,
        "version": t.version,
        "type": t.type,
        "title": t.title,
        "description": t.description,
        "status": t.status.name,
        "category": t.status.category,
        "priority": t.priority_name,
        "assignee": t.assignee.email if t.assignee else None,
        "reporter": t.reporter.email if t.reporter else None,
        "parent": t.parent.key if t.parent_id and t.parent else None,
        "start_date": t.start_date,
        "due_date": t.due_date,
        "duration_days": t.duration_days,
        "estimate_hours": t.estimate_hours,
        "estimate_optimistic_hours": _hours(t.estimate_optimistic_minutes),
        "estimate_likely_hours": _hours(t.estimate_likely_minutes),
        "estimate_pessimistic_hours": _hours(t.estimate_pessimistic_minutes),
        "rollup_estimate_hours": _hours(t.rollup_estimate_minutes),
        "progress": t.progress,
        "labels": sorted(label.name for label in t.label_objects()),
        "collaborators": sorted(user.email for user in t.collaborators.all()),
        "custom_fields": t.custom_values,  # type: ignore[attr-defined]  # attached by selectors.attach_custom_values
        "checklist": _checklist_counts(t),
        "status_colour": t.status.badge_colour,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "completed_at": t.completed_at,
    }


def _workflow(project: Project) -> dict[str, Any]:
    statuses, transitions = selectors.workflow_get(project=project)
    definitions = field_services.field_definitions(project)
    return {
        "statuses": [
            {
                "id": s.pk,
                "name": s.name,
                "category": s.category,
                "wip_limit": s.wip_limit,
                "colour": s.colour,
                "badge_colour": s.badge_colour,
                "required_fields": field_services.required_names(s, definitions),
            }
            for s in statuses
        ],
        "transitions": [{"from": t.from_status.name, "to": t.to_status.name} for t in transitions],
        "version": project.version,
    }


def _json_dates(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, (date, datetime)) else v for k, v in body.items()}


current_serialiser(Project)(lambda p: _json_dates(_project(p)))
current_serialiser(Task)(lambda t: _json_dates(_task(t)))


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    return user, workspace


def _task_after_write(user: Any, workspace: Workspace, task: Task) -> dict[str, Any]:
    return _task(selectors.task_get(user=user, workspace=workspace, key=task.key, include_trash=True))


def _scope_membership(request: HttpRequest, ws: str) -> tuple[Any, Workspace, Membership]:
    """Like _scope, with the caller's membership: pass it on and the selectors need not look it up."""
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    return user, workspace, membership


# A text search's count stops here (or at the end of the page asked for): past it, `count` is a
# lower bound and `count_exact` is false. Counting 18,000 matches exactly cost 50-65 ms.
COUNT_CAP = 1000
_MAX_OFFSET = 2**62  # what both databases can LIMIT/OFFSET by


def _task_page(
    request: HttpRequest, tasks: Any, *, page: int, page_size: int, found: selectors.TaskSearch | None = None
) -> HttpResponse:
    """A page of tasks as TaskPage, built from rows (work/task_rows.py) and sent as JSON without
    re-validating it against the schema: the list routes' hot path (docs/performance.md).
    A constant number of queries whatever the page size. With `found` (a text search in best-match
    order) many matches are ranked within a window and counted up to a cap (_ranked_page)."""
    if found is not None and (split := found.rank_window()) is not None:
        return _ranked_page(request, found, split, page=page, page_size=page_size)
    counted = found.filtered if found is not None else tasks.order_by()
    result = paginate(request, task_rows.rows(tasks), page=page, page_size=page_size, counted=counted)
    result["items"] = task_rows.bodies(result["items"])
    result["count_exact"] = True
    return json_response(result)


def _ranked_page(
    request: HttpRequest,
    found: selectors.TaskSearch,
    split: tuple[Any, Any],
    *,
    page: int,
    page_size: int,
) -> HttpResponse:
    """A page of a text search with more than RANK_WINDOW matches: the window's matches best
    first, then the older ones newest first; the count exact up to COUNT_CAP (or the end of this
    page, so that `next` is right), a lower bound past it."""
    page, size = page_bounds(page, page_size)
    window, rest = split
    start = (page - 1) * size
    end = start + size
    cap = min(max(COUNT_CAP, end) + 1, _MAX_OFFSET)
    count = found.walked()[:cap].count()
    rows: list[Any] = []
    if start < count:
        if start < selectors.RANK_WINDOW:
            rows += task_rows.rows(window)[start : min(end, selectors.RANK_WINDOW)]
        if end > selectors.RANK_WINDOW:
            rows += task_rows.rows(rest)[max(0, start - selectors.RANK_WINDOW) : end - selectors.RANK_WINDOW]
    return json_response(
        {
            "items": task_rows.bodies(rows),
            "count": count,
            "next": next_url(request, page, size) if end < count else None,
            "count_exact": count < cap,
        }
    )


# --- projects ----------------------------------------------------------------------------------


@router.post("/workspaces/{ws}/projects", response={201: ProjectOut}, summary="Create a project or work stream")
def project_create(request: HttpRequest, ws: str, payload: ProjectIn) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    project = services.project_create(actor=user, workspace=workspace, **payload.dict())
    return Status(201, _project(selectors.project_get(user=user, workspace=workspace, key=project.key)))


@router.get("/workspaces/{ws}/projects", response=Page[ProjectOut], summary="Projects and work streams")
def project_list(request: HttpRequest, ws: str, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    result = paginate(request, selectors.project_list(user=user, workspace=workspace), page=page, page_size=page_size)
    result["items"] = [_project(p) for p in result["items"]]
    return result


@router.get("/workspaces/{ws}/projects/{key}", response=ProjectOut, summary="One project")
def project_get(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    return _project(selectors.project_get(user=user, workspace=workspace, key=key))


@router.patch("/workspaces/{ws}/projects/{key}", response=ProjectOut, summary="Change a project")
def project_update(request: HttpRequest, ws: str, key: str, payload: ProjectPatchIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key)
    fields = payload.dict(exclude_unset=True)
    fields.pop("version", None)
    updated = services.project_update(
        actor=user, project=project, version=expected_version(request, payload.version), **fields
    )
    return _project(selectors.project_get(user=user, workspace=workspace, key=updated.key))


@router.delete("/workspaces/{ws}/projects/{key}", response={204: None}, summary="Move a project to the trash")
def project_delete(request: HttpRequest, ws: str, key: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    services.project_delete(actor=user, project=selectors.project_get(user=user, workspace=workspace, key=key))
    return Status(204, None)


@router.get("/workspaces/{ws}/projects/{key}/workflow", response=WorkflowOut, by_alias=True, summary="Workflow")
def workflow_get(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    return _workflow(selectors.project_get(user=user, workspace=workspace, key=key))


@router.put(
    "/workspaces/{ws}/projects/{key}/workflow",
    response=WorkflowOut,
    by_alias=True,
    summary="Replace the workflow (statuses in order, allowed transitions; none = any move)",
)
def workflow_replace(request: HttpRequest, ws: str, key: str, payload: WorkflowIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key)
    updated = services.workflow_replace(
        actor=user,
        project=project,
        statuses=[
            services.StatusSpec(s.name, s.category, s.wip_limit, s.id, s.colour, tuple(s.required_fields))
            for s in payload.statuses
        ],
        transitions=[(t.from_, t.to) for t in payload.transitions],
        version=expected_version(request, payload.version),
    )
    return _workflow(updated)


# --- tasks -------------------------------------------------------------------------------------


@router.post("/workspaces/{ws}/projects/{key}/tasks", response={201: TaskOut}, summary="Create a task")
def task_create(request: HttpRequest, ws: str, key: str, payload: TaskIn) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key)
    task = services.task_create(actor=user, project=project, **payload.dict())
    return Status(201, _task_after_write(user, workspace, task))


@router.get("/workspaces/{ws}/projects/{key}/tasks", response=TaskPage, summary="Tasks of a project")
def task_list(
    request: HttpRequest,
    ws: str,
    key: str,
    status: str | None = Query(None, max_length=60),
    assignee: str | None = Query(None, max_length=254, description="an e-mail or `me`"),
    label: str | None = Query(None, max_length=60),
    q: str | None = Query(None, max_length=2000, description="the query language: `status:open assignee:me`"),
    order: str | None = Query(None, max_length=200, description="e.g. `-updated,priority`; default rank"),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> HttpResponse:
    user = actor(request)
    workspace, membership, project = selectors.project_scope(user=user, slug=ws, key=key)
    check(user, "work.view", membership)
    found = selectors.task_search(
        user=user,
        workspace=workspace,
        membership=membership,
        project=project,
        status=status,
        assignee=assignee,
        label=label,
        q=q,
        order=order,
    )
    return _task_page(request, found.tasks, page=page, page_size=page_size, found=found)


@router.get("/workspaces/{ws}/tasks/{task_key}", response=TaskOut, summary="One task")
def task_get(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    return _task(selectors.task_get(user=user, workspace=workspace, key=task_key))


@router.patch("/workspaces/{ws}/tasks/{task_key}", response=TaskOut, summary="Change a task (status moves too)")
def task_update(request: HttpRequest, ws: str, task_key: str, payload: TaskPatchIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = selectors.task_get(user=user, workspace=workspace, key=task_key)
    fields = payload.dict(exclude_unset=True)
    fields.pop("version", None)
    updated = services.task_update(actor=user, task=task, version=expected_version(request, payload.version), **fields)
    return _task_after_write(user, workspace, updated)


@router.delete("/workspaces/{ws}/tasks/{task_key}", response={204: None}, summary="Move a task to the trash")
def task_delete(request: HttpRequest, ws: str, task_key: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    services.task_delete(actor=user, task=selectors.task_get(user=user, workspace=workspace, key=task_key))
    return Status(204, None)


@router.post("/workspaces/{ws}/tasks/{task_key}/restore", response=TaskOut, summary="Restore a task from the trash")
def task_restore(request: HttpRequest, ws: str, task_key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = selectors.task_get(user=user, workspace=workspace, key=task_key, include_trash=True)
    return _task_after_write(user, workspace, services.task_restore(actor=user, task=task))


# --- bulk changes, board moves, trash ----------------------------------------------------------


class BulkSetIn(Schema):
    status: str | None = Field(None, min_length=1, max_length=60)
    assignee: str | None = Field(None, max_length=254, description="an e-mail; null unassigns")
    priority: PriorityName | None = None
    due_date: IsoDate | None = Field(None, description="null clears it")
    labels_add: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=50)
    labels_remove: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=50)


class BulkIn(Schema):
    tasks: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        ..., min_length=1, max_length=200, description="task keys of this project, e.g. OPS-4"
    )
    set: BulkSetIn | None = Field(None, description="the changes; leave out with delete")
    delete: Bool = Field(False, description="move them all to the trash instead")


class TaskListOut(Schema):
    items: list[TaskOut]


class MoveIn(Schema):
    before: str | None = Field(None, max_length=30, description="the task it now comes before")
    after: str | None = Field(None, max_length=30, description="the task it now comes after")
    status: str | None = Field(None, min_length=1, max_length=60, description="move it into this status too")
    version: Int | None = None


@router.post(
    "/workspaces/{ws}/projects/{key}/tasks/bulk",
    response=TaskListOut,
    summary="Change or trash up to 200 tasks at once (all or none)",
)
def task_bulk_update(request: HttpRequest, ws: str, key: str, payload: BulkIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key)
    fields = payload.set.dict(exclude_unset=True) if payload.set is not None else {}
    changed = task_services.task_bulk_update(
        actor=user,
        workspace=workspace,
        project=project,
        task_keys=payload.tasks,
        status=fields.get("status"),
        assignee=fields.get("assignee", services.UNSET),
        priority=fields.get("priority"),
        due_date=fields.get("due_date", services.UNSET),
        labels_add=fields.get("labels_add"),
        labels_remove=fields.get("labels_remove"),
        delete=payload.delete,
    )
    keys = [t.key for t in changed]
    found = selectors.task_list_by_keys(workspace=workspace, project=project, keys=keys)
    pks = [t.pk for t in found]
    with_fields = list(selectors.with_task_fields(selectors.tasks_by_pk(workspace=workspace, pks=pks)))
    by_key = {t.key: t for t in selectors.attach_custom_values(with_fields)}
    return {"items": [_task(by_key[k]) for k in keys]}


@router.post("/workspaces/{ws}/tasks/{task_key}/move", response=TaskOut, summary="Reorder a task (and change status)")
def task_move(request: HttpRequest, ws: str, task_key: str, payload: MoveIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    task = selectors.task_get(user=user, workspace=workspace, key=task_key)
    moved = task_services.task_move(
        actor=user,
        task=task,
        before_key=payload.before,
        after_key=payload.after,
        status=payload.status,
        version=expected_version(request, payload.version),
    )
    return _task_after_write(user, workspace, moved)


@router.get("/workspaces/{ws}/projects/{key}/trash", response=TaskPage, summary="Trashed tasks of a project")
def task_trash_list(
    request: HttpRequest, ws: str, key: str, page: int = PAGE, page_size: int = PAGE_SIZE
) -> HttpResponse:
    user, workspace, membership = _scope_membership(request, ws)
    project = selectors.project_get(user=user, workspace=workspace, key=key, membership=membership)
    return _task_page(
        request, selectors.task_trash_list(workspace=workspace, project=project), page=page, page_size=page_size
    )


@router.post("/workspaces/{ws}/projects/{key}/restore", response=ProjectOut, summary="Restore a project from the trash")
def project_restore(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    project = selectors.project_get_any(user=user, workspace=workspace, key=key)
    restored = project_services.project_restore(actor=user, project=project)
    return _project(selectors.project_get(user=user, workspace=workspace, key=restored.key))


# --- labels --------------------------------------------------------------------------------------


class LabelIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    colour: str | None = Field(None, max_length=7, description="#rrggbb; default grey")


class LabelPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    colour: str | None = Field(None, max_length=7, description="#rrggbb")
    version: Int | None = None


class LabelOut(Schema):
    id: str
    name: str
    colour: str
    version: int


def _label(label: Label) -> dict[str, Any]:
    return {"id": label.public_id, "name": label.name, "colour": label.colour, "version": label.version}


@router.get("/workspaces/{ws}/labels", response=Page[LabelOut], summary="Labels of the workspace")
def label_list(request: HttpRequest, ws: str, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    _, workspace = _scope(request, ws)
    result = paginate(request, selectors.label_list(workspace=workspace), page=page, page_size=page_size)
    result["items"] = [_label(label) for label in result["items"]]
    return result


@router.post("/workspaces/{ws}/labels", response={201: LabelOut}, summary="Create a label")
def label_create(request: HttpRequest, ws: str, payload: LabelIn) -> Status[dict[str, Any]]:
    user, workspace = _scope(request, ws)
    label = label_services.label_create(actor=user, workspace=workspace, name=payload.name, colour=payload.colour)
    return Status(201, _label(label))


@router.patch("/workspaces/{ws}/labels/{label_id}", response=LabelOut, summary="Rename or recolour a label")
def label_update(request: HttpRequest, ws: str, label_id: str, payload: LabelPatchIn) -> dict[str, Any]:
    user, workspace = _scope(request, ws)
    label = selectors.label_get(workspace=workspace, label_id=label_id)
    fields = payload.dict(exclude_unset=True)
    fields.pop("version", None)
    updated = label_services.label_update(
        actor=user, label=label, version=expected_version(request, payload.version), **fields
    )
    return _label(updated)


@router.delete("/workspaces/{ws}/labels/{label_id}", response={204: None}, summary="Delete a label (off every task)")
def label_delete(request: HttpRequest, ws: str, label_id: str) -> Status[None]:
    user, workspace = _scope(request, ws)
    label_services.label_delete(actor=user, label=selectors.label_get(workspace=workspace, label_id=label_id))
    return Status(204, None)
