"""The projects, workflow and tasks routes, per API.md."""

from __future__ import annotations

from typing import Any

import pytest

from labora.work import services
from labora.work.models import Task
from labora.workspaces.models import Membership, Role
from tests import factories

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def project(api: Any, workspace: Any) -> dict[str, Any]:
    response = api.post_json(f"{WS}/projects", {"key": "OPS", "name": "Operations", "kind": "ongoing"})
    assert response.status_code == 201, response.content
    return response.json()


def test_creating_a_project_answers_201_with_it(api: Any, workspace: Any) -> None:
    response = api.post_json(
        f"{WS}/projects",
        {"key": "WEB", "name": "Website", "start_date": "2026-01-05", "target_date": "2026-03-31"},
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("key", "name", "kind", "start_date", "target_date", "version", "archived")} == {
        "key": "WEB",
        "name": "Website",
        "kind": "project",
        "start_date": "2026-01-05",
        "target_date": "2026-03-31",
        "version": 1,
        "archived": False,
    }
    listed = api.get(f"{WS}/projects").json()
    assert [p["key"] for p in listed["items"]] == ["WEB"]


def test_a_taken_key_answers_409(api: Any, project: dict[str, Any]) -> None:
    response = api.post_json(f"{WS}/projects", {"key": "OPS", "name": "Again"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "key_taken"


def test_a_stale_if_match_answers_409_with_the_current_project(api: Any, project: dict[str, Any]) -> None:
    assert api.patch_json(f"{WS}/projects/OPS", {"name": "Ops"}, HTTP_IF_MATCH="1").status_code == 200
    stale = api.patch_json(f"{WS}/projects/OPS", {"name": "Stale"}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert stale.json()["current"]["name"] == "Ops"
    assert stale.json()["current"]["version"] == 2


def test_deleting_a_project_hides_it(api: Any, project: dict[str, Any]) -> None:
    assert api.delete(f"{WS}/projects/OPS").status_code == 204
    assert api.get(f"{WS}/projects/OPS").status_code == 404


def test_the_workflow_reads_and_replaces(api: Any, project: dict[str, Any]) -> None:
    workflow = api.get(f"{WS}/projects/OPS/workflow").json()
    assert [s["name"] for s in workflow["statuses"]] == ["New", "In progress", "Waiting", "Done", "Cancelled"]
    assert workflow["transitions"] == []
    response = api.put_json(
        f"{WS}/projects/OPS/workflow",
        {
            "statuses": [
                {"name": "Open", "category": "todo"},
                {"name": "Doing", "category": "in_progress", "wip_limit": 3},
                {"name": "Closed", "category": "done"},
            ],
            "transitions": [{"from": "Open", "to": "Doing"}, {"from": "Doing", "to": "Closed"}],
        },
        HTTP_IF_MATCH=str(workflow["version"]),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(s["name"], s["wip_limit"]) for s in body["statuses"]] == [("Open", None), ("Doing", 3), ("Closed", None)]
    assert body["transitions"] == [{"from": "Open", "to": "Doing"}, {"from": "Doing", "to": "Closed"}]


def test_removing_a_status_in_use_answers_422_naming_it(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Waiting on a vendor", "status": "Waiting"})
    response = api.put_json(
        f"{WS}/projects/OPS/workflow", {"statuses": [{"name": "New", "category": "todo"}], "transitions": []}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "status_in_use"
    assert "'Waiting' is used by 1 task" in response.json()["error"]["message"]


def test_creating_a_task_answers_201_with_every_field(api: Any, user: Any, project: dict[str, Any]) -> None:
    response = api.post_json(
        f"{WS}/projects/OPS/tasks",
        {
            "title": "Renew certificates",
            "description": "Before *Friday*",
            "priority": "high",
            "assignee": user.email,
            "start_date": "2026-02-02",
            "due_date": "2026-02-06",
            "duration_days": 5,
            "estimate_hours": 2.5,
            "labels": ["security", "infra"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    for volatile in ("created_at", "updated_at"):
        assert body.pop(volatile)
    assert body == {
        "key": "OPS-1",
        "project": "OPS",
        "version": 1,
        "type": "task",
        "title": "Renew certificates",
        "description": "Before *Friday*",
        "status": "New",
        "category": "todo",
        "priority": "high",
        "assignee": user.email,
        "reporter": user.email,
        "parent": None,
        "start_date": "2026-02-02",
        "due_date": "2026-02-06",
        "duration_days": 5,
        "estimate_hours": 2.5,
        "estimate_optimistic_hours": None,
        "estimate_likely_hours": None,
        "estimate_pessimistic_hours": None,
        "rollup_estimate_hours": 2.5,
        "progress": 0,
        "labels": ["infra", "security"],
        "collaborators": [],
        "custom_fields": {},
        "checklist": {"done": 0, "total": 0},
        "status_colour": "#7c8190",
        "completed_at": None,
    }
    assert api.get(f"{WS}/tasks/OPS-1").json()["title"] == "Renew certificates"
    assert api.get(f"{WS}/tasks/ops-1").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee": "nobody@example.com"}, "assignee"),
        ({"status": "Nope"}, "status"),
        ({"parent": "OPS-42"}, "parent"),
        ({"start_date": "2026-02-02", "due_date": "2026-02-01"}, "due_date"),
        ({"priority": "whenever"}, "priority"),
    ],
)
def test_bad_task_input_answers_422_naming_the_field(
    api: Any, project: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = api.post_json(f"{WS}/projects/OPS/tasks", {"title": "x", **body})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Task.all_objects.exists()


def test_a_forbidden_move_answers_422_with_the_allowed_targets(api: Any, project: dict[str, Any]) -> None:
    api.put_json(
        f"{WS}/projects/OPS/workflow",
        {
            "statuses": [
                {"name": "New", "category": "todo"},
                {"name": "Done", "category": "done"},
                {"name": "Doing", "category": "in_progress", "wip_limit": 1},
            ],
            "transitions": [{"from": "New", "to": "Doing"}, {"from": "Doing", "to": "Done"}],
        },
    )
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "one"})
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "two"})
    forbidden = api.patch_json(f"{WS}/tasks/OPS-1", {"status": "Done"})
    assert forbidden.status_code == 422
    assert forbidden.json()["error"]["code"] == "transition_not_allowed"
    assert forbidden.json()["error"]["allowed"] == ["Doing"]
    assert api.patch_json(f"{WS}/tasks/OPS-1", {"status": "Doing"}).status_code == 200
    full = api.patch_json(f"{WS}/tasks/OPS-2", {"status": "Doing"})
    assert full.status_code == 422
    assert full.json()["error"]["code"] == "wip_limit_reached"


def test_a_stale_task_write_answers_409_with_the_current_task(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Original"})
    assert api.patch_json(f"{WS}/tasks/OPS-1", {"title": "First", "version": 1}).status_code == 200
    stale = api.patch_json(f"{WS}/tasks/OPS-1", {"title": "Second"}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "First"
    assert stale.json()["current"]["key"] == "OPS-1"


def test_patch_null_clears_a_field(api: Any, user: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "x", "assignee": user.email, "estimate_hours": 1})
    body = api.patch_json(f"{WS}/tasks/OPS-1", {"assignee": None, "estimate_hours": None}).json()
    assert (body["assignee"], body["estimate_hours"], body["version"]) == (None, None, 2)


def test_delete_and_restore_a_task(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Trash me"})
    assert api.delete(f"{WS}/tasks/OPS-1").status_code == 204
    assert api.get(f"{WS}/tasks/OPS-1").status_code == 404
    restored = api.post_json(f"{WS}/tasks/OPS-1/restore")
    assert restored.status_code == 200
    assert restored.json()["key"] == "OPS-1"
    assert api.get(f"{WS}/tasks/OPS-1").status_code == 200


def test_listing_filters_orders_and_queries(api: Any, user: Any, project: dict[str, Any]) -> None:
    for title, priority, labels in [("a", "low", ["bug"]), ("b", "urgent", []), ("c", "medium", ["bug"])]:
        api.post_json(f"{WS}/projects/OPS/tasks", {"title": title, "priority": priority, "labels": labels})
    api.patch_json(f"{WS}/tasks/OPS-2", {"assignee": user.email})

    def keys(query: str) -> list[str]:
        response = api.get(f"{WS}/projects/OPS/tasks?{query}")
        assert response.status_code == 200, response.content
        return [t["key"] for t in response.json()["items"]]

    assert keys("") == ["OPS-1", "OPS-2", "OPS-3"]
    assert keys("order=-priority") == ["OPS-2", "OPS-3", "OPS-1"]
    assert keys("label=bug") == ["OPS-1", "OPS-3"]
    assert keys("assignee=me") == ["OPS-2"]
    assert keys("status=New&q=priority>=medium") == ["OPS-2", "OPS-3"]
    assert keys("q=NOT label:bug") == ["OPS-2"]
    assert keys("page_size=2")[:2] == ["OPS-1", "OPS-2"]


def test_a_bad_query_answers_422_with_the_position(api: Any, project: dict[str, Any]) -> None:
    response = api.get(f"{WS}/projects/OPS/tasks?q=status:open%20AND")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_query"
    assert isinstance(error["position"], int)
    assert "q" in error["fields"]
    bad_order = api.get(f"{WS}/projects/OPS/tasks?order=colour")
    assert bad_order.status_code == 422
    assert "order" in bad_order.json()["error"]["fields"]


def test_another_workspace_sees_nothing(api_for: Any, project: dict[str, Any], api: Any) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "secret"})
    outsider = factories.make_user()
    factories.make_workspace(owner=outsider, slug="other")
    client = api_for(outsider)
    for url in (f"{WS}/projects", f"{WS}/projects/OPS", f"{WS}/tasks/OPS-1", f"{WS}/projects/OPS/tasks"):
        assert client.get(url).status_code == 404
    assert client.get("/api/v1/workspaces/other/tasks/OPS-1").status_code == 404
    assert client.get("/api/v1/workspaces/other/projects/OPS").status_code == 404


def test_a_guest_reads_but_cannot_write(api_for: Any, workspace: Any, project: dict[str, Any], api: Any) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "visible"})
    guest = factories.add_member(workspace, role=Role.GUEST).user
    client = api_for(guest)
    assert client.get(f"{WS}/tasks/OPS-1").status_code == 404  # not shared with them yet
    assert api.post_json(f"{WS}/projects/OPS/members", {"email": guest.email}).status_code == 201  # as viewer
    assert client.get(f"{WS}/tasks/OPS-1").status_code == 200
    assert client.patch_json(f"{WS}/tasks/OPS-1", {"title": "mine"}).status_code == 403
    assert client.post_json(f"{WS}/projects/OPS/tasks", {"title": "mine"}).status_code == 403
    assert client.post_json(f"{WS}/projects", {"key": "GST", "name": "x"}).status_code == 403
    assert Task.objects.get().title == "visible"


def test_listing_two_hundred_tasks_takes_as_many_queries_as_twenty(
    user: Any, workspace: Any, django_assert_num_queries: Any
) -> None:
    from labora.work import selectors
    from labora.work.services import project_create, task_create

    member = factories.add_member(workspace).user
    project = project_create(actor=user, workspace=workspace, key="BIG", name="Big")
    parent = task_create(actor=user, project=project, title="parent")

    def fill(n: int) -> None:
        for i in range(n):
            task_create(
                actor=user,
                project=project,
                title=f"t{i}",
                assignee=member.email,
                parent=parent.key,
                labels=["a", f"l{i % 3}"],
            )

    def count_for_page() -> None:
        tasks = selectors.task_list(
            user=user, workspace=workspace, membership=membership, project=project, q="status:open label:a"
        )
        from labora.work.api import _task

        # the label's id (query_compiler._label), tasks, labels, collaborators, custom field
        # definitions (tests/api/test_api_fields.py adds values)
        [_task(t) for t in selectors.attach_custom_values(list(selectors.with_task_fields(tasks)))]

    membership = Membership.objects.get(workspace=workspace, user=user)  # as pages and the API pass it
    fill(19)
    with django_assert_num_queries(5):
        count_for_page()
    fill(181)
    with django_assert_num_queries(5):
        count_for_page()


def test_the_list_route_takes_a_constant_number_of_queries(api: Any, user: Any, workspace: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = services.project_create(actor=user, workspace=workspace, key="BIG", name="Big")

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{WS}/projects/BIG/tasks?page_size=200&q=status:open")
        assert response.status_code == 200
        # (a token's last use is stamped at most once a minute: on a slow run, between two lists)
        return len([q for q in ctx.captured_queries if not q["sql"].startswith('UPDATE "accounts_apitoken"')])

    for i in range(20):
        services.task_create(actor=user, project=project, title=f"t{i}", labels=["x"])
    queries_for_list()  # the first request of a token also stamps its last use
    # token; workspace, membership and project in one (selectors.project_scope); page, and its
    # details (labels, collaborators, checklist counts, statuses, people: task_rows._details);
    # no field definitions, as no task holds a custom value; a first page that is not full
    # holds every match, so no COUNT
    assert queries_for_list() == 4
    for i in range(180):
        services.task_create(actor=user, project=project, title=f"t{i}", labels=["y"])
    assert queries_for_list() == 5  # a full page: the COUNT too
    for i in range(200):
        services.task_create(actor=user, project=project, title=f"u{i}", labels=["z"])
    assert queries_for_list() == 5
