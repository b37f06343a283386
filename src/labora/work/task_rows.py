"""Pages of tasks as API bodies (TaskOut) built straight from rows, for the list routes.

`api._task` turns one Task instance (with its related objects) into a TaskOut dict; for a page
of 50 to 200 tasks that meant ~10 model instances per task (task, project, status, people,
parent, labels, collaborators) and a pydantic validation of every field. Here the page is one
`values_list` query over the columns TaskOut shows (joins for project, status and people), then
one query keyed by the page's ids for labels, collaborators, checklist counts and the parents'
keys (_details), and, only when a row holds custom field values, one for the field definitions
and one for the e-mails of person-type values. Dicts in TaskOut's field order come out;
tests/work/test_task_rows.py checks they equal `api._task` field for field.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from labora.accounts.models import User
from labora.work.models import (
    CATEGORY_COLOUR,
    PRIORITY_NAME,
    ChecklistItem,
    CustomField,
    CustomFieldType,
    Label,
    Project,
    Status,
    Task,
)
from labora.work.services.fields import display_values, emails_by_user_id

COLUMNS = (
    "pk",
    "number",
    "project_id",
    "version",
    "type",
    "title",
    "description",
    "status_id",
    "priority",
    "assignee_id",
    "reporter_id",
    "parent_id",
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
_PARENT_ID = COLUMNS.index("parent_id")
_STATUS_ID = COLUMNS.index("status_id")
_PEOPLE = (COLUMNS.index("assignee_id"), COLUMNS.index("reporter_id"))


def rows(tasks: QuerySet[Task]) -> QuerySet[Any]:
    """`tasks` (filtered and ordered) as tuples of COLUMNS: one query, no model instances."""
    return tasks.prefetch_related(None).values_list(*COLUMNS)


def _instant(value: datetime.datetime | None) -> str | None:
    """A datetime as ninja's encoder (DjangoJSONEncoder) writes it: ISO 8601, milliseconds, `Z`
    for UTC. Done here rather than in the encoder's `default` hook, which costs a Python call
    through two encoder classes per value: a millisecond on a page of 50."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


@dataclass
class _Details:
    """What a page shows beside its rows' own columns: by task id (labels, collaborators,
    checklist counts) or by the id a row holds (projects' and parents' keys, statuses, people)."""

    labels: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    collaborators: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    checklist: dict[int, tuple[int, int]] = field(default_factory=dict)
    parents: dict[int, str] = field(default_factory=dict)  # parent id -> its key
    projects: dict[int, str] = field(default_factory=dict)  # project id -> its key
    statuses: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # name, category, colour
    people: dict[int, str] = field(default_factory=dict)  # user id -> e-mail


_LABEL, _COLLABORATOR, _CHECKLIST, _PARENT, _PROJECT, _STATUS, _PERSON = range(7)


# Each lookup of _details as (kind, id, text, text, text, number, number), up to the id list.
_BRANCHES = {
    _LABEL: "SELECT {kind}, tl.task_id, l.name, '', '', 0, 0 FROM {task_labels} tl JOIN {label} l "
    "ON l.id = tl.label_id WHERE l.deleted_at IS NULL AND tl.task_id",
    _COLLABORATOR: "SELECT {kind}, tc.task_id, u.email, '', '', 0, 0 FROM {task_collaborators} tc "
    "JOIN {user} u ON u.id = tc.user_id WHERE tc.task_id",
    _CHECKLIST: "SELECT {kind}, c.task_id, '', '', '', SUM(CASE WHEN c.done THEN 1 ELSE 0 END), COUNT(*) "
    "FROM {checklist} c WHERE c.deleted_at IS NULL AND c.task_id",
    _PROJECT: "SELECT {kind}, p.id, p.key, '', '', 0, 0 FROM {project} p WHERE p.id",
    _STATUS: "SELECT {kind}, s.id, s.name, s.category, s.colour, 0, 0 FROM {status} s WHERE s.id",
    _PARENT: "SELECT {kind}, t.id, p.key, '', '', t.number, 0 FROM {task} t JOIN {project} p "
    "ON p.id = t.project_id WHERE t.id",
    _PERSON: "SELECT {kind}, u.id, u.email, '', '', 0, 0 FROM {user} u WHERE u.id",
}


def _branch(kind: int, count: int) -> str:
    tables = {
        "task": Task._meta.db_table,
        "task_labels": Task.labels.through._meta.db_table,
        "task_collaborators": Task.collaborators.through._meta.db_table,
        "label": Label._meta.db_table,
        "user": User._meta.db_table,
        "checklist": ChecklistItem._meta.db_table,
        "project": Project._meta.db_table,
        "status": Status._meta.db_table,
    }
    group = " GROUP BY c.task_id" if kind == _CHECKLIST else ""
    # Table names from the models, the ids bound as parameters: on PostgreSQL as one array, which
    # keeps the statement short enough for psycopg to cache its parsing (a statement with one
    # placeholder per id was parsed again on every page: a millisecond).
    ids = "= ANY(%s)" if connection.vendor == "postgresql" else f"IN ({', '.join(['%s'] * count)})"
    return _BRANCHES[kind].format(kind=kind, **tables) + f" {ids}{group}"


def _details(page: Sequence[tuple[Any, ...]]) -> _Details:
    """Everything a page shows that is not a column of its tasks, in one query.

    A UNION ALL of small lookups by primary or foreign key, written as SQL. Built by the ORM
    they were four more queries, each costing more to compile than to run, and the page query
    joined the projects, statuses, people and parents for their names. Those joins made
    PostgreSQL plan for 2-10 ms per page and, with the project joined, pick a plan for
    `label:` lists that visited every labelled task of the workspace (docs/performance.md);
    now the page query joins only what its filter needs. The ids come from the page's rows,
    which are already scoped to the workspace and to what the user may see."""
    ids = [row[0] for row in page]
    parent_ids = {row[_PARENT_ID] for row in page} - {None}
    project_ids = {row[_PROJECT_ID] for row in page}
    status_ids = {row[_STATUS_ID] for row in page}
    person_ids = {row[i] for row in page for i in _PEOPLE} - {None}
    branches = [(_LABEL, ids), (_COLLABORATOR, ids), (_CHECKLIST, ids), (_PROJECT, project_ids), (_STATUS, status_ids)]
    if parent_ids:
        branches.append((_PARENT, parent_ids))
    if person_ids:
        branches.append((_PERSON, person_ids))
    sql = " UNION ALL ".join(_branch(kind, len(values)) for kind, values in branches)
    if connection.vendor == "postgresql":
        params: list[Any] = [list(values) for _, values in branches]
    else:
        params = [value for _, values in branches for value in values]
    out = _Details()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, pk, text, second, third, number, total in cursor.fetchall():
            if kind == _LABEL:
                out.labels[pk].append(text)
            elif kind == _COLLABORATOR:
                out.collaborators[pk].append(text)
            elif kind == _CHECKLIST:
                out.checklist[pk] = (int(number), int(total))
            elif kind == _PROJECT:
                out.projects[pk] = text
            elif kind == _STATUS:
                out.statuses[pk] = (text, second, third)
            elif kind == _PERSON:
                out.people[pk] = text
            else:
                out.parents[pk] = f"{text}-{number}"
    return out


def bodies(page: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """TaskOut dicts for rows of COLUMNS, in the same order; at most three queries for any
    page: its details (_details), and, when a row holds custom field values, the definitions
    of its project's fields and the e-mails of person-type values."""
    if not page:
        return []
    details = _details(page)
    labels, collaborators, checklist, parents = (
        details.labels,
        details.collaborators,
        details.checklist,
        details.parents,
    )
    projects, statuses, people = details.projects, details.statuses, details.people
    definitions: dict[int, list[CustomField]] = defaultdict(list)
    # display_values shows only stored values: without any, the definitions are not needed.
    with_values = {row[_PROJECT_ID] for row in page if row[_CUSTOM_FIELDS]}
    if with_values:
        for custom in CustomField.objects.filter(project_id__in=with_values).order_by("position", "id"):
            definitions[custom.project_id].append(custom)
    emails: dict[str, str] = {}
    if definitions:
        emails = emails_by_user_id(
            value
            for row in page
            for custom in definitions.get(row[_PROJECT_ID], ())
            if custom.type == CustomFieldType.USER
            and isinstance(value := (row[_CUSTOM_FIELDS] or {}).get(custom.public_id), str)
        )
    out = []
    for (
        pk,
        number,
        project_id,
        version,
        type_,
        title,
        description,
        status_id,
        priority,
        assignee_id,
        reporter_id,
        parent_id,
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
        project_key = projects[project_id]
        status_name, category, status_colour = statuses[status_id]
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
                "assignee": people.get(assignee_id) if assignee_id is not None else None,
                "reporter": people.get(reporter_id) if reporter_id is not None else None,
                "parent": parents.get(parent_id) if parent_id is not None else None,
                "start_date": start_date.isoformat() if start_date is not None else None,
                "due_date": due_date.isoformat() if due_date is not None else None,
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
                "created_at": _instant(created_at),
                "updated_at": _instant(updated_at),
                "completed_at": _instant(completed_at),
            }
        )
    return out
