"""Writes to a project's workflow: its statuses and allowed transitions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count

from labora.accounts.models import User
from labora.core import events
from labora.core.errors import ValidationError
from labora.work.models import CLOSED_CATEGORIES, Category, Project, Status, Task, Transition
from labora.work.services import fields as field_services
from labora.work.services._common import authorise, check_version, clean_text

MAX_STATUSES = 30
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class StatusSpec:
    """One status of a new workflow. `id` keeps an existing status (and its tasks) under a new name."""

    name: str
    category: str
    wip_limit: int | None = None
    id: int | None = None
    colour: str = ""  # "#rrggbb", or "" for the category's colour
    # Fields a task needs to enter the status: see fields.REQUIRABLE, custom fields as "cf:<name>".
    required_fields: tuple[str, ...] = field(default_factory=tuple)


def _describe_status(status: Status) -> str:
    details = [status.category]
    if status.wip_limit:
        details.append(f"WIP {status.wip_limit}")
    if status.colour:
        details.append(status.colour)
    if status.required_fields:
        details.append(f"requires {len(status.required_fields)} field{'s' if len(status.required_fields) != 1 else ''}")
    return f"{status.name} ({', '.join(details)})"


def _describe(statuses: list[Status], transitions: list[Transition]) -> dict[str, Any]:
    names = {s.pk: s.name for s in statuses}
    return {
        "statuses": [_describe_status(s) for s in statuses],
        "transitions": sorted(f"{names[t.from_status_id]} -> {names[t.to_status_id]}" for t in transitions),
    }


def _validate(statuses: list[StatusSpec], transitions: list[tuple[str, str]]) -> None:
    if not statuses:
        raise ValidationError("A workflow needs at least one status.", fields={"statuses": "empty"})
    if len(statuses) > MAX_STATUSES:
        raise ValidationError(f"A workflow has at most {MAX_STATUSES} statuses.", fields={"statuses": "too many"})
    seen: set[str] = set()
    for i, spec in enumerate(statuses):
        name = clean_text(spec.name, field=f"statuses.{i}.name", limit=60)
        if name.lower() in seen:
            raise ValidationError(
                f"The status '{name}' appears twice; status names are unique (ignoring case).",
                fields={f"statuses.{i}.name": "duplicate"},
            )
        seen.add(name.lower())
        if spec.category not in Category.values:
            raise ValidationError(
                f"Unknown category '{spec.category}'. Use one of: {', '.join(Category.values)}.",
                fields={f"statuses.{i}.category": "unknown category"},
            )
        if spec.wip_limit is not None and spec.wip_limit < 1:
            raise ValidationError(
                "A WIP limit is at least 1 (leave it null for no limit).", fields={f"statuses.{i}.wip_limit": "< 1"}
            )
        if spec.colour and not COLOUR_RE.match(spec.colour):
            raise ValidationError(
                f"The colour of '{name}' is written #rrggbb, e.g. #16a34a (or empty for the category's colour).",
                fields={f"statuses.{i}.colour": "not #rrggbb"},
            )
    if all(s.category in CLOSED_CATEGORIES for s in statuses):
        raise ValidationError(
            "A workflow needs a status for open work (backlog, todo or in_progress) where new tasks start.",
            fields={"statuses": "no open status"},
        )
    for i, (source, target) in enumerate(transitions):
        for end, name in (("from", source), ("to", target)):
            if name.strip().lower() not in seen:
                raise ValidationError(
                    f"Transition {i + 1} names the status '{name}', which is not in the workflow. "
                    f"Statuses: {', '.join(s.name.strip() for s in statuses)}.",
                    fields={f"transitions.{i}.{end}": "unknown status"},
                )


def workflow_replace(
    *,
    actor: User,
    project: Project,
    statuses: list[StatusSpec],
    transitions: list[tuple[str, str]],
    version: int | None = None,
) -> Project:
    """Replace a project's statuses and transitions (the project's version is the workflow's).

    A status is kept (with its tasks) when a spec names its id, or else its name (ignoring case);
    the others are removed. Raises PermissionDenied, ValidationError (a removed status still has
    tasks, bad names, colours or required fields), Conflict (stale version).
    """
    authorise(actor, "workflow.update", project, "Only managers of the project can change its workflow.")
    _validate(statuses, transitions)
    definitions = field_services.field_definitions(project)
    required = [
        field_services.clean_required(list(spec.required_fields), definitions, where=f"statuses.{i}.required_fields")
        for i, spec in enumerate(statuses)
    ]
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        check_version(locked, version, "project's workflow")
        current = list(Status.objects.filter(project=locked))
        old_transitions = list(Transition.objects.filter(project=locked))
        before = _describe(current, old_transitions)
        by_id = {s.pk: s for s in current}
        by_name = {s.name.lower(): s for s in current}
        kept: dict[int, StatusSpec] = {}
        for i, spec in enumerate(statuses):
            existing = by_id.get(spec.id) if spec.id is not None else by_name.get(spec.name.strip().lower())
            if spec.id is not None and existing is None:
                raise ValidationError(
                    f"Status id {spec.id} is not a status of {locked.key}. Leave the id out to add a new status.",
                    fields={f"statuses.{i}.id": "unknown status"},
                )
            if existing is not None:
                if existing.pk in kept:
                    raise ValidationError(
                        f"The status '{existing.name}' is given twice.", fields={f"statuses.{i}": "duplicate"}
                    )
                kept[existing.pk] = spec
        removed = [s for s in current if s.pk not in kept]
        if removed:
            in_use = dict(
                Task.all_objects.filter(status__in=removed)
                .values_list("status_id")
                .annotate(n=Count("id"))
                .values_list("status_id", "n")
            )
            for status in removed:
                if in_use.get(status.pk):
                    n = in_use[status.pk]
                    raise ValidationError(
                        f"The status '{status.name}' is used by {n} task{'s' if n != 1 else ''} "
                        "(the trash included). Move them to another status first, or keep the status "
                        "(send its id to rename it).",
                        code="status_in_use",
                        fields={"statuses": f"'{status.name}' is used by {n} tasks"},
                        extra={"status": status.name, "tasks": n},
                    )
        Transition.objects.filter(project=locked).delete()
        Status.objects.filter(pk__in=[s.pk for s in removed]).delete()
        # Two passes, so that renames that swap names never meet the unique constraint.
        for status in current:
            if status.pk in kept:
                status.name = f"\x01{status.pk}"
                status.save(update_fields=["name"])
        final: dict[str, Status] = {}
        for position, spec in enumerate(statuses):
            existing = next((s for pk, s in by_id.items() if kept.get(pk) is spec), None)
            status = existing or Status(project=locked)
            status.name = spec.name.strip()
            status.category = spec.category
            status.wip_limit = spec.wip_limit
            status.colour = spec.colour.lower()
            status.required_fields = required[position]
            status.position = position
            status.save()
            final[status.name.lower()] = status
        new_transitions = Transition.objects.bulk_create(
            {
                (final[a.strip().lower()].pk, final[b.strip().lower()].pk): Transition(
                    project=locked, from_status=final[a.strip().lower()], to_status=final[b.strip().lower()]
                )
                for a, b in transitions
                if a.strip().lower() != b.strip().lower()
            }.values()
        )
        after = _describe(list(final.values()), new_transitions)
        changes = events.changed(before, after)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        events.record(
            name="workflow.updated",
            actor=actor,
            workspace=locked.workspace,
            target=locked,
            target_label=f"{locked.key} {locked.name}",
            data={"project": locked.key},
            changes=changes,
        )
    return locked
