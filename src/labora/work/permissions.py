"""Who may do what with projects and tasks.

`obj` is the acting user's workspace Membership (or None). For now the workspace role decides:
owners, admins and members create projects and write tasks; guests and clients read only.
Private projects, project roles (manager, contributor, viewer) and sharing come later and will
change these rules, not their callers.
"""

from __future__ import annotations

from typing import Any

from labora.core.policy import rule
from labora.workspaces.models import ROLE_RANK, Role

MEMBER = ROLE_RANK[Role.MEMBER]
ADMIN = ROLE_RANK[Role.ADMIN]


def _rank(membership: Any) -> int:
    return membership.rank if membership is not None else 0


@rule("work.view")
def _view(user: Any, membership: Any) -> bool:
    return membership is not None and membership.user_id == user.pk


@rule("project.create")
def _project_create(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("project.update")
def _project_update(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("project.delete")
def _project_delete(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("workflow.update")
def _workflow_update(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("task.write")
def _task_write(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER


@rule("label.create")
def _label_create(user: Any, membership: Any) -> bool:
    return _rank(membership) >= MEMBER
