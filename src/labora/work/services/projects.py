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
from labora.work.models import Category, Project, ProjectKind, Status
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


def _snapshot(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "kind": project.kind,
        "description": project.description,
        "start_date": date_value(project.start_date),
        "target_date": date_value(project.target_date),
        "lead": user_value(project.lead),
        "archived": project.archived_at is not None,
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
) -> Project:
    """Create a project (or an ongoing stream) with its default workflow.

    Raises PermissionDenied, ValidationError, Conflict (key taken, trashed projects included).
    """
    authorise(actor, "project.create", workspace, "Only workspace members can create projects.")
    key = _clean_key(key)
    name = clean_text(name, field="name", limit=200)
    kind = _clean_kind(kind)
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
            )
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
                data={**_event_data(project), "name": name, "kind": kind},
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
) -> Project:
    """Change a project's fields (UNSET = keep). Raises PermissionDenied, ValidationError, Conflict."""
    authorise(actor, "project.update", project.workspace, "Only workspace members can change projects.")
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
        after = _snapshot(locked)
        changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
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
    authorise(actor, "project.delete", project.workspace, "Only workspace members can delete projects.")
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
    authorise(actor, "project.delete", project.workspace, "Only workspace members can restore projects.")
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
