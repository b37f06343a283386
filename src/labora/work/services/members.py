"""Writes to a project's members: who a project is shared with, and in which role.

Rules (docs/decisions/0006-project-access.md): only the project's managers (and workspace owners
and admins) change members; guests and clients may be viewers or contributors, never managers;
a private project always keeps at least one manager.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, NotFound, ValidationError
from labora.work.models import Project, ProjectMember, ProjectRole
from labora.work.permissions import OUTSIDER_ROLES, is_outsider
from labora.work.services._common import authorise, check_version
from labora.workspaces.models import Membership

MANAGE_MESSAGE = "Only managers of the project can change who it is shared with. Ask one of its managers."


def _clean_role(role: str | None, *, outsider: bool, email: str) -> str:
    value = (role or "").strip().lower()
    if value not in ProjectRole.values:
        raise ValidationError(
            f"Unknown project role '{role}'. Use one of: {', '.join(ProjectRole.values)}.",
            fields={"role": "unknown role"},
        )
    if outsider and value not in OUTSIDER_ROLES:
        raise ValidationError(
            f"{email} is a guest or client of this workspace: they can be a viewer or a contributor of a "
            "project, not its manager. Make them a workspace member first.",
            code="role_not_allowed",
            fields={"role": "viewer or contributor for guests and clients"},
        )
    return value


def _membership(project: Project, email: str | None) -> Membership:
    value = (email or "").strip()
    membership = (
        Membership.objects.filter(workspace_id=project.workspace_id, user__email__iexact=value, user__is_active=True)
        .select_related("user")
        .first()
        if value
        else None
    )
    if membership is None:
        raise ValidationError(
            f"{value or 'An empty e-mail'} is not a member of this workspace. Add people to the workspace first "
            "(GET|POST /api/v1/workspaces/{ws}/members), then share the project with them.",
            fields={"email": "not a member of this workspace"},
        )
    return membership


def _lock(project: Project) -> Project:
    # Every change of a project's members locks the project row first: "the last manager of a
    # private project" is then decided on rows nobody else is changing (project_update locks it too).
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


def _lock_row(project: Project, member: ProjectMember) -> ProjectMember:
    row = (
        ProjectMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=member.pk, project=project)
        .first()
    )
    if row is None:  # removed meanwhile
        raise NotFound(f"That person is no longer a member of {project.key}. Reload the list of members.")
    return row


def _keeps_a_manager(project: Project, leaving: ProjectMember) -> None:
    if not project.is_private or leaving.role != ProjectRole.MANAGER:
        return
    others = ProjectMember.objects.filter(project=project, role=ProjectRole.MANAGER).exclude(pk=leaving.pk)
    if not others.exists():
        raise ValidationError(
            f"{leaving.user.email} is the last manager of the private project {project.key}. "
            "Make someone else its manager first (or make the project public).",
            code="last_manager",
            fields={"role": "last manager"},
        )


def _record(name: str, actor: User, project: Project, row: ProjectMember, **extra: Any) -> None:
    events.record(
        name=name,
        actor=actor,
        workspace=project.workspace,
        target=project,
        target_label=f"{project.key} {project.name}",
        data={"project": project.key, "user": row.user.email, "name": row.user.display_name, **extra},
    )


def project_member_add(*, actor: User, project: Project, email: str, role: str | None = None) -> ProjectMember:
    """Share `project` with a workspace member (default role: contributor for members, viewer for
    guests and clients). Raises PermissionDenied, NotFound, ValidationError, Conflict (already a member).
    """
    authorise(actor, "project.members", project, MANAGE_MESSAGE)
    membership = _membership(project, email)
    outsider = is_outsider(membership)
    default = ProjectRole.VIEWER if outsider else ProjectRole.CONTRIBUTOR
    role = _clean_role(role or default, outsider=outsider, email=membership.user.email)
    try:
        with transaction.atomic():
            locked = _lock(project)
            row = ProjectMember.objects.create(project=locked, user=membership.user, role=role)
            _record("project.member_added", actor, locked, row, role=role)
    except IntegrityError:
        raise Conflict(
            f"{membership.user.email} is already a member of {project.key}. Change their role instead.",
            code="already_member",
            fields={"email": "already a member"},
        ) from None
    return row


def project_member_change_role(
    *, actor: User, project: Project, member: ProjectMember, role: str, version: int | None = None
) -> ProjectMember:
    """Give a member another role in the project. Raises PermissionDenied, NotFound, ValidationError
    (unknown role, manager for a guest, last manager of a private project), Conflict (`version`
    given and stale: someone changed the role meanwhile)."""
    authorise(actor, "project.members", project, MANAGE_MESSAGE)
    with transaction.atomic():
        locked = _lock(project)
        row = _lock_row(locked, member)
        check_version(row, version, "member's role")
        membership = Membership.objects.filter(workspace_id=locked.workspace_id, user_id=row.user_id).first()
        role = _clean_role(role, outsider=is_outsider(membership), email=row.user.email)
        if role == row.role:
            return row
        if role != ProjectRole.MANAGER:
            _keeps_a_manager(locked, row)
        before = row.role
        row.role = role
        row.version += 1
        row.save(update_fields=["role", "version"])
        events.record(
            name="project.member_role_changed",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=f"{locked.key} {locked.name}",
            data={"project": locked.key, "user": row.user.email, "name": row.user.display_name},
            changes={"role": [before, role]},
        )
    return row


def project_member_remove(*, actor: User, project: Project, member: ProjectMember) -> None:
    """Stop sharing the project with someone. A member of the workspace still sees a public
    project (as a contributor). Raises PermissionDenied, NotFound, ValidationError (last manager)."""
    authorise(actor, "project.members", project, MANAGE_MESSAGE)
    with transaction.atomic():
        locked = _lock(project)
        row = _lock_row(locked, member)
        _keeps_a_manager(locked, row)
        _record("project.member_removed", actor, locked, row, role=row.role)
        row.delete()
