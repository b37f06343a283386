"""The list routes' row serialiser (work/task_rows.py) says exactly what api._task says."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from labora.core.api_utils import json_response
from labora.work import selectors, services, task_rows
from labora.work.api import _task
from labora.work.models import Task
from labora.work.services import checklist as checklist_services
from labora.work.services import fields as field_services
from labora.workspaces.models import Membership
from tests import factories

WS = "/api/v1/workspaces/acme"


def _rich_project(user: Any, workspace: Any) -> Any:
    members = [factories.add_member(workspace).user for _ in range(2)]
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    other = services.project_create(actor=user, workspace=workspace, key="WEB", name="Web")
    field_services.custom_field_create(actor=user, project=project, name="Points", type="number")
    field_services.custom_field_create(actor=user, project=project, name="Reviewer", type="user")
    gone = field_services.custom_field_create(actor=user, project=project, name="Gone", type="text")
    epic = services.task_create(actor=user, project=project, title="Epic", type="epic", estimate_hours=1.5)
    rich = services.task_create(
        actor=user,
        project=project,
        title="Rich: ünïcode",
        description="**md**",
        priority="high",
        assignee=members[0].email,
        parent=epic.key,
        start_date="2026-01-05",
        due_date="2026-02-01",
        duration_days=3,
        estimate_optimistic_hours=1,
        estimate_likely_hours=2,
        estimate_pessimistic_hours=6,
        labels=["b", "a"],
        collaborators=[members[1].email, members[0].email],
        custom_fields={"Points": 5, "Reviewer": members[1].email, "Gone": "x"},
    )
    field_services.custom_field_delete(actor=user, field=gone)
    first = checklist_services.checklist_item_add(actor=user, task=rich, text="one")
    checklist_services.checklist_item_add(actor=user, task=rich, text="two")
    checklist_services.checklist_item_update(actor=user, item=first, done=True)
    services.task_create(actor=user, project=other, title="Elsewhere", labels=["c"])
    services.task_create(actor=user, project=project, title="Bare")
    return project


def test_rows_give_the_same_bodies_as_the_single_task_serialiser(user: Any, workspace: Any) -> None:
    _rich_project(user, workspace)
    membership = Membership.objects.get(workspace=workspace, user=user)
    tasks = selectors.task_list(user=user, workspace=workspace, membership=membership, order="key")
    expected = [_task(t) for t in selectors.attach_custom_values(list(selectors.with_task_fields(tasks)))]

    got = task_rows.bodies(list(task_rows.rows(tasks)))

    assert [b["key"] for b in got] == ["OPS-1", "OPS-2", "OPS-3", "WEB-1"]
    # Dates and datetimes come already as the JSON strings ninja's encoder writes.
    assert got == json.loads(json_response(expected).content)
    assert list(got[1]) == list(expected[1])  # TaskOut's field order too
    rich = got[1]
    assert list(rich["custom_fields"]) == ["Points", "Reviewer"]  # the trashed field's value is left out
    assert rich["custom_fields"]["Points"] == 5
    assert rich["custom_fields"]["Reviewer"].endswith("@example.com")
    assert rich["checklist"] == {"done": 1, "total": 2}
    assert rich["labels"] == ["a", "b"]
    assert rich["parent"] == "OPS-1"
    assert rich["start_date"] == "2026-01-05"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", rich["created_at"])
    # and the JSON is what ninja renders for the same values (dates, milliseconds, "Z")
    assert json.loads(json_response(got).content) == json.loads(json_response(expected).content)


def test_a_page_of_rows_takes_at_most_three_queries_whatever_its_size(user: Any, workspace: Any) -> None:
    project = _rich_project(user, workspace)
    for i in range(30):
        parent = "OPS-1" if i % 2 else None
        services.task_create(actor=user, project=project, title=f"t{i}", labels=[f"l{i % 3}"], parent=parent)
    tasks = selectors.task_list(user=user, workspace=workspace, project=project)
    page = list(task_rows.rows(tasks))

    # labels, collaborators, checklist counts and parents' keys; field definitions; person
    # fields' e-mails
    with CaptureQueriesContext(connection) as ctx:
        bodies = task_rows.bodies(page)
    assert len(ctx.captured_queries) == 3
    assert len(bodies) == 33
    assert sum(b["parent"] == "OPS-1" for b in bodies) == 16
    assert task_rows.bodies([]) == []

    # A page whose tasks hold no custom field values needs no definitions: one query.
    plain = [row for row in page if not row[task_rows.COLUMNS.index("custom_fields")]]
    with CaptureQueriesContext(connection) as ctx:
        assert len(task_rows.bodies(plain)) == 32
    assert len(ctx.captured_queries) == 1


def test_a_trashed_parent_still_gives_its_key(user: Any, workspace: Any) -> None:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    epic = services.task_create(actor=user, project=project, title="Epic", type="epic")
    child = services.task_create(actor=user, project=project, title="Child", parent=epic.key)
    services.task_delete(actor=user, task=epic)

    (body,) = task_rows.bodies(list(task_rows.rows(Task.objects.filter(pk=child.pk))))

    assert body["parent"] == "OPS-1"
    assert body["parent"] == _task(Task.objects.select_related("parent__project").get(pk=child.pk))["parent"]


def test_the_list_route_answers_the_same_body_as_the_task_route(api: Any, user: Any, workspace: Any) -> None:
    _rich_project(user, workspace)

    listed = api.get(f"{WS}/projects/OPS/tasks?order=key").json()
    one = api.get(f"{WS}/tasks/OPS-2").json()

    assert listed["count"] == 3
    assert listed["next"] is None
    assert listed["items"][1] == one


def test_instants_are_written_as_ninjas_encoder_writes_them() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from ninja.responses import NinjaJSONEncoder

    for value in (
        datetime(2026, 11, 24, 6, 5, 4, tzinfo=UTC),
        datetime(2026, 11, 24, 6, 5, 4, 123456, tzinfo=UTC),
        datetime(2026, 11, 24, 6, 5, 4, 999, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 24, 6, 5, 4, 500000),
    ):
        assert task_rows._instant(value) == NinjaJSONEncoder().default(value)
    assert task_rows._instant(None) is None
