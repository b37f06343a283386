"""Writes to a workspace's labels: create, rename/recolour, delete (detaches it from its tasks)."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import Conflict, ValidationError
from labora.work.models import Label
from labora.work.services._common import UNSET, authorise, check_version, clean_text, is_set
from labora.workspaces.models import Workspace

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#6b7280"


def _colour(value: str | None) -> str:
    colour = (value or "").strip()
    if not COLOUR_RE.match(colour):
        raise ValidationError(
            f"'{colour}' is not a colour: write it as #rrggbb, e.g. #2563eb.", fields={"colour": "not #rrggbb"}
        )
    return colour.lower()


def _name_taken(workspace: Workspace, name: str, *, exclude: int | None = None) -> None:
    clash = Label.all_objects.filter(workspace=workspace, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(
            f"There is already a label '{name}' in this workspace (names ignore case). Pick another name.",
            code="name_taken",
            fields={"name": "already used"},
        )


def label_create(*, actor: User, workspace: Workspace, name: str, colour: str | None = None) -> Label:
    """Create a label. Raises PermissionDenied, ValidationError (name, colour), Conflict (name taken)."""
    authorise(actor, "label.create", workspace, "Guests and clients cannot create labels.")
    name = clean_text(name, field="name", limit=60)
    colour = _colour(colour) if colour is not None else DEFAULT_COLOUR
    with transaction.atomic():
        _name_taken(workspace, name)
        try:
            with transaction.atomic():
                label = Label.objects.create(workspace=workspace, name=name, colour=colour)
        except IntegrityError:  # a concurrent create of the same name
            _name_taken(workspace, name)
            raise
        events.record(
            name="label.created", actor=actor, workspace=workspace, target=label, data={"name": name, "colour": colour}
        )
    return label


def label_update(
    *, actor: User, label: Label, name: Any = UNSET, colour: Any = UNSET, version: int | None = None
) -> Label:
    """Rename or recolour a label. Raises PermissionDenied, ValidationError, Conflict (name taken, stale)."""
    workspace = label.workspace
    authorise(actor, "label.create", workspace, "Guests and clients cannot change labels.")
    with transaction.atomic():
        locked = Label.objects.select_for_update().get(pk=label.pk)
        check_version(locked, version, "label")
        changes: dict[str, list[Any]] = {}
        if is_set(name):
            new_name = clean_text(name, field="name", limit=60)
            if new_name != locked.name:
                _name_taken(workspace, new_name, exclude=locked.pk)
                changes["name"] = [locked.name, new_name]
                locked.name = new_name
        if is_set(colour):
            new_colour = _colour(colour)
            if new_colour != locked.colour:
                changes["colour"] = [locked.colour, new_colour]
                locked.colour = new_colour
        if changes:
            locked.version += 1
            locked.save()
            events.record(
                name="label.updated",
                actor=actor,
                workspace=workspace,
                target=locked,
                data={"name": locked.name},
                changes=changes,
            )
    return locked


def label_delete(*, actor: User, label: Label) -> None:
    """Delete a label for good and take it off every task. Raises PermissionDenied."""
    workspace = label.workspace
    authorise(actor, "label.create", workspace, "Guests and clients cannot delete labels.")
    with transaction.atomic():
        events.record(name="label.deleted", actor=actor, workspace=workspace, target=label, data={"name": label.name})
        Label.tasks.through.objects.filter(label_id=label.pk).delete()
        Label.all_objects.filter(pk=label.pk).delete()
