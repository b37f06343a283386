"""Helpers shared by the work services: membership and project roles, versions, people, text."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar, cast

from labora.accounts.models import User
from labora.core.errors import NotFound, ValidationError
from labora.core.policy import check
from labora.core.versioning import check_version  # noqa: F401  (re-exported for the work services)
from labora.work.models import Project, ProjectMember
from labora.work.permissions import ADMIN, ProjectAccess, effective_role
from labora.workspaces.models import Membership, Workspace


class _Unset:
    """Marks a keyword argument the caller did not pass (None means "clear the field")."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


def is_set(value: Any) -> bool:
    return value is not UNSET


# The memberships and project roles looked up during one service call (see `access_cached`):
# a bulk change of 200 tasks asks the database once, not 200 times. None = no cache active.
_ACCESS_CACHE: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("work_access_cache", default=None)

_F = TypeVar("_F", bound=Callable[..., Any])


@contextmanager
def access_cache() -> Iterator[None]:
    """Within this block, memberships and project roles are looked up once per user and project."""
    if _ACCESS_CACHE.get() is not None:
        yield
        return
    token = _ACCESS_CACHE.set({})
    try:
        yield
    finally:
        _ACCESS_CACHE.reset(token)


def access_cached(fn: _F) -> _F:
    """Decorate a service that authorises many times (bulk changes) to look roles up once."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with access_cache():
            return fn(*args, **kwargs)

    return cast(_F, wrapper)


def _cached(key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
    cache = _ACCESS_CACHE.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def membership_of(actor: Any, workspace: Workspace) -> Membership | None:
    if not getattr(actor, "pk", None):
        return None
    return _cached(
        ("membership", actor.pk, workspace.pk),
        lambda: Membership.objects.filter(workspace=workspace, user=actor).first(),
    )


def project_access(actor: Any, project: Project) -> ProjectAccess:
    """The actor's effective role in `project` (one query for the membership, one for the
    ProjectMember row unless the workspace role already decides)."""
    membership = membership_of(actor, project.workspace)
    member_role = None
    if membership is not None and not membership.rank >= ADMIN:
        member_role = _cached(
            ("project_role", actor.pk, project.pk),
            lambda: (
                ProjectMember.objects.filter(project_id=project.pk, user_id=actor.pk)
                .values_list("role", flat=True)
                .first()
            ),
        )
    role = effective_role(membership, is_private=project.is_private, member_role=member_role)
    return ProjectAccess(membership=membership, project=project, role=role)


def authorise(actor: Any, action: str, target: Workspace | Project, message: str) -> None:
    """Raise PermissionDenied unless `actor` may do `action`.

    With a Project, the actor's project role decides, and a project they cannot see at all is
    a NotFound (as if it did not exist); with a Workspace, the workspace role decides.
    """
    if isinstance(target, Project):
        access = project_access(actor, target)
        if access.role is None:
            raise NotFound(f"No project '{target.key}' in this workspace.")
        hint = f" You are a {access.role} of {target.key}; ask one of its managers if you need more."
        check(actor, action, access, message=message + hint)
        return
    check(actor, action, membership_of(actor, target), message=message)


def clean_text(value: str | None, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"The {field} cannot be empty.", fields={field: "required"})
    if len(text) > limit:
        raise ValidationError(f"The {field} is at most {limit} characters.", fields={field: "too long"})
    return text


def _membership_by_email(workspace: Workspace, email: str | None, *, field: str) -> Membership | None:
    if email is None or email.strip() == "":
        return None
    membership = (
        Membership.objects.filter(workspace=workspace, user__email__iexact=email.strip(), user__is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError(
            f"{email.strip()} is not a member of this workspace. Use a member's e-mail "
            "(GET /api/v1/workspaces/{ws}/members) or invite them first.",
            fields={field: "not a member of this workspace"},
        )
    return membership


def member_by_email(workspace: Workspace, email: str | None, *, field: str) -> User | None:
    """The active member of `workspace` with this e-mail; None for None/""; 422 for anyone else."""
    membership = _membership_by_email(workspace, email, field=field)
    return membership.user if membership is not None else None


def sees_project(membership: Membership | None, project: Project) -> bool:
    """Whether the holder of `membership` can see `project` (a query only when their ProjectMember
    row decides: a private project, or a guest or client)."""
    if membership is None:
        return False
    if membership.rank >= ADMIN:
        return True
    if not project.is_private and effective_role(membership, is_private=False, member_role=None) is not None:
        return True
    row = ProjectMember.objects.filter(project_id=project.pk, user_id=membership.user_id).values_list("role", flat=True)
    return effective_role(membership, is_private=project.is_private, member_role=row.first()) is not None


def cannot_see(email: str, project: Project, *, field: str) -> ValidationError:
    """The 422 for giving a task of `project` to someone who cannot see it."""
    why = "it is private" if project.is_private else "they are a guest or client it is not shared with"
    return ValidationError(
        f"{email} cannot see {project.key} ({why}), so its tasks cannot be given to them. Share {project.key} "
        f"with them first (POST /api/v1/workspaces/{{ws}}/projects/{project.key}/members, or the project's "
        "settings), or choose someone who can see it.",
        code="cannot_see_project",
        fields={field: f"cannot see {project.key}"},
    )


def assignable_by_email(project: Project, email: str | None, *, field: str) -> User | None:
    """Like member_by_email, and the member must see `project` (its tasks' assignee and
    collaborators): 422 `cannot_see_project` for someone it is private to or not shared with."""
    membership = _membership_by_email(project.workspace, email, field=field)
    if membership is None:
        return None
    if not sees_project(membership, project):
        raise cannot_see(membership.user.email, project, field=field)
    return membership.user


def actor_sees(actor: Any, project: Project) -> bool:
    """Whether `actor` can see `project` (cached within access_cache, like authorise)."""
    return project_access(actor, project).role is not None


def check_dates(start: datetime.date | None, end: datetime.date | None, *, start_field: str, end_field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(
            f"The {end_field.replace('_', ' ')} ({end.isoformat()}) is before the "
            f"{start_field.replace('_', ' ')} ({start.isoformat()}). Move one of them.",
            fields={end_field: f"before {start_field}"},
        )


def user_value(user: Any) -> str | None:
    return user.email if user is not None else None


def date_value(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None
