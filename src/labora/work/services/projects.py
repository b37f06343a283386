"""Writes to projects and ongoing work streams."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, ValidationError
from labora.core.trash import move_to_trash, take_from_trash
from labora.work.models import Category, Project, ProjectKind, ProjectMember, ProjectRole, Status
from labora.work.services._common import (
    UNSET,
    authorise,
    check_dates,
    check_version,
    clean_text,
    date_value,
    is_set,
    member_by_email,
    user_value,
)
from labora.workspaces.models import Workspace

KEY_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#4f46e5"
# The icons a project may wear: names of the `{% icon %}` tag (labora/web/icons.py). "" = none.
PROJECT_ICONS = (
    "projects",
    "board",
    "calendar",
    "gantt",
    "goals",
    "reports",
    "users",
    "building",
    "inbox",
    "mail",
    "shield",
    "sparkles",
    "time",
    "settings",
)
# The colours the pages offer as swatches (any #rrggbb is accepted).
PROJECT_COLOURS = (
    "#4f46e5",
    "#2563eb",
    "#0891b2",
    "#059669",
    "#65a30d",
    "#ca8a04",
    "#ea580c",
    "#dc2626",
    "#db2777",
    "#9333ea",
    "#475569",
)

# (name, category) in board order.
DEFAULT_WORKFLOWS: dict[str, list[tuple[str, str]]] = {
    ProjectKind.PROJECT: [
        ("Backlog", Category.BACKLOG),
        ("To do", Category.TODO),
        ("In progress", Category.IN_PROGRESS),
        ("In review", Category.IN_PROGRESS),
        ("Done", Category.DONE),
        ("Cancelled", Category.CANCELLED),
    ],
    ProjectKind.ONGOING: [
        ("New", Category.TODO),
        ("In progress", Category.IN_PROGRESS),
        ("Waiting", Category.IN_PROGRESS),
        ("Done", Category.DONE),
        ("Cancelled", Category.CANCELLED),
    ],
}


def _event_data(project: Project) -> dict[str, Any]:
    return {"project": project.key}


def _clean_key(key: str) -> str:
    value = (key or "").strip()
    if not KEY_RE.match(value):
        raise ValidationError(
            "The key is 2-10 upper-case letters and digits starting with a letter, e.g. OPS or WEB2.",
            fields={"key": "2-10 upper-case letters/digits, starting with a letter"},
        )
    return value


def _clean_kind(kind: str) -> str:
    if kind not in ProjectKind.values:
        raise ValidationError(
            f"Unknown kind '{kind}'. Use one of: {', '.join(ProjectKind.values)}.", fields={"kind": "unknown kind"}
        )
    return kind


def _clean_colour(colour: str | None) -> str:
    value = (colour or "").strip().lower()
    if not value:
        return DEFAULT_COLOUR
    if not COLOUR_RE.match(value):
        raise ValidationError(
            f"The colour '{colour}' is not a hex colour. Write it as #rrggbb, e.g. {DEFAULT_COLOUR}.",
            fields={"colour": "#rrggbb"},
        )
    return value


def _clean_icon(icon: str | None) -> str:
    value = (icon or "").strip()
    if value and value not in PROJECT_ICONS:
        raise ValidationError(
            f"Unknown icon '{value}'. Use one of: {', '.join(PROJECT_ICONS)} (or none).",
            fields={"icon": "unknown icon"},
        )
    return value


def _check_has_manager(project: Project) -> None:
    """A private project needs a manager among its members, or nobody could run it."""
    if not ProjectMember.objects.filter(project=project, role=ProjectRole.MANAGER).exists():
        raise ValidationError(
            f"{project.key} has no manager among its members, so making it private would leave "
            "nobody to run it. Add a member with the manager role first, then make it private.",
            code="no_manager",
            fields={"is_private": "needs a manager"},
        )


def _snapshot(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "kind": project.kind,
        "description": project.description,
        "start_date": date_value(project.start_date),
        "target_date": date_value(project.target_date),
        "lead": user_value(project.lead),
        "archived": project.archived_at is not None,
        "is_private": project.is_private,
        "colour": project.colour,
        "icon": project.icon,
    }


def project_create(
    *,
    actor: User,
    workspace: Workspace,
    key: str,
    name: str,
    kind: str = ProjectKind.PROJECT,
    description: str = "",
    start_date: datetime.date | None = None,
    target_date: datetime.date | None = None,
    lead: str | None = None,
    is_private: bool = False,
    colour: str | None = None,
    icon: str | None = None,
) -> Project:
    """Create a project (or an ongoing stream) with its default workflow; its creator becomes
    its manager.

    Raises PermissionDenied, ValidationError, Conflict (key taken, trashed projects included).
    """
    authorise(actor, "project.create", workspace, "Only workspace members can create projects.")
    key = _clean_key(key)
    name = clean_text(name, field="name", limit=200)
    kind = _clean_kind(kind)
    colour = _clean_colour(colour)
    icon = _clean_icon(icon)
    check_dates(start_date, target_date, start_field="start_date", end_field="target_date")
    lead_user = member_by_email(workspace, lead, field="lead")
    try:
        with transaction.atomic():
            project = Project.objects.create(
                workspace=workspace,
                key=key,
                name=name,
                kind=kind,
                description=(description or "").strip(),
                start_date=start_date,
                target_date=target_date,
                lead=lead_user,
                is_private=bool(is_private),
                colour=colour,
                icon=icon,
            )
            ProjectMember.objects.create(project=project, user=actor, role=ProjectRole.MANAGER)
            Status.objects.bulk_create(
                Status(project=project, name=status_name, category=category, position=i)
                for i, (status_name, category) in enumerate(DEFAULT_WORKFLOWS[kind])
            )
            events.record(
                name="project.created",
                actor=actor,
                workspace=workspace,
                target=project,
                target_label=f"{key} {name}",
                data={**_event_data(project), "name": name, "kind": kind, "is_private": project.is_private},
            )
    except IntegrityError:
        raise Conflict(
            f"The key '{key}' is taken in this workspace (keys of trashed projects are never reused). Choose another.",
            code="key_taken",
            fields={"key": "taken"},
        ) from None
    return project


def project_update(
    *,
    actor: User,
    project: Project,
    version: int | None = None,
    name: Any = UNSET,
    kind: Any = UNSET,
    description: Any = UNSET,
    start_date: Any = UNSET,
    target_date: Any = UNSET,
    lead: Any = UNSET,
    archived: Any = UNSET,
    is_private: Any = UNSET,
    colour: Any = UNSET,
    icon: Any = UNSET,
) -> Project:
    """Change a project's fields (UNSET = keep). Making it private keeps its members and needs a
    manager among them. Raises PermissionDenied, NotFound, ValidationError, Conflict."""
    authorise(actor, "project.update", project, "Only managers of the project can change its settings.")
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).select_related("lead").get(pk=project.pk)
        check_version(locked, version, "project")
        before = _snapshot(locked)
        if is_set(name):
            locked.name = clean_text(name, field="name", limit=200)
        if is_set(kind):
            locked.kind = _clean_kind(kind)
        if is_set(description):
            locked.description = (description or "").strip()
        if is_set(start_date):
            locked.start_date = start_date
        if is_set(target_date):
            locked.target_date = target_date
        check_dates(locked.start_date, locked.target_date, start_field="start_date", end_field="target_date")
        if is_set(lead):
            locked.lead = member_by_email(project.workspace, lead, field="lead")
        if is_set(archived) and archived != (locked.archived_at is not None):
            locked.archived_at = timezone.now() if archived else None
        if is_set(colour):
            locked.colour = _clean_colour(colour)
        if is_set(icon):
            locked.icon = _clean_icon(icon)
        if is_set(is_private) and is_private is not None and bool(is_private) != locked.is_private:
            if is_private:
                _check_has_manager(locked)
            locked.is_private = bool(is_private)
        after = _snapshot(locked)
        changes = events.changed(before, after)
        if changes:
            locked.version += 1
            locked.save()
            events.record(
                name="project.updated",
                actor=actor,
                workspace=locked.workspace,
                target=locked,
                target_label=f"{locked.key} {locked.name}",
                data=_event_data(locked),
                changes=changes,
            )
    return locked


def project_delete(*, actor: User, project: Project) -> Project:
    """Move a project (and so its tasks) to the trash. Raises PermissionDenied."""
    authorise(actor, "project.delete", project, "Only managers of the project can delete it.")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        move_to_trash(locked, actor=actor)
        events.record(
            name="project.deleted",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=f"{locked.key} {locked.name}",
            data=_event_data(locked),
        )
    return locked


def project_restore(*, actor: User, project: Project) -> Project:
    """Bring a project (and so its tasks) back from the trash. Raises PermissionDenied, ValidationError."""
    authorise(actor, "project.delete", project, "Only managers of the project can restore it.")
    with transaction.atomic():
        locked = Project.all_objects.select_for_update().get(pk=project.pk)
        if locked.deleted_at is None:
            raise ValidationError(f"Project {locked.key} is not in the trash.", code="not_in_trash")
        take_from_trash(locked)
        events.record(
            name="project.restored",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=f"{locked.key} {locked.name}",
            data=_event_data(locked),
        )
    return locked
