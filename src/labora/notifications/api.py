"""The notifications API: the inbox, marking read/unread/archived, preferences, project watching."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from labora.core.api_utils import actor, expected_version
from labora.core.errors import ValidationError
from labora.core.pagination import Page, paginate
from labora.core.policy import check
from labora.notifications import selectors, services
from labora.notifications.models import Kind, Notification
from labora.work import selectors as work_selectors
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["notifications"])

KindName = Literal[
    "task.assigned",
    "task.status_changed",
    "task.due_changed",
    "task.priority_changed",
    "comment.mention",
    "comment.added",
    "chat.mention",
    "chat.direct",
]
ModeName = Literal["instant", "hourly", "daily", "off"]


class PersonOut(Schema):
    id: str
    email: str
    name: str


class NotificationOut(Schema):
    id: str
    kind: str = Field(..., description="task.assigned, comment.mention, … (see notification-preferences)")
    actor: PersonOut | None
    task: str | None = Field(..., description="the task key, when it is about a task")
    project: str | None = Field(..., description="the project key, when it is about a project or its task")
    target: str = Field(..., description="what it is about, as shown: `OPS-12 Fix the login`")
    text: str = Field(..., description="what the actor did, after their name: `assigned you`")
    count: int = Field(..., description="how many updates collapsed into this one")
    link: str = Field(..., description="the page it points to")
    created_at: datetime
    updated_at: datetime
    read: bool
    archived: bool


class IdsIn(Schema):
    ids: list[str] = Field(default_factory=list, max_length=200, description="notification ids (max 200)")
    all: StrictBool = Field(False, description="true: every notification (ids are then ignored)")


class IdsOnlyIn(Schema):
    ids: list[str] = Field(..., min_length=1, max_length=200)


class MarkedOut(Schema):
    changed: int = Field(..., description="how many notifications changed")
    unread: int = Field(..., description="your unread count in this workspace now")


class PreferenceRowOut(Schema):
    kind: str
    label: str
    inbox: bool
    email: bool


class PreferencesOut(Schema):
    version: int = Field(..., description="send it back (If-Match or `version`) with a change")
    email_mode: str = Field(..., description="instant, hourly, daily or off — for all your workspaces")
    kinds: list[PreferenceRowOut]


class PreferenceRowIn(Schema):
    kind: KindName
    inbox: StrictBool | None = None
    email: StrictBool | None = None


class PreferencesIn(Schema):
    version: int | None = None
    email_mode: ModeName | None = None
    kinds: list[PreferenceRowIn] = Field(default_factory=list, max_length=50)


class WatchOut(Schema):
    project: str
    watching: bool
    watchers: int


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.public_id, "email": user.email, "name": user.display_name}


def _notification(n: Notification) -> dict[str, Any]:
    project = n.project.key if n.project is not None else (n.task.project.key if n.task is not None else None)
    return {
        "id": n.public_id,
        "kind": n.kind,
        "actor": _person(n.actor),
        "task": n.task.key if n.task is not None else None,
        "project": project,
        "target": n.target_label,
        "text": n.text,
        "count": n.count,
        "link": n.link,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
        "read": not n.unread,
        "archived": n.archived_at is not None,
    }


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace, Membership]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "notification.manage", membership, message="You can only manage your own notifications.")
    return user, workspace, membership


def _prefs(prefs: selectors.Preferences) -> dict[str, Any]:
    return {
        "version": prefs.version,
        "email_mode": prefs.email_mode,
        "kinds": [{"kind": r.kind, "label": r.label, "inbox": r.inbox, "email": r.email} for r in prefs.rows],
    }


@router.get(
    "/workspaces/{ws}/notifications",
    response=Page[NotificationOut],
    summary="Your notifications in this workspace, unread first, newest first",
)
def notification_list(
    request: HttpRequest,
    ws: str,
    unread: bool | None = Query(None, description="true: only unread ones; false: only read ones"),
    archived: bool = Query(False, description="true: the archived ones instead of the inbox"),
    kind: str | None = Query(None, description="only this kind, e.g. comment.mention"),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    user, workspace, _ = _scope(request, ws)
    if kind is not None and kind not in Kind.values:
        raise ValidationError(
            f"Unknown kind '{kind}'. Use one of: {', '.join(Kind.values)}.", fields={"kind": "unknown kind"}
        )
    rows = selectors.inbox_list(user=user, workspace=workspace, show="archived" if archived else "inbox", kind=kind)
    if unread is not None:
        rows = rows.filter(unread=unread)
    result = paginate(request, rows, page=page, page_size=page_size)
    result["items"] = [_notification(n) for n in result["items"]]
    return result


def _marked(user: Any, workspace: Workspace, changed: int) -> dict[str, Any]:
    return {"changed": changed, "unread": selectors.unread_count(user=user, workspace=workspace)}


@router.post(
    "/workspaces/{ws}/notifications/read",
    response=MarkedOut,
    summary='Mark notifications read: {"ids": [...]} or {"all": true}',
)
def notification_mark_read(request: HttpRequest, ws: str, payload: IdsIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    changed = services.notifications_mark_read(actor=user, membership=membership, ids=payload.ids, all=payload.all)
    return _marked(user, workspace, changed)


@router.post("/workspaces/{ws}/notifications/unread", response=MarkedOut, summary="Mark notifications unread again")
def notification_mark_unread(request: HttpRequest, ws: str, payload: IdsOnlyIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    changed = services.notifications_mark_unread(actor=user, membership=membership, ids=payload.ids)
    return _marked(user, workspace, changed)


@router.post(
    "/workspaces/{ws}/notifications/archive",
    response=MarkedOut,
    summary='Archive notifications (also marks them read): {"ids": [...]} or {"all": true}',
)
def notification_archive(request: HttpRequest, ws: str, payload: IdsIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    changed = services.notifications_archive(actor=user, membership=membership, ids=payload.ids, all=payload.all)
    return _marked(user, workspace, changed)


@router.post(
    "/workspaces/{ws}/notifications/unarchive", response=MarkedOut, summary="Move notifications back to the inbox"
)
def notification_unarchive(request: HttpRequest, ws: str, payload: IdsOnlyIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    changed = services.notifications_unarchive(actor=user, membership=membership, ids=payload.ids)
    return _marked(user, workspace, changed)


@router.get(
    "/workspaces/{ws}/notification-preferences",
    response=PreferencesOut,
    summary="Your notification preferences in this workspace (kinds by inbox/e-mail) and your e-mail mode",
)
def notification_preferences_get(request: HttpRequest, ws: str) -> dict[str, Any]:
    user, workspace, _ = _scope(request, ws)
    return _prefs(selectors.preferences_get(user=user, workspace=workspace))


@router.put(
    "/workspaces/{ws}/notification-preferences",
    response=PreferencesOut,
    summary="Change some switches and/or the e-mail mode (send `version` or If-Match)",
)
def notification_preferences_put(request: HttpRequest, ws: str, payload: PreferencesIn) -> dict[str, Any]:
    user, _, membership = _scope(request, ws)
    switches: dict[tuple[str, str], bool] = {}
    seen: set[str] = set()
    for row in payload.kinds:
        if row.kind in seen:
            raise ValidationError(f"{row.kind} is listed twice; list each kind once.", fields={"kinds": row.kind})
        seen.add(row.kind)
        if row.inbox is not None:
            switches[(row.kind, "inbox")] = row.inbox
        if row.email is not None:
            switches[(row.kind, "email")] = row.email
    prefs = services.preferences_update(
        actor=user,
        membership=membership,
        version=expected_version(request, payload.version),
        email_mode=payload.email_mode,
        switches=switches,
    )
    return _prefs(prefs)


def _watch_out(user: Any, project: Any) -> dict[str, Any]:
    return {
        "project": project.key,
        "watching": selectors.project_is_watched(user=user, project=project),
        "watchers": selectors.project_watcher_count(project=project),
    }


@router.put(
    "/workspaces/{ws}/projects/{key}/watch",
    response=WatchOut,
    summary="Watch a project: its comments reach you (watching twice changes nothing)",
)
def project_watch(request: HttpRequest, ws: str, key: str) -> dict[str, Any]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key, membership=membership)
    services.project_watch(actor=user, project=project)
    return _watch_out(user, project)


@router.delete("/workspaces/{ws}/projects/{key}/watch", response={204: None}, summary="Stop watching a project")
def project_unwatch(request: HttpRequest, ws: str, key: str) -> Status[None]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key, membership=membership)
    services.project_unwatch(actor=user, project=project)
    return Status(204, None)


# The schema's kinds are the model's kinds (a new Kind must be added to KindName too).
if {k.value for k in Kind} != set(get_args(KindName)):  # pragma: no cover - a developer's mistake
    raise RuntimeError("notifications.api.KindName is out of date with models.Kind")
