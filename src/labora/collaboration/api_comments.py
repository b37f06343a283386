"""Comments, reactions and mentions on tasks and projects: the API (API.md, Collaboration).

GET|POST    /workspaces/{ws}/tasks/{task_key}/comments            {"body", "parent"?}
PATCH|DELETE /workspaces/{ws}/tasks/{task_key}/comments/{id}       {"body", "version"?} / If-Match
GET         /workspaces/{ws}/tasks/{task_key}/comments/{id}/revisions
POST        /workspaces/{ws}/tasks/{task_key}/comments/{id}/reactions  {"emoji"}  (adds; idempotent)
DELETE      /workspaces/{ws}/tasks/{task_key}/comments/{id}/reactions/{emoji}
... and the same under /workspaces/{ws}/projects/{key}/comments for project discussions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from labora.collaboration import comment_selectors as selectors
from labora.collaboration import services
from labora.collaboration.models import REACTION_EMOJIS, Comment
from labora.core.api_utils import actor, current_serialiser, expected_version
from labora.core.pagination import Page, paginate
from labora.core.policy import check
from labora.work import selectors as work_selectors
from labora.work.models import Project, Task
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["comments"])

PAGE = Query(1, ge=1)
PAGE_SIZE = Query(50, ge=1, le=200)
# Optional in the signature so that a missing one is the service's clear 422 (after the 404s).
EMOJI_QUERY = Query("", max_length=16, description=f"the reaction to take back: one of {' '.join(REACTION_EMOJIS)}")


class CommentIn(Schema):
    body: str = Field(
        ...,
        description="Markdown, 1 to 20,000 characters; @handle or @e-mail mentions a member, "
        "@team-name a team, OPS-12 or #OPS-12 links a task",
    )
    parent: str | None = Field(None, max_length=20, description="id of the comment to reply to")


class CommentPatchIn(Schema):
    body: str = Field(..., description="Markdown, 1 to 20,000 characters")
    version: int | None = Field(None, description="the version you edited (or send If-Match)")


class ReactionIn(Schema):
    emoji: str = Field(..., max_length=16, description=f"one of {' '.join(REACTION_EMOJIS)}")


class ReactionOut(Schema):
    emoji: str
    count: int
    mine: bool


class CommentOut(Schema):
    id: str
    body: str = Field(description="Markdown source")
    body_html: str
    author: str | None = Field(description="the author's e-mail")
    author_name: str | None
    created_at: datetime
    edited_at: datetime | None
    parent: str | None
    mentions: list[str] = Field(description="e-mails of the members mentioned (teams expanded)")
    reactions: list[ReactionOut]
    version: int


class RevisionOut(Schema):
    body: str
    edited_by: str | None
    at: datetime


def _mentioned(c: Comment) -> list[Any]:
    prefetched = getattr(c, "mention_list", None)
    return list(prefetched) if prefetched is not None else list(c.mentions.order_by("email"))


def _comment(c: Comment) -> dict[str, Any]:
    return {
        "id": c.public_id,
        "body": c.body,
        "body_html": getattr(c, "html", c.body_html),
        "author": c.author.email if c.author else None,
        "author_name": c.author.display_name if c.author else None,
        "created_at": c.created_at,
        "edited_at": c.edited_at,
        "parent": c.parent.public_id if c.parent_id else None,  # type: ignore[union-attr]  # parent_id is set
        "mentions": [u.email for u in _mentioned(c)],
        "reactions": [
            {"emoji": r.emoji, "count": r.count, "mine": r.mine} for r in getattr(c, "reactions_summary", [])
        ],
        "version": c.version,
    }


def _current(c: Comment) -> dict[str, Any]:
    data = _comment(c)
    for key in ("created_at", "edited_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


current_serialiser(Comment)(_current)


# --- scope -----------------------------------------------------------------------------------


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace, Membership]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    return user, workspace, membership


def _task(request: HttpRequest, ws: str, task_key: str) -> tuple[Any, Workspace, Membership, Task]:
    user, workspace, membership = _scope(request, ws)
    task = work_selectors.task_get(user=user, workspace=workspace, key=task_key, membership=membership)
    return user, workspace, membership, task


def _project(request: HttpRequest, ws: str, key: str) -> tuple[Any, Workspace, Membership, Project]:
    user, workspace, membership = _scope(request, ws)
    project = work_selectors.project_get(user=user, workspace=workspace, key=key, membership=membership)
    return user, workspace, membership, project


def _one(user: Any, workspace: Workspace, membership: Membership, comment: Comment) -> dict[str, Any]:
    selectors.decorate([comment], viewer=user, workspace=workspace, membership=membership)
    return _comment(comment)


def _list(
    request: HttpRequest, user: Any, workspace: Workspace, membership: Membership, qs: Any, page: int, page_size: int
) -> dict[str, Any]:
    result = paginate(request, qs, page=page, page_size=page_size)
    selectors.decorate(result["items"], viewer=user, workspace=workspace, membership=membership)
    result["items"] = [_comment(c) for c in result["items"]]
    return result


def _parent(task: Task | None, project: Project | None, parent_id: str | None) -> Comment | None:
    if not parent_id:
        return None
    return selectors.comment_get(task=task, project=project, comment_id=parent_id)


def _fresh(task: Task | None, project: Project | None, comment: Comment) -> Comment:
    return selectors.comment_get(task=task, project=project, comment_id=comment.public_id)


# --- task comments ---------------------------------------------------------------------------

TASK_COMMENTS = "/workspaces/{ws}/tasks/{task_key}/comments"
TASK_COMMENT = TASK_COMMENTS + "/{comment_id}"


@router.get(TASK_COMMENTS, response=Page[CommentOut], summary="Comments of a task (oldest first, replies included)")
def task_comment_list(
    request: HttpRequest, ws: str, task_key: str, page: int = PAGE, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    user, workspace, membership, task = _task(request, ws, task_key)
    return _list(request, user, workspace, membership, selectors.comment_list(task=task), page, page_size)


@router.post(TASK_COMMENTS, response={201: CommentOut}, summary="Comment on a task (or reply with parent)")
def task_comment_create(request: HttpRequest, ws: str, task_key: str, payload: CommentIn) -> Status[dict[str, Any]]:
    user, workspace, membership, task = _task(request, ws, task_key)
    comment = services.comment_create(
        actor=user, task=task, body=payload.body, parent=_parent(task, None, payload.parent)
    )
    return Status(201, _one(user, workspace, membership, _fresh(task, None, comment)))


@router.get(TASK_COMMENT, response=CommentOut, summary="One comment of a task")
def task_comment_get(request: HttpRequest, ws: str, task_key: str, comment_id: str) -> dict[str, Any]:
    user, workspace, membership, task = _task(request, ws, task_key)
    return _one(user, workspace, membership, selectors.comment_get(task=task, comment_id=comment_id))


@router.patch(TASK_COMMENT, response=CommentOut, summary="Edit your comment (If-Match or version; 409 when stale)")
def task_comment_update(
    request: HttpRequest, ws: str, task_key: str, comment_id: str, payload: CommentPatchIn
) -> dict[str, Any]:
    user, workspace, membership, task = _task(request, ws, task_key)
    comment = selectors.comment_get(task=task, comment_id=comment_id)
    services.comment_update(
        actor=user, comment=comment, body=payload.body, version=expected_version(request, payload.version)
    )
    return _one(user, workspace, membership, _fresh(task, None, comment))


@router.delete(TASK_COMMENT, response={204: None}, summary="Delete a comment (its author or a project manager)")
def task_comment_delete(request: HttpRequest, ws: str, task_key: str, comment_id: str) -> Status[None]:
    user, _, _, task = _task(request, ws, task_key)
    comment = selectors.comment_get(task=task, comment_id=comment_id)
    services.comment_delete(actor=user, comment=comment, version=expected_version(request, None))
    return Status(204, None)


@router.get(TASK_COMMENT + "/revisions", response=list[RevisionOut], summary="Earlier texts of a comment")
def task_comment_revisions(request: HttpRequest, ws: str, task_key: str, comment_id: str) -> list[dict[str, Any]]:
    _, _, _, task = _task(request, ws, task_key)
    return _revisions(selectors.comment_get(task=task, comment_id=comment_id))


@router.post(TASK_COMMENT + "/reactions", response={200: CommentOut, 201: CommentOut}, summary="React to a comment")
def task_reaction_add(
    request: HttpRequest, ws: str, task_key: str, comment_id: str, payload: ReactionIn
) -> Status[dict[str, Any]]:
    user, workspace, membership, task = _task(request, ws, task_key)
    comment = selectors.comment_get(task=task, comment_id=comment_id)
    added = services.reaction_add(actor=user, comment=comment, emoji=payload.emoji)
    return Status(201 if added else 200, _one(user, workspace, membership, _fresh(task, None, comment)))


@router.delete(TASK_COMMENT + "/reactions", response={204: None}, summary="Take your reaction back (?emoji=)")
def task_reaction_remove(
    request: HttpRequest, ws: str, task_key: str, comment_id: str, emoji: str = EMOJI_QUERY
) -> Status[None]:
    user, _, _, task = _task(request, ws, task_key)
    comment = selectors.comment_get(task=task, comment_id=comment_id)
    services.reaction_remove(actor=user, comment=comment, emoji=emoji)
    return Status(204, None)


def _revisions(comment: Comment) -> list[dict[str, Any]]:
    return [
        {"body": r.body, "edited_by": r.edited_by.email if r.edited_by else None, "at": r.at}
        for r in selectors.comment_revisions(comment=comment)
    ]


# --- project discussion ----------------------------------------------------------------------

PROJECT_COMMENTS = "/workspaces/{ws}/projects/{key}/comments"
PROJECT_COMMENT = PROJECT_COMMENTS + "/{comment_id}"


@router.get(PROJECT_COMMENTS, response=Page[CommentOut], summary="Discussion of a project (oldest first)")
def project_comment_list(
    request: HttpRequest, ws: str, key: str, page: int = PAGE, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    user, workspace, membership, project = _project(request, ws, key)
    return _list(request, user, workspace, membership, selectors.comment_list(project=project), page, page_size)


@router.post(PROJECT_COMMENTS, response={201: CommentOut}, summary="Post in a project's discussion")
def project_comment_create(request: HttpRequest, ws: str, key: str, payload: CommentIn) -> Status[dict[str, Any]]:
    user, workspace, membership, project = _project(request, ws, key)
    comment = services.comment_create(
        actor=user, project=project, body=payload.body, parent=_parent(None, project, payload.parent)
    )
    return Status(201, _one(user, workspace, membership, _fresh(None, project, comment)))


@router.get(PROJECT_COMMENT, response=CommentOut, summary="One comment of a project")
def project_comment_get(request: HttpRequest, ws: str, key: str, comment_id: str) -> dict[str, Any]:
    user, workspace, membership, project = _project(request, ws, key)
    return _one(user, workspace, membership, selectors.comment_get(project=project, comment_id=comment_id))


@router.patch(PROJECT_COMMENT, response=CommentOut, summary="Edit your project comment")
def project_comment_update(
    request: HttpRequest, ws: str, key: str, comment_id: str, payload: CommentPatchIn
) -> dict[str, Any]:
    user, workspace, membership, project = _project(request, ws, key)
    comment = selectors.comment_get(project=project, comment_id=comment_id)
    services.comment_update(
        actor=user, comment=comment, body=payload.body, version=expected_version(request, payload.version)
    )
    return _one(user, workspace, membership, _fresh(None, project, comment))


@router.delete(PROJECT_COMMENT, response={204: None}, summary="Delete a project comment")
def project_comment_delete(request: HttpRequest, ws: str, key: str, comment_id: str) -> Status[None]:
    user, _, _, project = _project(request, ws, key)
    comment = selectors.comment_get(project=project, comment_id=comment_id)
    services.comment_delete(actor=user, comment=comment, version=expected_version(request, None))
    return Status(204, None)


@router.get(PROJECT_COMMENT + "/revisions", response=list[RevisionOut], summary="Earlier texts of a project comment")
def project_comment_revisions(request: HttpRequest, ws: str, key: str, comment_id: str) -> list[dict[str, Any]]:
    _, _, _, project = _project(request, ws, key)
    return _revisions(selectors.comment_get(project=project, comment_id=comment_id))


@router.post(
    PROJECT_COMMENT + "/reactions", response={200: CommentOut, 201: CommentOut}, summary="React to a project comment"
)
def project_reaction_add(
    request: HttpRequest, ws: str, key: str, comment_id: str, payload: ReactionIn
) -> Status[dict[str, Any]]:
    user, workspace, membership, project = _project(request, ws, key)
    comment = selectors.comment_get(project=project, comment_id=comment_id)
    added = services.reaction_add(actor=user, comment=comment, emoji=payload.emoji)
    return Status(201 if added else 200, _one(user, workspace, membership, _fresh(None, project, comment)))


@router.delete(PROJECT_COMMENT + "/reactions", response={204: None}, summary="Take your reaction back (?emoji=)")
def project_reaction_remove(
    request: HttpRequest, ws: str, key: str, comment_id: str, emoji: str = EMOJI_QUERY
) -> Status[None]:
    user, _, _, project = _project(request, ws, key)
    comment = selectors.comment_get(project=project, comment_id=comment_id)
    services.reaction_remove(actor=user, comment=comment, emoji=emoji)
    return Status(204, None)
