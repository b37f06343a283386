"""Moving tasks to another project (new keys, statuses by category, subtasks along, all or
none, the old key still found) and board drops that change the assignee or priority."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import selectors, services
from labora.work.models import Project, ProjectMember, ProjectRole, Task, TaskKeyAlias
from labora.work.services import StatusSpec, relocate
from labora.workspaces.models import Role
from tests import factories
from tests.conftest import ApiClient

MOVE = "/api/v1/workspaces/acme/tasks/move-to-project"


@pytest.fixture
def source(user: Any, workspace: Any) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("Inbox", "backlog"), StatusSpec("Doing", "in_progress"), StatusSpec("Shipped", "done")],
        transitions=[],
    )
    return project


@pytest.fixture
def target(user: Any, workspace: Any) -> Project:
    project = services.project_create(actor=user, workspace=workspace, key="WEB", name="Website")
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[
            StatusSpec("To do", "todo"),
            StatusSpec("Building", "in_progress", wip_limit=2),
            StatusSpec("Live", "done"),
        ],
        transitions=[("To do", "Building")],
    )
    return project


def _task(user: Any, project: Project, title: str, **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, **kwargs)


def test_tasks_move_with_new_keys_mapped_statuses_labels_and_subtasks(
    user: Any, workspace: Any, source: Project, target: Project
) -> None:
    _task(user, target, "Already there")  # WEB-1
    parent = _task(user, source, "Redesign", status="Doing", labels=["design"])  # OPS-1
    child = _task(user, source, "Header", parent="OPS-1", status="Shipped")  # OPS-2
    _task(user, source, "Footer", parent="OPS-2")  # OPS-3: a grandchild
    stays = _task(user, source, "Stays")  # OPS-4

    moved = relocate.tasks_move_to_project(actor=user, workspace=workspace, task_keys=["ops-1"], project=target)

    assert [(old, t.key) for old, t in moved] == [("OPS-1", "WEB-2"), ("OPS-2", "WEB-3"), ("OPS-3", "WEB-4")]
    by_key = {t.key: t for t in Task.objects.filter(project=target).select_related("status", "parent__project")}
    assert by_key["WEB-2"].status.name == "Building"  # in_progress -> the first in_progress status
    assert by_key["WEB-3"].status.name == "Live"
    assert by_key["WEB-3"].completed_at is not None
    assert by_key["WEB-4"].status.name == "To do"  # backlog is missing in WEB: the initial status
    assert by_key["WEB-3"].parent.key == "WEB-2"
    assert by_key["WEB-4"].parent.key == "WEB-3"
    assert [label.name for label in by_key["WEB-2"].labels.all()] == ["design"]
    assert Project.objects.get(pk=target.pk).task_counter == 4
    assert Project.objects.get(pk=source.pk).task_counter == 4  # numbers are never reused
    assert Task.objects.get(pk=stays.pk).key == "OPS-4"
    event = DomainEvent.objects.filter(name="task.moved_to_project").order_by("id").first()
    assert event is not None
    assert event.data == {"project": "WEB", "task": "WEB-2", "from_project": "OPS", "from_task": "OPS-1"}
    assert event.changes == {"key": ["OPS-1", "WEB-2"], "project": ["OPS", "WEB"], "status": ["Doing", "Building"]}
    assert DomainEvent.objects.filter(name="task.moved_to_project").count() == 3
    # the old keys still lead to the tasks
    assert selectors.task_get(user=user, workspace=workspace, key="OPS-1").pk == parent.pk
    assert selectors.task_get(user=user, workspace=workspace, key="OPS-2").pk == child.pk
    assert TaskKeyAlias.objects.count() == 3


def test_a_parent_left_behind_is_detached(user: Any, workspace: Any, source: Project, target: Project) -> None:
    _task(user, source, "Epic")
    child = _task(user, source, "Piece", parent="OPS-1")
    relocate.tasks_move_to_project(actor=user, workspace=workspace, task_keys=["OPS-2"], project=target)
    moved = Task.objects.get(pk=child.pk)
    assert (moved.key, moved.parent_id) == ("WEB-1", None)
    event = DomainEvent.objects.get(name="task.moved_to_project")
    assert event.changes["parent"] == ["OPS-1", None]


def test_all_or_none_unknown_key(user: Any, workspace: Any, source: Project, target: Project) -> None:
    _task(user, source, "A")
    with pytest.raises(ValidationError) as error:
        relocate.tasks_move_to_project(actor=user, workspace=workspace, task_keys=["OPS-1", "OPS-9"], project=target)
    assert error.value.code == "unknown_tasks"
    assert Task.objects.get().key == "OPS-1"
    assert Project.objects.get(pk=target.pk).task_counter == 0


def test_all_or_none_past_a_wip_limit(user: Any, workspace: Any, source: Project, target: Project) -> None:
    _task(user, target, "busy", status="Building")
    _task(user, source, "A", status="Doing")
    _task(user, source, "B", status="Doing")
    with pytest.raises(ValidationError) as error:
        relocate.tasks_move_to_project(actor=user, workspace=workspace, task_keys=["OPS-1", "OPS-2"], project=target)
    assert error.value.code == "wip_limit_reached"
    assert sorted(Task.objects.filter(project=source).values_list("number", flat=True)) == [1, 2]
    assert Project.objects.get(pk=target.pk).task_counter == 1
    assert not TaskKeyAlias.objects.exists()
    assert not DomainEvent.objects.filter(name="task.moved_to_project").exists()


def test_moving_into_the_same_project_is_refused(user: Any, workspace: Any, source: Project) -> None:
    _task(user, source, "A")
    with pytest.raises(ValidationError) as error:
        relocate.tasks_move_to_project(actor=user, workspace=workspace, task_keys=["OPS-1"], project=source)
    assert error.value.code == "already_in_project"


def test_a_viewer_of_either_project_cannot_move_tasks(
    workspace: Any, user: Any, source: Project, target: Project
) -> None:
    _task(user, source, "A")
    mia = factories.add_member(workspace, role=Role.MEMBER).user
    ProjectMember.objects.create(project=target, user=mia, role=ProjectRole.VIEWER)
    with pytest.raises(PermissionDenied):
        relocate.tasks_move_to_project(actor=mia, workspace=workspace, task_keys=["OPS-1"], project=target)
    ProjectMember.objects.filter(project=target, user=mia).delete()
    ProjectMember.objects.create(project=source, user=mia, role=ProjectRole.VIEWER)
    with pytest.raises(PermissionDenied):
        relocate.tasks_move_to_project(actor=mia, workspace=workspace, task_keys=["OPS-1"], project=target)
    assert Task.objects.get().key == "OPS-1"
    assert not DomainEvent.objects.filter(name="task.moved_to_project").exists()


def test_api_moves_and_the_old_key_still_answers(api: ApiClient, user: Any, source: Project, target: Project) -> None:
    _task(user, source, "A")
    _task(user, source, "B")
    response = api.post_json(MOVE, {"tasks": ["OPS-2", "OPS-1"], "project": "WEB"})
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(i["old_key"], i["task"]["key"], i["task"]["project"]) for i in items] == [
        ("OPS-2", "WEB-1", "WEB"),
        ("OPS-1", "WEB-2", "WEB"),
    ]
    found = api.get("/api/v1/workspaces/acme/tasks/OPS-1")
    assert found.status_code == 200
    assert found.json()["key"] == "WEB-2"


def test_api_move_to_an_unknown_project_is_404(api: ApiClient, user: Any, source: Project) -> None:
    _task(user, source, "A")
    assert api.post_json(MOVE, {"tasks": ["OPS-1"], "project": "NOPE"}).status_code == 404


def test_api_another_workspace_cannot_move_our_tasks(api_for: Any, user: Any, source: Project, target: Project) -> None:
    _task(user, source, "A")
    stranger = factories.make_user()
    factories.make_workspace(owner=stranger, slug="other")
    assert api_for(stranger).post_json(MOVE, {"tasks": ["OPS-1"], "project": "WEB"}).status_code == 404
    response = api_for(stranger).post_json(
        "/api/v1/workspaces/other/tasks/move-to-project", {"tasks": ["OPS-1"], "project": "WEB"}
    )
    assert response.status_code == 404
    assert Task.objects.get().key == "OPS-1"


# --- board drops -----------------------------------------------------------------------------


def test_a_drop_into_another_lane_reassigns_and_moves_in_one_go(user: Any, workspace: Any, source: Project) -> None:
    mia = factories.add_member(workspace, factories.make_user(email="mia@example.com"), Role.MEMBER).user
    task = _task(user, source, "A", assignee=user.email)
    dropped = relocate.task_drop(actor=user, task=task, status="Doing", assignee=mia.email, version=1)
    assert (dropped.status.name, dropped.assignee, dropped.version) == ("Doing", mia, 3)
    assert set(DomainEvent.objects.filter(target_id=task.public_id).values_list("name", flat=True)) == {
        "task.created",
        "task.updated",
        "task.moved",
    }


def test_a_refused_drop_changes_nothing(user: Any, workspace: Any, target: Project) -> None:
    task = _task(user, target, "A")
    with pytest.raises(ValidationError):
        # To do -> Live is not an allowed transition: neither the priority nor the status change
        relocate.task_drop(actor=user, task=task, status="Live", priority="urgent")
    fresh = Task.objects.select_related("status").get(pk=task.pk)
    assert (fresh.status.name, fresh.priority_name, fresh.version) == ("To do", "none", 1)
