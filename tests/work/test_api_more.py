"""Bulk changes, moves, labels, the trash and project restore over the REST API."""

from __future__ import annotations

from typing import Any

import pytest

from labora.work.models import Label, Task
from tests import factories

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def tasks(api: Any, workspace: Any) -> list[dict[str, Any]]:
    assert api.post_json(f"{WS}/projects", {"key": "OPS", "name": "Operations"}).status_code == 201
    created = []
    for title in ("One", "Two", "Three"):
        response = api.post_json(f"{WS}/projects/OPS/tasks", {"title": title})
        assert response.status_code == 201
        created.append(response.json())
    return created


def _keys_in_order() -> list[str]:
    return [t.key for t in Task.objects.select_related("project").order_by("rank", "id")]


# --- bulk ----------------------------------------------------------------------------------------


def test_a_bulk_change_answers_the_changed_tasks(api: Any, tasks: Any) -> None:
    response = api.post_json(
        f"{WS}/projects/OPS/tasks/bulk",
        {"tasks": ["OPS-1", "OPS-2"], "set": {"priority": "high", "status": "In progress", "labels_add": ["bug"]}},
    )
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(t["key"], t["priority"], t["status"], t["labels"], t["version"]) for t in items] == [
        ("OPS-1", "high", "In progress", ["bug"], 2),
        ("OPS-2", "high", "In progress", ["bug"], 2),
    ]


def test_a_bulk_unassign_and_due_date_clear_use_null(api: Any, tasks: Any, user: Any) -> None:
    api.post_json(
        f"{WS}/projects/OPS/tasks/bulk",
        {"tasks": ["OPS-1"], "set": {"assignee": user.email, "due_date": "2026-12-01"}},
    )
    response = api.post_json(f"{WS}/projects/OPS/tasks/bulk", {"tasks": ["OPS-1"], "set": {"assignee": None}})
    assert response.json()["items"][0]["assignee"] is None
    assert response.json()["items"][0]["due_date"] == "2026-12-01"


def test_an_unknown_key_in_a_bulk_change_answers_422_and_changes_nothing(api: Any, tasks: Any) -> None:
    response = api.post_json(
        f"{WS}/projects/OPS/tasks/bulk", {"tasks": ["OPS-1", "OPS-77"], "set": {"priority": "low"}}
    )
    assert response.status_code == 422
    assert response.json()["error"]["unknown"] == ["OPS-77"]
    assert set(Task.objects.values_list("priority", flat=True)) == {0}


def test_a_refused_task_in_a_bulk_change_is_named(api: Any, tasks: Any) -> None:
    response = api.post_json(f"{WS}/projects/OPS/tasks/bulk", {"tasks": ["OPS-1", "OPS-2"], "set": {"status": "Nope"}})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("OPS-1: ")


def test_more_than_two_hundred_keys_answer_422(api: Any, tasks: Any) -> None:
    keys = [f"OPS-{i}" for i in range(1, 202)]
    response = api.post_json(f"{WS}/projects/OPS/tasks/bulk", {"tasks": keys, "set": {"priority": "low"}})
    assert response.status_code == 422


def test_a_bulk_delete_trashes_them_and_the_trash_lists_them(api: Any, tasks: Any) -> None:
    response = api.post_json(f"{WS}/projects/OPS/tasks/bulk", {"tasks": ["OPS-1", "OPS-3"], "delete": True})
    assert response.status_code == 200
    trash = api.get(f"{WS}/projects/OPS/trash").json()
    assert (trash["count"], sorted(t["key"] for t in trash["items"])) == (2, ["OPS-1", "OPS-3"])
    assert [t["key"] for t in api.get(f"{WS}/projects/OPS/tasks").json()["items"]] == ["OPS-2"]


# --- move ----------------------------------------------------------------------------------------


def test_a_move_answers_the_task_in_its_new_place(api: Any, tasks: Any) -> None:
    response = api.post_json(
        f"{WS}/tasks/OPS-3/move", {"after": "OPS-1", "before": "OPS-2", "status": "In progress", "version": 1}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("In progress", 2)
    assert _keys_in_order() == ["OPS-1", "OPS-3", "OPS-2"]


def test_a_stale_move_answers_409(api: Any, tasks: Any) -> None:
    api.patch_json(f"{WS}/tasks/OPS-3", {"title": "Renamed"})
    response = api.post_json(f"{WS}/tasks/OPS-3/move", {"before": "OPS-1", "version": 1})
    assert response.status_code == 409
    assert _keys_in_order() == ["OPS-1", "OPS-2", "OPS-3"]


def test_a_move_to_an_unknown_status_answers_422(api: Any, tasks: Any) -> None:
    response = api.post_json(f"{WS}/tasks/OPS-3/move", {"before": "OPS-1", "status": "Limbo"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"status": "unknown status"}
    assert _keys_in_order() == ["OPS-1", "OPS-2", "OPS-3"]


def test_a_move_in_another_workspace_answers_404(api: Any, tasks: Any) -> None:
    other = factories.make_workspace(owner=factories.make_user(), slug="other")
    assert other
    response = api.post_json("/api/v1/workspaces/other/tasks/OPS-3/move", {"before": "OPS-1"})
    assert response.status_code == 404


# --- labels --------------------------------------------------------------------------------------


def test_labels_are_created_listed_renamed_and_deleted(api: Any, workspace: Any) -> None:
    created = api.post_json(f"{WS}/labels", {"name": "bug", "colour": "#DC2626"})
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("name", "colour", "version")} == {"name": "bug", "colour": "#dc2626", "version": 1}
    assert [lb["name"] for lb in api.get(f"{WS}/labels").json()["items"]] == ["bug"]
    renamed = api.patch_json(f"{WS}/labels/{body['id']}", {"name": "defect", "version": 1})
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["version"]) == (200, "defect", 2)
    assert api.delete(f"{WS}/labels/{body['id']}").status_code == 204
    assert not Label.all_objects.exists()


def test_a_label_name_is_unique_ignoring_case(api: Any, workspace: Any) -> None:
    api.post_json(f"{WS}/labels", {"name": "Bug"})
    response = api.post_json(f"{WS}/labels", {"name": "bug"})
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"name": "already used"}


@pytest.mark.parametrize("colour", ["red", "#12345", "#gggggg", "123456"])
def test_a_colour_must_be_hex(api: Any, workspace: Any, colour: str) -> None:
    response = api.post_json(f"{WS}/labels", {"name": "x", "colour": colour})
    assert response.status_code == 422
    assert "colour" in response.json()["error"]["fields"]
    assert not Label.objects.exists()


def test_deleting_a_label_takes_it_off_its_tasks(api: Any, tasks: Any) -> None:
    api.patch_json(f"{WS}/tasks/OPS-1", {"labels": ["bug", "ui"]})
    bug = api.get(f"{WS}/labels").json()["items"][0]
    assert api.delete(f"{WS}/labels/{bug['id']}").status_code == 204
    assert api.get(f"{WS}/tasks/OPS-1").json()["labels"] == ["ui"]


def test_a_label_of_another_workspace_answers_404(api: Any, workspace: Any) -> None:
    owner = factories.make_user()
    factories.make_workspace(owner=owner, slug="other")
    theirs = Label.objects.create(workspace_id=factories.make_workspace(owner=owner, slug="third").pk, name="x")
    response = api.patch_json(f"{WS}/labels/{theirs.public_id}", {"name": "mine"})
    assert response.status_code == 404
    assert Label.objects.get().name == "x"


# --- project restore -----------------------------------------------------------------------------


def test_a_trashed_project_can_be_restored(api: Any, tasks: Any) -> None:
    assert api.delete(f"{WS}/projects/OPS").status_code == 204
    response = api.post(f"{WS}/projects/OPS/restore")
    assert response.status_code == 200
    assert response.json()["key"] == "OPS"
    assert api.get(f"{WS}/projects/OPS/tasks").json()["count"] == 3


def test_restoring_a_live_project_answers_422(api: Any, tasks: Any) -> None:
    response = api.post(f"{WS}/projects/OPS/restore")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_in_trash"
