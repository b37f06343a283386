"""Helpers shared by the work services: membership, versions, people, text."""

from __future__ import annotations

import datetime
from typing import Any

from labora.accounts.models import User
from labora.core.errors import ValidationError
from labora.core.policy import check
from labora.core.versioning import check_version  # noqa: F401  (re-exported for the work services)
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


def membership_of(actor: Any, workspace: Workspace) -> Membership | None:
    if not getattr(actor, "pk", None):
        return None
    return Membership.objects.filter(workspace=workspace, user=actor).first()


def authorise(actor: Any, action: str, workspace: Workspace, message: str) -> None:
    check(actor, action, membership_of(actor, workspace), message=message)


def clean_text(value: str | None, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"The {field} cannot be empty.", fields={field: "required"})
    if len(text) > limit:
        raise ValidationError(f"The {field} is at most {limit} characters.", fields={field: "too long"})
    return text


def member_by_email(workspace: Workspace, email: str | None, *, field: str) -> User | None:
    """The active member of `workspace` with this e-mail; None for None/""; 422 for anyone else."""
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
    return membership.user


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
