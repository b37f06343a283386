"""Project members under /api/v1/workspaces/{ws}/projects/{key}/members: who a project is
shared with, and in which role (docs/decisions/0006-project-access.md)."""

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
from labora.work.models import Project, ProjectMember
from labora.work.services import members as member_services
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.selectors import workspace_for_user

router = Router(tags=["project members"])

RoleName = Literal["manager", "contributor", "viewer"]


class MemberUserOut(Schema):
    id: str = Field(..., description="the user's public id")
    email: str
    name: str


class ProjectMemberOut(Schema):
    id: str = Field(..., description="the member's user id: address them as .../members/{id} (or by e-mail)")
    user: MemberUserOut
    role: str = Field(..., description="manager, contributor or viewer")
    workspace_role: str | None = Field(..., description="their role in the workspace; null if they left it")
    added_at: datetime
    version: int = Field(..., description="send it back as If-Match (or `version`) when changing the role")


class ProjectMemberIn(Schema):
    email: str = Field(..., min_length=3, max_length=254, description="a workspace member's e-mail")
    role: RoleName | None = Field(None, description="default: contributor, or viewer for guests and clients")


class ProjectMemberPatchIn(Schema):
    role: RoleName
    version: Annotated[int, Strict()] | None = Field(None, description="the version the change is based on")


def _member(row: ProjectMember) -> dict[str, Any]:
    return {
        "id": row.user.public_id,
        "user": {"id": row.user.public_id, "email": row.user.email, "name": row.user.display_name},
        "role": row.role,
        "workspace_role": getattr(row, "workspace_role", None),
        "added_at": row.created_at,
        "version": row.version,
    }


@current_serialiser(ProjectMember)
def _current_member(row: ProjectMember) -> dict[str, Any]:
    fresh = selectors.project_members(project=row.project).filter(pk=row.pk).first()  # with its workspace role
    body = _member(fresh or row)
    body["added_at"] = row.created_at.isoformat()
    return body


def _project(request: HttpRequest, ws: str, key: str) -> tuple[Any, Workspace, Membership, Project]:
    user = actor(request)
    workspace, membership = workspace_for_user(user=user, slug=ws)
    check(user, "work.view", membership)
    project = selectors.project_get(user=user, workspace=workspace, membership=membership, key=key)
    return user, workspace, membership, project


@router.get(
    "/workspaces/{ws}/projects/{key}/members",
    response=Page[ProjectMemberOut],
    summary="People the project is shared with, and their roles",
)
def project_member_list(
    request: HttpRequest, ws: str, key: str, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    _, _, _, project = _project(request, ws, key)
    result = paginate(request, selectors.project_members(project=project), page=page, page_size=page_size)
    result["items"] = [_member(row) for row in result["items"]]
    return result


@router.post(
    "/workspaces/{ws}/projects/{key}/members",
    response={201: ProjectMemberOut},
    summary="Share the project with a workspace member (managers only)",
)
def project_member_add(request: HttpRequest, ws: str, key: str, payload: ProjectMemberIn) -> Status[dict[str, Any]]:
    user, _, _, project = _project(request, ws, key)
    row = member_services.project_member_add(actor=user, project=project, email=payload.email, role=payload.role)
    return Status(201, _member(selectors.project_member_get(project=project, member=row.user.public_id)))


@router.patch(
    "/workspaces/{ws}/projects/{key}/members/{member}",
    response=ProjectMemberOut,
    summary="Change a member's project role (member: the user's id or e-mail)",
)
def project_member_change_role(
    request: HttpRequest, ws: str, key: str, member: str, payload: ProjectMemberPatchIn
) -> dict[str, Any]:
    user, _, _, project = _project(request, ws, key)
    row = selectors.project_member_get(project=project, member=member)
    member_services.project_member_change_role(
        actor=user, project=project, member=row, role=payload.role, version=expected_version(request, payload.version)
    )
    return _member(selectors.project_member_get(project=project, member=row.user.public_id))


@router.delete(
    "/workspaces/{ws}/projects/{key}/members/{member}",
    response={204: None},
    summary="Stop sharing the project with someone (member: the user's id or e-mail)",
)
def project_member_remove(request: HttpRequest, ws: str, key: str, member: str) -> Status[None]:
    user, _, _, project = _project(request, ws, key)
    row = selectors.project_member_get(project=project, member=member)
    member_services.project_member_remove(actor=user, project=project, member=row)
    return Status(204, None)
