"""Pages of tasks as API bodies (TaskOut) built straight from rows, for the list routes.

`api._task` turns one Task instance (with its related objects) into a TaskOut dict; for a page
of 50 to 200 tasks that meant ~10 model instances per task (task, project, status, people,
parent, labels, collaborators) and a pydantic validation of every field. Here the page is one
`values_list` query over the columns TaskOut shows (joins for project, status, people and the
parent's key), then four small queries keyed by the page's ids — labels, collaborators,
checklist counts (one GROUP BY), custom field definitions — plus one for the e-mails of
person-type custom field values when there are any. Dicts in TaskOut's field order come out;
tests/work/test_task_rows.py checks they equal `api._task` field for field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet

from labora.work.models import (
    CATEGORY_COLOUR,
    PRIORITY_NAME,
    ChecklistItem,
    CustomField,
    CustomFieldType,
    Task,
)
from labora.work.services.fields import display_values, emails_by_user_id

COLUMNS = (
    "pk",
    "number",
    "project_id",
    "project__key",
    "version",
    "type",
    "title",
    "description",
    "status__name",
    "status__category",
    "status__colour",
    "priority",
    "assignee__email",
    "reporter__email",
    "parent__number",
    "parent__project__key",
    "start_date",
    "due_date",
    "duration_days",
    "estimate_minutes",
    "estimate_optimistic_minutes",
    "estimate_likely_minutes",
    "estimate_pessimistic_minutes",
    "rollup_estimate_minutes",
    "progress",
    "custom_fields",
    "created_at",
    "updated_at",
    "completed_at",
)


_PROJECT_ID = COLUMNS.index("project_id")
_CUSTOM_FIELDS = COLUMNS.index("custom_fields")


def rows(tasks: QuerySet[Task]) -> QuerySet[Any]:
    """`tasks` (filtered and ordered) as tuples of COLUMNS: one query, no model instances."""
    return tasks.prefetch_related(None).values_list(*COLUMNS)


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def _by_task(pairs: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for task_id, value in pairs:
        out[task_id].append(value)
    return out


def bodies(page: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """TaskOut dicts for rows of COLUMNS, in the same order; at most five queries for any page."""
    if not page:
        return []
    ids = [row[0] for row in page]
    labels = _by_task(
        Task.labels.through.objects.filter(task_id__in=ids, label__deleted_at__isnull=True).values_list(
            "task_id", "label__name"
        )
    )
    collaborators = _by_task(
        Task.collaborators.through.objects.filter(task_id__in=ids).values_list("task_id", "user__email")
    )
    checklist = {
        task_id: (done, total)
        for task_id, done, total in ChecklistItem.objects.filter(task_id__in=ids)
        .order_by()
        .values("task_id")
        .annotate(done=Count("pk", filter=Q(done=True)), total=Count("pk"))
        .values_list("task_id", "done", "total")
    }
    definitions: dict[int, list[CustomField]] = defaultdict(list)
    for field in CustomField.objects.filter(project_id__in={row[_PROJECT_ID] for row in page}).order_by(
        "position", "id"
    ):
        definitions[field.project_id].append(field)
    emails: dict[str, str] = {}
    if definitions:
        emails = emails_by_user_id(
            value
            for row in page
            for field in definitions.get(row[_PROJECT_ID], ())
            if field.type == CustomFieldType.USER
            and isinstance(value := (row[_CUSTOM_FIELDS] or {}).get(field.public_id), str)
        )
    out = []
    for (
        pk,
        number,
        project_id,
        project_key,
        version,
        type_,
        title,
        description,
        status_name,
        category,
        status_colour,
        priority,
        assignee,
        reporter,
        parent_number,
        parent_project,
        start_date,
        due_date,
        duration_days,
        estimate,
        optimistic,
        likely,
        pessimistic,
        rollup,
        progress,
        custom_fields,
        created_at,
        updated_at,
        completed_at,
    ) in page:
        done, total = checklist.get(pk, (0, 0))
        fields = definitions.get(project_id)
        out.append(
            {
                "key": f"{project_key}-{number}",
                "project": project_key,
                "version": version,
                "type": type_,
                "title": title,
                "description": description,
                "status": status_name,
                "category": category,
                "priority": PRIORITY_NAME[priority],
                "assignee": assignee,
                "reporter": reporter,
                "parent": f"{parent_project}-{parent_number}" if parent_number is not None else None,
                "start_date": start_date,
                "due_date": due_date,
                "duration_days": duration_days,
                "estimate_hours": _hours(estimate),
                "estimate_optimistic_hours": _hours(optimistic),
                "estimate_likely_hours": _hours(likely),
                "estimate_pessimistic_hours": _hours(pessimistic),
                "rollup_estimate_hours": _hours(rollup),
                "progress": progress,
                "labels": sorted(labels.get(pk, ())),
                "collaborators": sorted(collaborators.get(pk, ())),
                "custom_fields": display_values(fields, custom_fields, emails) if fields else {},
                "checklist": {"done": done, "total": total},
                "status_colour": status_colour or CATEGORY_COLOUR.get(category, "#7c8190"),
                "created_at": created_at,
                "updated_at": updated_at,
                "completed_at": completed_at,
            }
        )
    return out
