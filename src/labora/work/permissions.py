"""Who may see and do what with projects and tasks (docs/decisions/0006-project-access.md).

Two kinds of objects reach these rules:

- a workspace `Membership` (or None) for workspace-wide actions: viewing the work app,
  creating projects, labels;
- a `ProjectAccess` for everything inside one project: the caller's *effective* project role,
  computed once by `effective_role` from the workspace role and the ProjectMember row.

Effective roles: workspace owners and admins are managers of every project; members are
contributors of every public project unless a ProjectMember row says otherwise, and see a
private project only with a row; guests and clients see only the projects shared with them (a
row), with that row's role. No role means the project is invisible (the selectors answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labora.core.policy import rule
from labora.work.models import PROJECT_ROLE_RANK, ProjectRole
from labora.workspaces.models import ROLE_RANK, Membership, Role

MEMBER = ROLE_RANK[Role.MEMBER]
ADMIN = ROLE_RANK[Role.ADMIN]

# The roles a guest or a client may be given in a project they are shared with.
OUTSIDER_ROLES = (ProjectRole.VIEWER, ProjectRole.CONTRIBUTOR)


def _rank(membership: Any) -> int:
    return membership.rank if membership is not None else 0


def is_outsider(membership: Membership | None) -> bool:
    """Guests and clients: they see only what was shared with them."""
    return membership is not None and _rank(membership) < MEMBER


def effective_role(membership: Membership | None, *, is_private: bool, member_role: str | None) -> str | None:
    """The caller's role in a project, or None when the project is invisible to them.

    `member_role` is the role of the caller's ProjectMember row in that project (None without one).
    """
    if membership is None:
        return None
    rank = _rank(membership)
    if rank >= ADMIN:
        return ProjectRole.MANAGER
    if member_role:
        return member_role
    if rank >= MEMBER and not is_private:
        return ProjectRole.CONTRIBUTOR
    return None


@dataclass(frozen=True)
class ProjectAccess:
    """The acting user's standing in one project: what the project-level rules decide on."""

    membership: Membership | None
    project: Any
    role: str | None

    @property
    def role_rank(self) -> int:
        return PROJECT_ROLE_RANK.get(ProjectRole(self.role), 0) if self.role else 0


def _role_at_least(obj: Any, role: str, *, workspace_rank: int) -> bool:
    if isinstance(obj, ProjectAccess):
        return obj.membership is not None and obj.role_rank >= PROJECT_ROLE_RANK[ProjectRole(role)]
    # A workspace-wide call (no single project): the workspace role alone decides.
    return _rank(obj) >= workspace_rank


@rule("work.view")
def _view(user: Any, membership: Any) -> bool:
    return membership is not None and membership.user_id == user.pk


@rule("project.view")
def _project_view(user: Any, access: Any) -> bool:
    return _role_at_least(access, ProjectRole.VIEWER, workspace_rank=MEMBER)


@rule("project.create")
def _project_create(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("project.update")
def _project_update(user: Any, access: Any) -> bool:
    return _role_at_least(access, ProjectRole.MANAGER, workspace_rank=ADMIN)


@rule("project.delete")
def _project_delete(user: Any, access: Any) -> bool:
    return _role_at_least(access, ProjectRole.MANAGER, workspace_rank=ADMIN)


@rule("project.members")
def _project_members(user: Any, access: Any) -> bool:
    return _role_at_least(access, ProjectRole.MANAGER, workspace_rank=ADMIN)


@rule("workflow.update")
def _workflow_update(user: Any, access: Any) -> bool:
    return _role_at_least(access, ProjectRole.MANAGER, workspace_rank=ADMIN)


@rule("task.write")
def _task_write(user: Any, access: Any) -> bool:
    return _role_at_least(access, ProjectRole.CONTRIBUTOR, workspace_rank=MEMBER)


@rule("label.create")
def _label_create(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


def access_of(membership: Membership | None, project: Any) -> ProjectAccess:
    """For pages: the access to a project read through the selectors (they set `my_role`)."""
    return ProjectAccess(membership=membership, project=project, role=getattr(project, "my_role", None))
