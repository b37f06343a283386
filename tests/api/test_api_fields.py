"""The task field routes: custom fields and types, checklist, watchers, and the new task fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labora.work import services
from labora.work.models import CustomField
from labora.work.services import fields as field_services
from labora.workspaces.models import Role
from tests import factories

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def project(api: Any, workspace: Any) -> dict[str, Any]:
    response = api.post_json(f"{WS}/projects", {"key": "OPS", "name": "Operations"})
    assert response.status_code == 201, response.content
    return response.json()


def _error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


# --- custom fields -------------------------------------------------------------------------------


def test_fields_are_defined_listed_renamed_reordered_and_deleted(api: Any, project: dict[str, Any]) -> None:
    created = api.post_json(f"{WS}/projects/OPS/fields", {"name": "Severity", "type": "select", "options": ["Low"]})
    assert created.status_code == 201, created.content
    severity = created.json()
    assert {k: severity[k] for k in ("name", "type", "options", "position", "version")} == {
        "name": "Severity",
        "type": "select",
        "options": ["Low"],
        "position": 0,
        "version": 1,
    }
    customer = api.post_json(f"{WS}/projects/OPS/fields", {"name": "Customer", "type": "text"}).json()

    patched = api.patch_json(
        f"{WS}/projects/OPS/fields/{severity['id']}", {"options": ["Low", "High"]}, HTTP_IF_MATCH="1"
    )
    assert patched.status_code == 200
    assert patched.json()["options"] == ["Low", "High"]
    stale = api.patch_json(f"{WS}/projects/OPS/fields/{severity['id']}", {"name": "Sev"}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert stale.json()["current"]["options"] == ["Low", "High"]

    order = api.post_json(f"{WS}/projects/OPS/fields/order", {"fields": [customer["id"], severity["id"]]})
    assert [f["name"] for f in order.json()["items"]] == ["Customer", "Severity"]

    assert api.delete(f"{WS}/projects/OPS/fields/{customer['id']}").status_code == 204
    listed = api.get(f"{WS}/projects/OPS/fields").json()
    assert [f["name"] for f in listed["items"]] == ["Severity"]


def test_a_taken_field_name_answers_409(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/fields", {"name": "Severity", "type": "text"})
    response = api.post_json(f"{WS}/projects/OPS/fields", {"name": "SEVERITY", "type": "number"})
    assert response.status_code == 409
    assert _error(response)["code"] == "name_taken"


def test_custom_field_values_go_in_by_name_and_come_out_by_name(
    api: Any, workspace: Any, project: dict[str, Any]
) -> None:
    member = factories.add_member(workspace).user
    api.post_json(f"{WS}/projects/OPS/fields", {"name": "Points", "type": "number"})
    api.post_json(f"{WS}/projects/OPS/fields", {"name": "Reviewer", "type": "user"})
    created = api.post_json(
        f"{WS}/projects/OPS/tasks", {"title": "T", "custom_fields": {"Points": 3, "Reviewer": member.email}}
    )
    assert created.status_code == 201, created.content
    assert created.json()["custom_fields"] == {"Points": 3, "Reviewer": member.email}

    bad = api.patch_json(f"{WS}/tasks/OPS-1", {"custom_fields": {"Points": "three"}})
    assert bad.status_code == 422
    assert _error(bad)["code"] == "invalid_custom_field"
    assert _error(bad)["fields"] == {"custom_fields.Points": "takes a number, e.g. 3 or 2.5."}

    cleared = api.patch_json(f"{WS}/tasks/OPS-1", {"custom_fields": {"Reviewer": None}})
    assert cleared.json()["custom_fields"] == {"Points": 3}


# --- custom types --------------------------------------------------------------------------------


def test_custom_types_are_managed_and_usable(api: Any, project: dict[str, Any]) -> None:
    assert api.get(f"{WS}/projects/OPS/types").json() == {
        "builtin": ["task", "bug", "milestone", "epic"],
        "custom": [],
        "version": 1,
    }
    refused = api.post_json(f"{WS}/projects/OPS/tasks", {"title": "T", "type": "story"})
    assert refused.status_code == 422
    assert _error(refused)["fields"] == {"type": "unknown type"}

    put = api.put_json(f"{WS}/projects/OPS/types", {"types": ["story"], "version": 1})
    assert put.status_code == 200
    assert put.json()["custom"] == ["story"]
    created = api.post_json(f"{WS}/projects/OPS/tasks", {"title": "T", "type": "story"})
    assert created.json()["type"] == "story"

    stale = api.put_json(f"{WS}/projects/OPS/types", {"types": []}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    in_use = api.put_json(f"{WS}/projects/OPS/types", {"types": []})
    assert in_use.status_code == 422
    assert _error(in_use)["code"] == "type_in_use"


# --- estimates, roll-ups, collaborators ----------------------------------------------------------


def test_three_point_estimates_and_roll_ups_are_in_the_task(api: Any, workspace: Any, project: dict[str, Any]) -> None:
    member = factories.add_member(workspace).user
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Epic", "type": "epic"})
    child = api.post_json(
        f"{WS}/projects/OPS/tasks",
        {
            "title": "Part",
            "parent": "OPS-1",
            "estimate_optimistic_hours": 1,
            "estimate_likely_hours": 2,
            "estimate_pessimistic_hours": 9,
            "collaborators": [member.email],
        },
    ).json()
    assert (child["estimate_hours"], child["rollup_estimate_hours"], child["collaborators"]) == (3, 3, [member.email])
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Done part", "parent": "OPS-1", "estimate_hours": 1})
    api.patch_json(f"{WS}/tasks/OPS-3", {"status": "Done"})
    epic = api.get(f"{WS}/tasks/OPS-1").json()
    assert (epic["rollup_estimate_hours"], epic["progress"]) == (4, 25)

    bad = api.patch_json(f"{WS}/tasks/OPS-2", {"estimate_likely_hours": 10})
    assert bad.status_code == 422
    assert _error(bad)["code"] == "estimate_order"


# --- workflow: colours and required fields -------------------------------------------------------


def test_a_status_can_require_fields_and_have_a_colour(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/fields", {"name": "Root cause", "type": "text"})
    workflow = api.get(f"{WS}/projects/OPS/workflow").json()
    statuses = [
        {
            "id": s["id"],
            "name": s["name"],
            "category": s["category"],
            **({"colour": "#0e7490", "required_fields": ["assignee", "cf:Root cause"]} if s["name"] == "Done" else {}),
        }
        for s in workflow["statuses"]
    ]
    put = api.put_json(f"{WS}/projects/OPS/workflow", {"statuses": statuses, "transitions": []})
    assert put.status_code == 200, put.content
    done = next(s for s in put.json()["statuses"] if s["name"] == "Done")
    assert (done["colour"], done["badge_colour"], done["required_fields"]) == (
        "#0e7490",
        "#0e7490",
        ["assignee", "cf:Root cause"],
    )

    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "T"})
    refused = api.patch_json(f"{WS}/tasks/OPS-1", {"status": "Done"})
    assert refused.status_code == 422
    error = _error(refused)
    assert error["code"] == "required_field_missing"
    assert error["fields"] == {"assignee": "required by 'Done'", "cf:Root cause": "required by 'Done'"}
    assert error["missing"] == ["assignee", "cf:Root cause"]

    owner_email = api.get("/api/v1/me").json()["email"]
    moved = api.patch_json(
        f"{WS}/tasks/OPS-1", {"status": "Done", "assignee": owner_email, "custom_fields": {"Root cause": "DNS"}}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status_colour"] == "#0e7490"


# --- checklist -----------------------------------------------------------------------------------


def test_the_checklist_routes(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "T"})
    ids = [api.post_json(f"{WS}/tasks/OPS-1/checklist", {"text": t}).json()["id"] for t in ("A", "B", "C")]
    ticked = api.patch_json(f"{WS}/tasks/OPS-1/checklist/{ids[1]}", {"done": True}, HTTP_IF_MATCH="1")
    assert ticked.status_code == 200
    assert ticked.json()["done_by"] == api.get("/api/v1/me").json()["email"]
    stale = api.patch_json(f"{WS}/tasks/OPS-1/checklist/{ids[1]}", {"text": "X"}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert stale.json()["current"]["done"] is True

    moved = api.post_json(f"{WS}/tasks/OPS-1/checklist/{ids[2]}/move", {"before": ids[0]})
    assert moved.status_code == 200
    assert api.delete(f"{WS}/tasks/OPS-1/checklist/{ids[0]}").status_code == 204

    listed = api.get(f"{WS}/tasks/OPS-1/checklist").json()
    assert [(i["text"], i["done"]) for i in listed["items"]] == [("C", False), ("B", True)]
    assert (listed["done"], listed["total"]) == (1, 2)
    assert api.get(f"{WS}/tasks/OPS-1").json()["checklist"] == {"done": 1, "total": 2}


def test_an_unknown_checklist_item_answers_404(api: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "T"})
    assert api.patch_json(f"{WS}/tasks/OPS-1/checklist/nope", {"done": True}).status_code == 404


# --- watchers ------------------------------------------------------------------------------------


def test_watchers_routes(api: Any, api_for: Any, user: Any, workspace: Any, project: dict[str, Any]) -> None:
    member = factories.add_member(workspace).user
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "T"})
    assert api.get(f"{WS}/tasks/OPS-1/watchers").json() == {
        "items": [{"email": user.email, "name": user.display_name}],
        "watching": True,
    }
    theirs = api_for(member)
    watched = theirs.post_json(f"{WS}/tasks/OPS-1/watchers/me")
    assert watched.status_code == 200
    assert watched.json()["watching"] is True
    assert theirs.delete(f"{WS}/tasks/OPS-1/watchers/me").json()["watching"] is False

    added = api.post_json(f"{WS}/tasks/OPS-1/watchers", {"email": member.email})
    assert {w["email"] for w in added.json()["items"]} == {user.email, member.email}
    removed = api.delete(f"{WS}/tasks/OPS-1/watchers/{member.email}")
    assert [w["email"] for w in removed.json()["items"]] == [user.email]

    stranger = api.post_json(f"{WS}/tasks/OPS-1/watchers", {"email": "nobody@example.com"})
    assert stranger.status_code == 422


def test_a_guest_cannot_define_fields(api_for: Any, workspace: Any, project: dict[str, Any]) -> None:
    guest = factories.add_member(workspace, role=Role.GUEST).user
    response = api_for(guest).post_json(f"{WS}/projects/OPS/fields", {"name": "X", "type": "text"})
    assert response.status_code in (403, 404)
    assert not CustomField.all_objects.exists()


# --- query counts --------------------------------------------------------------------------------


def test_listing_200_tasks_with_every_field_takes_as_many_queries_as_20(api: Any, user: Any, workspace: Any) -> None:
    members = [factories.add_member(workspace).user for _ in range(3)]
    project = services.project_create(actor=user, workspace=workspace, key="BIG", name="Big")
    field_services.custom_field_create(actor=user, project=project, name="Points", type="number")
    field_services.custom_field_create(actor=user, project=project, name="Reviewer", type="user")
    field_services.custom_field_create(actor=user, project=project, name="Areas", type="multiselect", options=["UI"])

    def fill(n: int) -> None:
        for i in range(n):
            services.task_create(
                actor=user,
                project=project,
                title=f"t{i}",
                assignee=members[i % 3].email,
                labels=["a", f"l{i % 4}"],
                collaborators=[members[(i + 1) % 3].email, members[(i + 2) % 3].email],
                custom_fields={"Points": i, "Reviewer": members[i % 3].email, "Areas": ["UI"]},
            )

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{WS}/projects/BIG/tasks?page_size=200")
        assert response.status_code == 200
        body = response.json()
        assert all(t["custom_fields"]["Reviewer"] in {m.email for m in members} for t in body["items"])
        assert all(len(t["collaborators"]) == 2 for t in body["items"])
        # (a token's last use is stamped at most once a minute: on a slow run, between two lists)
        return len([q for q in ctx.captured_queries if not q["sql"].startswith('UPDATE "accounts_apitoken"')])

    fill(20)
    queries_for_list()  # warm up: the first request of a token also records when it was used
    # token; workspace, membership and project in one; page, its details (labels, collaborators,
    # checklist counts, statuses, people: task_rows._details), field definitions, person fields'
    # e-mails
    assert queries_for_list() == 6
    fill(180)
    assert queries_for_list() == 7  # the page is full now: one COUNT more, nothing per task
