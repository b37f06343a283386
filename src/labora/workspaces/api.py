"""Workspaces, members, invitations and teams under /api/v1/workspaces."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from labora.core.api_utils import actor, current_serialiser, expected_version
from labora.core.pagination import Page, paginate
from labora.core.policy import check
from labora.workspaces import selectors, services
from labora.workspaces.models import Invitation, Membership, Team, Workspace

router = Router(tags=["workspaces"])

RoleName = Literal["owner", "admin", "member", "guest", "client"]
PAGE = Query(1, ge=1)
PAGE_SIZE = Query(50, ge=1, le=200)


class WorkspaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    slug: str = Field(..., min_length=1, max_length=50)


class WorkspacePatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    version: int | None = None


class WorkspaceOut(Schema):
    slug: str
    name: str
    role: str
    version: int
    created_at: datetime


class MemberOut(Schema):
    id: str
    email: str
    name: str
    handle: str
    role: str
    version: int
    joined_at: datetime


class MemberIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    role: RoleName = "member"


class MemberPatchIn(Schema):
    role: RoleName
    version: int | None = None


class MemberAddedOut(Schema):
    status: Literal["active", "invited"]
    email: str
    role: str
    member: MemberOut | None
    invitation_id: str | None


class InvitationOut(Schema):
    id: str
    email: str
    role: str
    state: str
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


class AcceptIn(Schema):
    token: str = Field(..., min_length=1, max_length=500)


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=2000)


class TeamPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=2000)
    version: int | None = None


class TeamMemberIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)


class TeamMemberOut(Schema):
    id: str
    email: str
    name: str


class TeamOut(Schema):
    id: str
    name: str
    description: str
    version: int
    members: list[TeamMemberOut]


def _workspace(w: Workspace, role: str) -> dict[str, Any]:
    return {"slug": w.slug, "name": w.name, "role": role, "version": w.version, "created_at": w.created_at}


def _member(m: Membership) -> dict[str, Any]:
    u = m.user
    return {
        "id": u.public_id,
        "email": u.email,
        "name": u.name,
        "handle": u.handle,
        "role": m.role,
        "version": m.version,
        "joined_at": m.created_at,
    }


def _invitation(i: Invitation) -> dict[str, Any]:
    return {
        "id": i.public_id,
        "email": i.email,
        "role": i.role,
        "state": i.state,
        "invited_by": i.invited_by.email if i.invited_by else None,
        "created_at": i.created_at,
        "expires_at": i.expires_at,
    }


def _team(t: Team) -> dict[str, Any]:
    return {
        "id": t.public_id,
        "name": t.name,
        "description": t.description,
        "version": t.version,
        "members": [
            {"id": tm.user.public_id, "email": tm.user.email, "name": tm.user.name} for tm in t.memberships.all()
        ],
    }


current_serialiser(Membership)(_member)
current_serialiser(Team)(
    lambda t: {"id": t.public_id, "name": t.name, "description": t.description, "version": t.version}
)
current_serialiser(Workspace)(lambda w: {"slug": w.slug, "name": w.name, "version": w.version})


def _scope(request: HttpRequest, ws: str) -> tuple[Any, Workspace, Membership]:
    user = actor(request)
    workspace, membership = selectors.workspace_for_user(user=user, slug=ws)
    return user, workspace, membership


# --- workspaces ----------------------------------------------------------------------------


@router.post("/workspaces", response={201: WorkspaceOut}, summary="Create a workspace (you become its owner)")
def workspace_create(request: HttpRequest, payload: WorkspaceIn) -> Status[dict[str, Any]]:
    workspace = services.workspace_create(actor=actor(request), name=payload.name, slug=payload.slug)
    return Status(201, _workspace(workspace, "owner"))


@router.get("/workspaces", response=Page[WorkspaceOut], summary="Your workspaces")
def workspace_list(request: HttpRequest, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    result = paginate(request, selectors.memberships_for_user(user=actor(request)), page=page, page_size=page_size)
    result["items"] = [_workspace(m.workspace, m.role) for m in result["items"]]
    return result


@router.get("/workspaces/{ws}", response=WorkspaceOut, summary="One workspace")
def workspace_get(request: HttpRequest, ws: str) -> dict[str, Any]:
    _, workspace, membership = _scope(request, ws)
    return _workspace(workspace, membership.role)


@router.patch("/workspaces/{ws}", response=WorkspaceOut, summary="Rename a workspace")
def workspace_update(request: HttpRequest, ws: str, payload: WorkspacePatchIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    updated = services.workspace_update(
        actor=user,
        workspace=workspace,
        membership=membership,
        version=expected_version(request, payload.version),
        name=payload.name,
    )
    return _workspace(updated, membership.role)


# --- members ---------------------------------------------------------------------------------


@router.get("/workspaces/{ws}/members", response=Page[MemberOut], summary="Members of a workspace")
def member_list(request: HttpRequest, ws: str, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    check(user, "member.list", membership)
    result = paginate(request, selectors.members_list(workspace=workspace), page=page, page_size=page_size)
    result["items"] = [_member(m) for m in result["items"]]
    return result


@router.post(
    "/workspaces/{ws}/members",
    response={201: MemberAddedOut},
    summary="Add a member by e-mail: existing accounts join at once, others get an invitation",
)
def member_add(request: HttpRequest, ws: str, payload: MemberIn) -> Status[dict[str, Any]]:
    user, workspace, membership = _scope(request, ws)
    result = services.member_invite(
        actor=user, workspace=workspace, membership=membership, email=payload.email, role=payload.role
    )
    if isinstance(result, Membership):
        return Status(
            201,
            {
                "status": "active",
                "email": result.user.email,
                "role": result.role,
                "member": _member(result),
                "invitation_id": None,
            },
        )
    return Status(
        201,
        {
            "status": "invited",
            "email": result.email,
            "role": result.role,
            "member": None,
            "invitation_id": result.public_id,
        },
    )


@router.get("/workspaces/{ws}/members/{member_id}", response=MemberOut, summary="One member")
def member_get(request: HttpRequest, ws: str, member_id: str) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    check(user, "member.list", membership)
    return _member(selectors.member_get(workspace=workspace, user_public_id=member_id))


@router.patch("/workspaces/{ws}/members/{member_id}", response=MemberOut, summary="Change a member's role")
def member_update(request: HttpRequest, ws: str, member_id: str, payload: MemberPatchIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    target = selectors.member_get(workspace=workspace, user_public_id=member_id)
    updated = services.member_change_role(
        actor=user,
        workspace=workspace,
        membership=membership,
        target=target,
        role=payload.role,
        version=expected_version(request, payload.version),
    )
    return _member(updated)


@router.delete("/workspaces/{ws}/members/{member_id}", response={204: None}, summary="Remove a member (or leave)")
def member_remove(request: HttpRequest, ws: str, member_id: str) -> Status[None]:
    user, workspace, membership = _scope(request, ws)
    target = selectors.member_get(workspace=workspace, user_public_id=member_id)
    services.member_remove(actor=user, workspace=workspace, membership=membership, target=target)
    return Status(204, None)


# --- invitations -----------------------------------------------------------------------------


@router.get("/workspaces/{ws}/invitations", response=Page[InvitationOut], summary="Pending invitations")
def invitation_list(request: HttpRequest, ws: str, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    check(user, "invitation.manage", membership)
    result = paginate(request, selectors.invitations_pending(workspace=workspace), page=page, page_size=page_size)
    result["items"] = [_invitation(i) for i in result["items"]]
    return result


@router.delete("/workspaces/{ws}/invitations/{invitation_id}", response={204: None}, summary="Revoke an invitation")
def invitation_revoke(request: HttpRequest, ws: str, invitation_id: str) -> Status[None]:
    user, workspace, membership = _scope(request, ws)
    services.invitation_revoke(
        actor=user, workspace=workspace, membership=membership, invitation_public_id=invitation_id
    )
    return Status(204, None)


@router.post("/invitations/accept", response=WorkspaceOut, summary="Accept an invitation with the token from its link")
def invitation_accept(request: HttpRequest, payload: AcceptIn) -> dict[str, Any]:
    membership = services.invitation_accept(actor=actor(request), token=payload.token)
    return _workspace(membership.workspace, membership.role)


# --- teams -----------------------------------------------------------------------------------


@router.get("/workspaces/{ws}/teams", response=Page[TeamOut], summary="Teams")
def team_list(request: HttpRequest, ws: str, page: int = PAGE, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    check(user, "team.view", membership)
    result = paginate(request, selectors.teams_list(workspace=workspace), page=page, page_size=page_size)
    result["items"] = [_team(t) for t in result["items"]]
    return result


@router.post("/workspaces/{ws}/teams", response={201: TeamOut}, summary="Create a team")
def team_create(request: HttpRequest, ws: str, payload: TeamIn) -> Status[dict[str, Any]]:
    user, workspace, membership = _scope(request, ws)
    team = services.team_create(
        actor=user, workspace=workspace, membership=membership, name=payload.name, description=payload.description
    )
    return Status(201, _team(selectors.team_get(workspace=workspace, team_public_id=team.public_id)))


@router.get("/workspaces/{ws}/teams/{team_id}", response=TeamOut, summary="One team")
def team_get(request: HttpRequest, ws: str, team_id: str) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    check(user, "team.view", membership)
    return _team(selectors.team_get(workspace=workspace, team_public_id=team_id))


@router.patch("/workspaces/{ws}/teams/{team_id}", response=TeamOut, summary="Rename or describe a team")
def team_update(request: HttpRequest, ws: str, team_id: str, payload: TeamPatchIn) -> dict[str, Any]:
    user, workspace, membership = _scope(request, ws)
    check(user, "team.view", membership)
    team = selectors.team_get(workspace=workspace, team_public_id=team_id)
    services.team_update(
        actor=user,
        workspace=workspace,
        membership=membership,
        team=team,
        version=expected_version(request, payload.version),
        name=payload.name,
        description=payload.description,
    )
    return _team(selectors.team_get(workspace=workspace, team_public_id=team_id))


@router.delete("/workspaces/{ws}/teams/{team_id}", response={204: None}, summary="Delete a team (to the trash)")
def team_delete(request: HttpRequest, ws: str, team_id: str) -> Status[None]:
    user, workspace, membership = _scope(request, ws)
    check(user, "team.view", membership)
    team = selectors.team_get(workspace=workspace, team_public_id=team_id)
    services.team_delete(actor=user, workspace=workspace, membership=membership, team=team)
    return Status(204, None)


@router.post("/workspaces/{ws}/teams/{team_id}/members", response={201: TeamOut}, summary="Add a member to a team")
def team_member_add(request: HttpRequest, ws: str, team_id: str, payload: TeamMemberIn) -> Status[dict[str, Any]]:
    user, workspace, membership = _scope(request, ws)
    check(user, "team.view", membership)
    team = selectors.team_get(workspace=workspace, team_public_id=team_id)
    target = selectors.member_get_by_email(workspace=workspace, email=payload.email)
    services.team_member_add(actor=user, workspace=workspace, membership=membership, team=team, user_member=target)
    return Status(201, _team(selectors.team_get(workspace=workspace, team_public_id=team_id)))


@router.delete(
    "/workspaces/{ws}/teams/{team_id}/members/{member_id}", response={204: None}, summary="Remove a member from a team"
)
def team_member_remove(request: HttpRequest, ws: str, team_id: str, member_id: str) -> Status[None]:
    user, workspace, membership = _scope(request, ws)
    check(user, "team.view", membership)
    team = selectors.team_get(workspace=workspace, team_public_id=team_id)
    target = selectors.member_get(workspace=workspace, user_public_id=member_id)
    services.team_member_remove(actor=user, workspace=workspace, membership=membership, team=team, user_member=target)
    return Status(204, None)
