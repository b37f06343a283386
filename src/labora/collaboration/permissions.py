"""Who may comment and react (the policy rules of the collaboration app).

Decision: everyone who can see a project may comment on it and its tasks — project *viewers*
included. A comment does not change the work; read-only stakeholders (a client reviewing, a
guest asked for input) are exactly who needs to ask and answer questions (Asana's "comment
only", Jira's default "add comments" for browsers). Guests and clients see, and so comment on,
only the projects shared with them. Editing a comment is for its author alone; deleting one is
for its author or a manager of the project (workspace owners and admins manage every project).

The rules receive a `labora.work.permissions.ProjectAccess` (the actor's effective project role).
"""

from __future__ import annotations

from typing import Any

from labora.core.policy import rule
from labora.work.models import PROJECT_ROLE_RANK, ProjectRole
from labora.work.permissions import ProjectAccess


def _role_rank(access: Any) -> int:
    return access.role_rank if isinstance(access, ProjectAccess) and access.membership is not None else 0


@rule("comment.create")
def _comment_create(user: Any, access: Any) -> bool:
    return _role_rank(access) >= PROJECT_ROLE_RANK[ProjectRole.VIEWER]


@rule("comment.moderate")
def _comment_moderate(user: Any, access: Any) -> bool:
    """Delete someone else's comment: managers of the project."""
    return _role_rank(access) >= PROJECT_ROLE_RANK[ProjectRole.MANAGER]
