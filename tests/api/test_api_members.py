"""The project members API and project access through the API (decision 0006)."""

from __future__ import annotations

from typing import Any

import pytest

from labora.work.models import ProjectMember, Task
from labora.workspaces.models import Role
from tests import factories

WS = "/api/v1/workspaces/acme"


@pytest.fixture
def project(api: Any, workspace: Any) -> dict[str, Any]:
    response = api.post_json(f"{WS}/projects", {"key": "OPS", "name": "Operations"})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_new_project_says_how_it_looks_and_the_callers_role(api: Any, workspace: Any) -> None:
    response = api.post_json(
        f"{WS}/projects", {"key": "WEB", "name": "Website", "is_private": True, "colour": "#059669", "icon": "goals"}
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("is_private", "colour", "icon", "my_role")} == {
        "is_private": True,
        "colour": "#059669",
        "icon": "goals",
        "my_role": "manager",
    }
    members = api.get(f"{WS}/projects/WEB/members").json()
    assert [(m["user"]["email"], m["role"], m["workspace_role"]) for m in members["items"]] == [
        ("owner@example.com", "manager", "owner")
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"colour": "blue"}, "colour"), ({"icon": "rocket"}, "icon"), ({"is_private": "yes"}, "is_private")],
)
def test_bad_looks_are_refused(api: Any, project: dict[str, Any], payload: dict[str, Any], field: str) -> None:
    response = api.patch_json(f"{WS}/projects/OPS", payload)
    assert response.status_code == 422
    assert field in str(response.json()["error"])
    assert api.get(f"{WS}/projects/OPS").json()["colour"] == "#4f46e5"


def test_members_are_added_changed_and_removed(api: Any, workspace: Any, project: dict[str, Any]) -> None:
    member = factories.add_member(workspace).user
    guest = factories.add_member(workspace, role=Role.GUEST).user

    added = api.post_json(f"{WS}/projects/OPS/members", {"email": member.email})
    assert added.status_code == 201
    assert added.json()["role"] == "contributor"
    assert api.post_json(f"{WS}/projects/OPS/members", {"email": guest.email}).json()["role"] == "viewer"

    changed = api.patch_json(f"{WS}/projects/OPS/members/{guest.public_id}", {"role": "contributor"})
    assert changed.status_code == 200
    assert changed.json()["role"] == "contributor"
    assert api.delete(f"{WS}/projects/OPS/members/{member.email}").status_code == 204

    listed = api.get(f"{WS}/projects/OPS/members").json()
    assert listed["count"] == 2
    assert {m["user"]["email"]: m["role"] for m in listed["items"]} == {
        "owner@example.com": "manager",
        guest.email: "contributor",
    }


def test_member_errors_say_what_is_wrong(api: Any, workspace: Any, project: dict[str, Any]) -> None:
    stranger = factories.make_user()
    response = api.post_json(f"{WS}/projects/OPS/members", {"email": stranger.email})
    assert response.status_code == 422
    assert "not a member of this workspace" in response.json()["error"]["message"]

    client = factories.add_member(workspace, role=Role.CLIENT).user
    response = api.post_json(f"{WS}/projects/OPS/members", {"email": client.email, "role": "manager"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "role_not_allowed"

    member = factories.add_member(workspace).user
    assert api.post_json(f"{WS}/projects/OPS/members", {"email": member.email}).status_code == 201
    again = api.post_json(f"{WS}/projects/OPS/members", {"email": member.email})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_member"

    assert api.patch_json(f"{WS}/projects/OPS/members/nobody@example.com", {"role": "viewer"}).status_code == 404
    assert api.patch_json(f"{WS}/projects/OPS/members/{member.email}", {"role": "boss"}).status_code == 422
    assert ProjectMember.objects.filter(project__key="OPS").count() == 2


def test_making_private_then_the_last_manager_stays(api: Any, workspace: Any, project: dict[str, Any]) -> None:
    assert api.patch_json(f"{WS}/projects/OPS", {"is_private": True}).json()["is_private"] is True
    response = api.delete(f"{WS}/projects/OPS/members/owner@example.com")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "last_manager"


def test_only_managers_change_members(api: Any, api_for: Any, workspace: Any, project: dict[str, Any]) -> None:
    contributor = factories.add_member(workspace).user
    api.post_json(f"{WS}/projects/OPS/members", {"email": contributor.email})
    other = factories.add_member(workspace).user
    client = api_for(contributor)

    assert client.get(f"{WS}/projects/OPS/members").status_code == 200
    denied = client.post_json(f"{WS}/projects/OPS/members", {"email": other.email})
    assert denied.status_code == 403
    assert "Only managers" in denied.json()["error"]["message"]
    assert client.delete(f"{WS}/projects/OPS/members/owner@example.com").status_code == 403
    assert client.patch_json(f"{WS}/projects/OPS", {"name": "Mine"}).status_code == 403
    assert client.delete(f"{WS}/projects/OPS").status_code == 403
    assert ProjectMember.objects.filter(project__key="OPS").count() == 2


def test_a_private_project_is_not_found_for_others(
    api: Any, api_for: Any, workspace: Any, project: dict[str, Any]
) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Hidden"})
    api.patch_json(f"{WS}/projects/OPS", {"is_private": True})
    member = api_for(factories.add_member(workspace).user)

    assert member.get(f"{WS}/projects").json()["items"] == []
    for url in (
        f"{WS}/projects/OPS",
        f"{WS}/projects/OPS/tasks",
        f"{WS}/projects/OPS/members",
        f"{WS}/projects/OPS/workflow",
        f"{WS}/tasks/OPS-1",
    ):
        assert member.get(url).status_code == 404, url
    assert member.patch_json(f"{WS}/tasks/OPS-1", {"title": "x"}).status_code == 404
    assert member.post_json(f"{WS}/projects/OPS/tasks", {"title": "x"}).status_code == 404
    assert Task.objects.get().title == "Hidden"


def test_a_guest_sees_only_the_shared_project(api: Any, api_for: Any, workspace: Any, project: dict[str, Any]) -> None:
    api.post_json(f"{WS}/projects", {"key": "SHR", "name": "Shared"})
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Internal"})
    api.post_json(f"{WS}/projects/SHR/tasks", {"title": "Theirs"})
    guest = factories.add_member(workspace, role=Role.GUEST).user
    api.post_json(f"{WS}/projects/SHR/members", {"email": guest.email})
    client = api_for(guest)

    projects = client.get(f"{WS}/projects").json()["items"]
    assert [(p["key"], p["my_role"]) for p in projects] == [("SHR", "viewer")]
    assert client.get(f"{WS}/tasks/SHR-1").status_code == 200
    assert client.get(f"{WS}/tasks/OPS-1").status_code == 404
    assert client.get(f"{WS}/projects/OPS/tasks").status_code == 404
    assert client.get(f"{WS}/labels").status_code == 200


def test_a_viewer_reads_but_every_task_write_is_forbidden(
    api: Any, api_for: Any, workspace: Any, project: dict[str, Any]
) -> None:
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "One"})
    api.post_json(f"{WS}/projects/OPS/tasks", {"title": "Two"})
    viewer = factories.add_member(workspace).user
    api.post_json(f"{WS}/projects/OPS/members", {"email": viewer.email, "role": "viewer"})
    client = api_for(viewer)

    assert client.get(f"{WS}/projects/OPS").json()["my_role"] == "viewer"
    assert client.get(f"{WS}/projects/OPS/tasks").json()["count"] == 2
    attempts = [
        client.post_json(f"{WS}/projects/OPS/tasks", {"title": "Mine"}),
        client.patch_json(f"{WS}/tasks/OPS-1", {"title": "Mine"}),
        client.post_json(f"{WS}/tasks/OPS-2/move", {"before": "OPS-1"}),
        client.post_json(f"{WS}/projects/OPS/tasks/bulk", {"tasks": ["OPS-1", "OPS-2"], "set": {"priority": "high"}}),
        client.delete(f"{WS}/tasks/OPS-1"),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    assert "You are a viewer of OPS" in attempts[1].json()["error"]["message"]
    assert sorted(Task.objects.values_list("title", "priority")) == [("One", 0), ("Two", 0)]
