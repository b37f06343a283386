"""Dependencies: POST/GET/PATCH/DELETE /workspaces/{ws}/tasks/{task_key}/dependencies (API.md "Planning")."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import PermissionDenied, ValidationError
from labora.planning import services
from labora.planning.models import Dependency
from labora.work import services as work_services
from tests import factories
from tests.planning_django.conftest import WS, event_names


def test_a_dependency_is_created_and_listed_from_both_ends(api: Any, make_task: Any) -> None:
    a, b = make_task("Design"), make_task("Build")
    response = api.post_json(f"{WS}/tasks/{b.key}/dependencies", {"predecessor": a.key, "type": "SS", "lag_days": -2})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("predecessor", "successor", "direction", "type", "lag_days", "version")} == {
        "predecessor": "PLN-1",
        "successor": "PLN-2",
        "direction": "predecessor",
        "type": "SS",
        "lag_days": -2,
        "version": 1,
    }
    from_a = api.get(f"{WS}/tasks/{a.key}/dependencies").json()
    assert [(d["successor"], d["direction"]) for d in from_a["items"]] == [("PLN-2", "successor")]
    assert from_a["count"] == 1
    assert api.get(f"{WS}/tasks/{b.key}/dependencies").json()["items"][0]["id"] == body["id"]
    assert "dependency.created" in event_names()


def test_a_dependency_that_closes_a_cycle_answers_422_naming_the_tasks(api: Any, make_task: Any, link: Any) -> None:
    a, b, c, other = make_task("A"), make_task("B"), make_task("C"), make_task("Other")
    link(a, b)
    link(b, c)
    link(other, a)
    before = Dependency.objects.count()
    response = api.post_json(f"{WS}/tasks/{a.key}/dependencies", {"predecessor": c.key})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "dependency_cycle"
    assert sorted(error["cycle"]) == ["PLN-1", "PLN-2", "PLN-3"]
    for key in ("PLN-1", "PLN-2", "PLN-3"):
        assert key in error["message"]
    assert "PLN-4" not in error["cycle"]
    assert Dependency.objects.count() == before


def test_a_link_between_a_summary_and_its_own_subtask_is_a_cycle(api: Any, make_task: Any) -> None:
    parent = make_task("Phase", None)
    child = make_task("Step", 2, parent=parent.key)
    response = api.post_json(f"{WS}/tasks/{child.key}/dependencies", {"predecessor": parent.key})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "dependency_cycle"


def test_self_unknown_and_duplicate_dependencies_are_refused(api: Any, make_task: Any, link: Any) -> None:
    a, b = make_task("A"), make_task("B")
    selfie = api.post_json(f"{WS}/tasks/{a.key}/dependencies", {"predecessor": a.key})
    assert (selfie.status_code, selfie.json()["error"]["code"]) == (422, "self_dependency")
    unknown = api.post_json(f"{WS}/tasks/{a.key}/dependencies", {"predecessor": "PLN-99"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"] == {"predecessor": "unknown task"}
    link(a, b)
    again = api.post_json(f"{WS}/tasks/{b.key}/dependencies", {"predecessor": a.key, "type": "FF"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "dependency_exists"
    assert again.json()["current"]["type"] == "FS"
    bad_type = api.post_json(f"{WS}/tasks/{a.key}/dependencies", {"predecessor": b.key, "type": "XX"})
    assert bad_type.status_code == 422
    assert Dependency.objects.count() == 1


def test_dependencies_link_tasks_of_one_project_and_one_workspace(
    api: Any, user: Any, workspace: Any, make_task: Any
) -> None:
    a = make_task("A")
    other = work_services.project_create(actor=user, workspace=workspace, key="OTH", name="Other")
    foreign_project_task = work_services.task_create(actor=user, project=other, title="X")
    cross = api.post_json(f"{WS}/tasks/{a.key}/dependencies", {"predecessor": foreign_project_task.key})
    assert (cross.status_code, cross.json()["error"]["code"]) == (422, "cross_project_dependency")

    stranger = factories.make_user(email="stranger@example.com")
    elsewhere = factories.make_workspace(owner=stranger, slug="elsewhere")
    far = work_services.project_create(actor=stranger, workspace=elsewhere, key="FAR", name="Far")
    far_task = work_services.task_create(actor=stranger, project=far, title="Far away")
    # a key of another workspace is unknown here
    response = api.post_json(f"{WS}/tasks/{a.key}/dependencies", {"predecessor": far_task.key})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"predecessor": "unknown task"}
    # and another workspace's task cannot be reached at all
    assert (
        api.post_json("/api/v1/workspaces/elsewhere/tasks/FAR-1/dependencies", {"predecessor": "FAR-1"}).status_code
        == 404
    )
    assert Dependency.objects.count() == 0


def test_patch_changes_type_and_lag_and_honours_if_match(api: Any, make_task: Any, link: Any) -> None:
    a, b = make_task("A"), make_task("B")
    dep = link(a, b)
    url = f"{WS}/tasks/{b.key}/dependencies/{dep.public_id}"
    changed = api.patch_json(url, {"type": "FF", "lag_days": 3}, HTTP_IF_MATCH="1")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["type"], changed.json()["lag_days"], changed.json()["version"]) == ("FF", 3, 2)
    stale = api.patch_json(url, {"lag_days": 1}, HTTP_IF_MATCH="1")
    assert stale.status_code == 409
    assert stale.json()["current"]["lag_days"] == 3
    dep.refresh_from_db()
    assert (dep.type, dep.lag_days) == ("FF", 3)
    assert "dependency.updated" in event_names()


def test_delete_removes_the_dependency_from_either_end(api: Any, make_task: Any, link: Any) -> None:
    a, b = make_task("A"), make_task("B")
    dep = link(a, b)
    assert api.delete(f"{WS}/tasks/{a.key}/dependencies/{dep.public_id}").status_code == 204
    assert Dependency.objects.count() == 0
    assert api.delete(f"{WS}/tasks/{a.key}/dependencies/{dep.public_id}").status_code == 404
    assert event_names()[-1] == "dependency.deleted"


def test_a_trashed_task_hides_its_links_until_it_is_restored(user: Any, api: Any, make_task: Any, link: Any) -> None:
    a, b = make_task("A"), make_task("B")
    link(a, b)
    work_services.task_delete(actor=user, task=a)
    assert api.get(f"{WS}/tasks/{b.key}/dependencies").json()["count"] == 0
    work_services.task_restore(actor=user, task=a)
    assert api.get(f"{WS}/tasks/{b.key}/dependencies").json()["count"] == 1


def test_a_viewer_cannot_link_change_or_unlink(viewer: Any, api_for: Any, make_task: Any, link: Any) -> None:
    a, b, c = make_task("A"), make_task("B"), make_task("C")
    dep = link(a, b)
    client = api_for(viewer)
    events_before = event_names()
    assert client.get(f"{WS}/tasks/{b.key}/dependencies").status_code == 200
    assert client.post_json(f"{WS}/tasks/{c.key}/dependencies", {"predecessor": a.key}).status_code == 403
    url = f"{WS}/tasks/{b.key}/dependencies/{dep.public_id}"
    assert client.patch_json(url, {"lag_days": 4}).status_code == 403
    assert client.delete(url).status_code == 403
    dep.refresh_from_db()
    assert (Dependency.objects.count(), dep.lag_days, dep.version) == (1, 0, 1)
    assert event_names() == events_before
    with pytest.raises(PermissionDenied):
        services.dependency_create(actor=viewer, task=c, predecessor=a.key)


def test_a_contributor_may_link_tasks(contributor: Any, make_task: Any) -> None:
    a, b = make_task("A"), make_task("B")
    dep = services.dependency_create(actor=contributor, task=b, predecessor=a.key, lag_days=2)
    assert (dep.predecessor_id, dep.successor_id, dep.lag_days) == (a.pk, b.pk, 2)
    with pytest.raises(ValidationError):
        services.dependency_create(actor=contributor, task=b, predecessor=a.key, lag_days=20_000)


def test_listing_dependencies_costs_the_same_for_2_or_12_links(
    api: Any, make_task: Any, link: Any, django_assert_max_num_queries: Any
) -> None:
    hub = make_task("Hub")
    for i in range(2):
        link(make_task(f"Before {i}"), hub)
    with django_assert_max_num_queries(12) as small:
        assert api.get(f"{WS}/tasks/{hub.key}/dependencies").json()["count"] == 2
    for i in range(10):
        link(hub, make_task(f"After {i}"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(f"{WS}/tasks/{hub.key}/dependencies").json()["count"] == 12
