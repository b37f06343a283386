"""Reads for workspaces, always scoped to what the acting user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from labora.core.errors import NotFound
from labora.workspaces.models import Invitation, Membership, Team, TeamMember, Workspace


def memberships_for_user(*, user: Any) -> QuerySet[Membership]:
    """The user's memberships, with their workspaces, by workspace name."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, workspace__deleted_at__isnull=True)
        .select_related("workspace")
        .order_by("workspace__name", "workspace_id")
    )


def workspace_for_user(*, user: Any, slug: str) -> tuple[Workspace, Membership]:
    """The workspace `slug` and the user's membership in it; NotFound when not a member."""
    membership = (
        Membership.objects.filter(user=user, workspace__slug=slug, workspace__deleted_at__isnull=True)
        .select_related("workspace")
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if membership is None:
        raise NotFound(f"No workspace '{slug}' among yours. Check the slug in GET /api/v1/workspaces.")
    return membership.workspace, membership


def members_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__name", "user__email")


def member_get(*, workspace: Workspace, user_public_id: str) -> Membership:
    membership = (
        Membership.objects.filter(workspace=workspace, user__public_id=user_public_id).select_related("user").first()
    )
    if membership is None:
        raise NotFound("No such member in this workspace.")
    return membership


def member_get_by_email(*, workspace: Workspace, email: str) -> Membership:
    membership = (
        Membership.objects.filter(workspace=workspace, user__email__iexact=email.strip()).select_related("user").first()
    )
    if membership is None:
        raise NotFound(f"{email} is not a member of this workspace.")
    return membership


def invitations_pending(*, workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def teams_list(*, workspace: Workspace) -> QuerySet[Team]:
    return (
        Team.objects.filter(workspace=workspace)
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(
            Prefetch("memberships", queryset=TeamMember.objects.select_related("user").order_by("user__name"))
        )
        .order_by("name", "id")
    )


def team_get(*, workspace: Workspace, team_public_id: str) -> Team:
    team = teams_list(workspace=workspace).filter(public_id=team_public_id).first()
    if team is None:
        raise NotFound("No such team in this workspace.")
    return team


def team_candidates(*, workspace: Workspace, team: Team) -> QuerySet[Membership]:
    """Members of the workspace who are not in `team` yet (for the "add a member" choice)."""
    return members_list(workspace=workspace).exclude(user_id__in=TeamMember.objects.filter(team=team).values("user_id"))
