"""The workflow editor (project settings -> Workflow): statuses in order with their category,
colour, WIP limit and required fields, and the allowed transitions as a matrix of checkboxes.

The whole editor is one form. Its buttons either edit the draft (add a status, move one up or
down, remove one: the page comes back with the change, nothing saved yet) or save it through
labora.work.services.workflows.workflow_replace (version-checked). Refusals are shown inline:
on the row they are about, or above the table.

Rows are named by a stable "uid" in the form: "s<id>" for an existing status, "n<k>" for a
new one, so that checkboxes of the transition matrix survive renames and reordering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from labora.core.errors import Conflict, LaboraError, PermissionDenied, ValidationError
from labora.core.policy import can
from labora.work import selectors
from labora.work.models import Category, CustomField, Project, Status
from labora.work.permissions import access_of
from labora.work.services import StatusSpec, workflow_replace
from labora.work.services.fields import CF_PREFIX, REQUIRABLE, field_definitions
from labora.work.views.projects import project_for
from labora.workspaces.models import Membership, Workspace
from labora.workspaces.views import Request, workspace_page

UID_RE = re.compile(r"^[sn][0-9]{1,12}$")
FIELD_LABELS = {
    "assignee": "Assignee",
    "due_date": "Due date",
    "start_date": "Start date",
    "estimate": "Estimate",
    "labels": "Labels",
    "description": "Description",
}
DEFAULT_COLOUR = "#6b7280"


@dataclass
class Row:
    uid: str
    name: str
    category: str
    id: int | None = None
    colour: str = ""
    wip_limit: str = ""
    required: list[str] = field(default_factory=list)
    error: str = ""
    tasks: int | None = None

    @property
    def colour_value(self) -> str:
        return self.colour or DEFAULT_COLOUR


def _required_choices(definitions: list[CustomField]) -> list[tuple[str, str]]:
    """(value as the service takes it, label): the built-in fields, then the custom fields."""
    return [(name, FIELD_LABELS.get(name, name)) for name in REQUIRABLE] + [
        (f"{CF_PREFIX}{f.name}", f.name) for f in definitions
    ]


def _rows_from_workflow(statuses: list[Status], definitions: list[CustomField]) -> list[Row]:
    names = {f"{CF_PREFIX}{f.public_id}": f"{CF_PREFIX}{f.name}" for f in definitions}
    return [
        Row(
            uid=f"s{s.pk}",
            id=s.pk,
            name=s.name,
            category=s.category,
            colour=s.colour,
            wip_limit=str(s.wip_limit or ""),
            required=[names.get(item, item) for item in (s.required_fields or [])],
        )
        for s in statuses
    ]


def _rows_from_post(request: Request, current: dict[int, Status]) -> list[Row]:
    rows = []
    for uid in request.POST.getlist("row"):
        if not UID_RE.match(uid):
            continue
        status_id = int(uid[1:]) if uid.startswith("s") and int(uid[1:]) in current else None
        if uid.startswith("s") and status_id is None:
            continue  # a status of another project (or gone): ignore the forged row
        rows.append(
            Row(
                uid=uid,
                id=status_id,
                name=request.POST.get(f"name-{uid}", "").strip(),
                category=request.POST.get(f"category-{uid}", Category.TODO),
                colour=request.POST.get(f"colour-{uid}", "") if request.POST.get(f"colour_on-{uid}") else "",
                wip_limit=request.POST.get(f"wip-{uid}", "").strip(),
                required=request.POST.getlist(f"required-{uid}"),
            )
        )
    return rows


def _transitions_from_post(request: Request, uids: set[str]) -> set[tuple[str, str]]:
    pairs = set()
    for value in request.POST.getlist("t"):
        source, _, target = value.partition(">")
        if source in uids and target in uids and source != target:
            pairs.add((source, target))
    return pairs


def _apply_op(op: str, rows: list[Row], pairs: set[tuple[str, str]]) -> tuple[list[Row], set[tuple[str, str]]]:
    """Edit the draft: add, up:<uid>, down:<uid>, remove:<uid>."""
    if op == "add":
        taken = {row.uid for row in rows}
        k = 1
        while f"n{k}" in taken:
            k += 1
        rows.append(Row(uid=f"n{k}", name="", category=Category.TODO))
        return rows, pairs
    action, _, uid = op.partition(":")
    index = next((i for i, row in enumerate(rows) if row.uid == uid), None)
    if index is None:
        return rows, pairs
    if action == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif action == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    elif action == "remove":
        rows.pop(index)
        pairs = {(a, b) for a, b in pairs if uid not in (a, b)}
    return rows, pairs


def _specs(rows: list[Row]) -> list[StatusSpec]:
    specs = []
    for i, row in enumerate(rows):
        wip: int | None = None
        if row.wip_limit:
            if not row.wip_limit.isdigit():
                raise ValidationError(
                    f"The WIP limit of '{row.name or f'status {i + 1}'}' is a whole number of tasks (or empty).",
                    fields={f"statuses.{i}.wip_limit": "not a number"},
                )
            wip = int(row.wip_limit)
        specs.append(
            StatusSpec(
                name=row.name,
                category=row.category,
                wip_limit=wip,
                id=row.id,
                colour=row.colour,
                required_fields=tuple(row.required),
            )
        )
    return specs


def _place_error(exc: ValidationError, rows: list[Row], statuses: list[Status]) -> str:
    """Put the error on the row it is about; returns the message for above the table, if any."""
    for key in exc.fields:
        match = re.match(r"^statuses\.(\d+)", key)
        if match and int(match.group(1)) < len(rows):
            rows[int(match.group(1))].error = exc.message
            return ""
    if exc.code == "status_in_use":
        name = str(exc.extra.get("status", ""))
        status = next((s for s in statuses if s.name == name), None)
        if status is not None:
            # Bring the removed row back (at its old place), so that the refusal is next to it.
            back = _rows_from_workflow([status], [])[0]
            back.error = exc.message
            back.tasks = exc.extra.get("tasks")
            position = min(sum(1 for s in statuses if s.position < status.position), len(rows))
            rows.insert(position, back)
            return ""
    return exc.message


def _context(
    workspace: Workspace,
    project: Project,
    rows: list[Row],
    pairs: set[tuple[str, str]],
    *,
    version: int,
    can_edit: bool,
    definitions: list[CustomField],
    error: str = "",
    draft: bool = False,
    saved: bool = False,
) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "project": project,
        "rows": rows,
        "matrix": [
            {"row": source, "cells": [{"to": target, "on": (source.uid, target.uid) in pairs} for target in rows]}
            for source in rows
        ],
        "any_move": not pairs,
        "version": version,
        "can_edit": can_edit,
        "categories": Category.choices,
        "required_choices": _required_choices(definitions),
        "error": error,
        "draft": draft,
        "saved": saved,
    }


@workspace_page
def project_workflow(request: Request, workspace: Workspace, membership: Membership, key: str) -> HttpResponse:
    project = project_for(workspace, key, user=request.user, membership=membership)
    can_edit = can(request.user, "workflow.update", access_of(membership, project))
    statuses, transitions = selectors.workflow_get(project=project)
    definitions = field_definitions(project)
    if request.method != "POST":
        rows = _rows_from_workflow(statuses, definitions)
        pairs = {(f"s{t.from_status_id}", f"s{t.to_status_id}") for t in transitions}
        context = _context(
            workspace, project, rows, pairs, version=project.version, can_edit=can_edit, definitions=definitions
        )
        return render(request, "work/workflow_edit.html", context)
    if not can_edit:
        raise PermissionDenied("Only managers of the project can change its workflow.", code="forbidden")
    current = {s.pk: s for s in statuses}
    rows = _rows_from_post(request, current)
    pairs = _transitions_from_post(request, {row.uid for row in rows})
    version_text = request.POST.get("version", "").strip()
    version = int(version_text) if version_text.isdigit() else None
    op = request.POST.get("op", "save")
    if op != "save":
        rows, pairs = _apply_op(op, rows, pairs)
        context = _context(
            workspace,
            project,
            rows,
            pairs,
            version=version or project.version,
            can_edit=True,
            definitions=definitions,
            draft=True,
        )
        return render(request, "work/workflow_edit.html", context)
    names = {row.uid: row.name for row in rows}
    error = ""
    try:
        saved = workflow_replace(
            actor=request.user,
            project=project,
            statuses=_specs(rows),
            transitions=sorted((names[a], names[b]) for a, b in pairs),
            version=version,
        )
    except Conflict:
        error = (
            "Someone else changed this workflow meanwhile. This page now shows their version: make your change again."
        )
        fresh = project_for(workspace, key, user=request.user, membership=membership)
        statuses, transitions = selectors.workflow_get(project=fresh)
        rows = _rows_from_workflow(statuses, definitions)
        pairs = {(f"s{t.from_status_id}", f"s{t.to_status_id}") for t in transitions}
        context = _context(
            workspace, fresh, rows, pairs, version=fresh.version, can_edit=True, definitions=definitions, error=error
        )
        return render(request, "work/workflow_edit.html", context, status=409 if not request.htmx else 200)
    except ValidationError as exc:
        error = _place_error(exc, rows, statuses)
        context = _context(
            workspace,
            project,
            rows,
            pairs,
            version=version or project.version,
            can_edit=True,
            definitions=definitions,
            error=error,
            draft=True,
        )
        return render(request, "work/workflow_edit.html", context, status=422 if not request.htmx else 200)
    except LaboraError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
        return redirect("project_workflow", ws=workspace.slug, key=project.key)
    if not request.htmx:
        messages.success(request, f"Saved the workflow of {saved.key}.")
        return redirect("project_workflow", ws=workspace.slug, key=project.key)
    statuses, transitions = selectors.workflow_get(project=saved)
    rows = _rows_from_workflow(statuses, definitions)
    pairs = {(f"s{t.from_status_id}", f"s{t.to_status_id}") for t in transitions}
    context = _context(
        workspace, saved, rows, pairs, version=saved.version, can_edit=True, definitions=definitions, saved=True
    )
    return render(request, "work/workflow_edit.html", context)


urlpatterns = [
    path("w/<slug:ws>/projects/<str:key>/workflow/", project_workflow, name="project_workflow"),
]
