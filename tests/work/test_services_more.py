"""Bulk changes, board moves (ranks, status, WIP, stale versions) and labels."""

from __future__ import annotations

from typing import Any

import pytest

from labora.core.errors import Conflict, PermissionDenied, ValidationError
from labora.core.models import DomainEvent
from labora.work import services
from labora.work.models import Label, Project, ProjectMember, Task
from labora.work.services import StatusSpec
from labora.work.services.tasks import task_bulk_update, task_move
from labora.workspaces.models import Role
from tests import factories


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _make(user: Any, project: Project, n: int, **kwargs: Any) -> list[Task]:
    return [services.task_create(actor=user, project=project, title=f"T{i + 1}", **kwargs) for i in range(n)]


def _order(project: Project) -> list[str]:
    return [t.key for t in Task.objects.filter(project=project).select_related("project").order_by("rank", "id")]


def _state(project: Project) -> list[tuple[str, str, int, str, int]]:
    rows = Task.all_objects.filter(project=project).select_related("status").order_by("number")
    return [(t.title, t.status.name, t.priority, t.rank, t.version) for t in rows]


# --- bulk ----------------------------------------------------------------------------------------


def test_a_bulk_change_applies_to_every_named_task(user: Any, workspace: Any, project: Project) -> None:
    _make(user, project, 3)
    changed = task_bulk_update(
        actor=user, workspace=workspace, task_keys=["OPS-1", "ops-3"], priority="high", labels_add=["bug"]
    )
    assert [t.key for t in changed] == ["OPS-1", "OPS-3"]
    rows = {t.number: (t.priority_name, [lb.name for lb in t.labels.all()]) for t in Task.objects.all()}
    assert rows == {1: ("high", ["bug"]), 2: ("none", []), 3: ("high", ["bug"])}


def test_bulk_labels_are_added_and_removed_keeping_the_others(user: Any, workspace: Any, project: Project) -> None:
    services.task_create(actor=user, project=project, title="A", labels=["bug", "ui"])
    task_bulk_update(
        actor=user, workspace=workspace, task_keys=["OPS-1"], labels_add=["backend"], labels_remove=["BUG"]
    )
    assert sorted(lb.name for lb in Task.objects.get().labels.all()) == ["backend", "ui"]


def test_a_bulk_change_is_all_or_none(user: Any, workspace: Any, project: Project) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress", wip_limit=2)],
        transitions=[],
    )
    _make(user, project, 3)
    before = _state(project)
    with pytest.raises(ValidationError) as err:
        task_bulk_update(actor=user, workspace=workspace, task_keys=["OPS-1", "OPS-2", "OPS-3"], status="Doing")
    assert err.value.code == "wip_limit_reached"
    assert err.value.message.startswith("OPS-3: ")
    assert _state(project) == before


def test_unknown_keys_are_listed_and_nothing_changes(user: Any, workspace: Any, project: Project) -> None:
    _make(user, project, 1)
    before = _state(project)
    with pytest.raises(ValidationError) as err:
        task_bulk_update(actor=user, workspace=workspace, task_keys=["OPS-1", "OPS-9", "NOPE"], priority="low")
    assert err.value.extra == {"unknown": ["OPS-9", "NOPE"]}
    assert "OPS-9, NOPE" in err.value.message
    assert _state(project) == before


def test_bulk_finds_its_tasks_in_one_query_across_projects(
    user: Any, workspace: Any, project: Project, django_assert_num_queries: Any
) -> None:
    from labora.work.services.tasks import _tasks_by_keys

    other = services.project_create(actor=user, workspace=workspace, key="WEB", name="Website")
    _make(user, project, 12)
    _make(user, other, 8)
    keys = [f"OPS-{i}" for i in range(1, 13)] + [f"web-{i}" for i in range(1, 9)] + ["OPS-99"]

    with django_assert_num_queries(1):
        found = _tasks_by_keys(workspace, keys)

    assert sorted(found) == sorted(keys[:-1])
    assert found["web-3"].key == "WEB-3"


def test_a_bulk_change_takes_at_most_two_hundred_tasks(user: Any, workspace: Any, project: Project) -> None:
    with pytest.raises(ValidationError) as err:
        task_bulk_update(actor=user, workspace=workspace, task_keys=[f"OPS-{i}" for i in range(1, 202)], priority="low")
    assert err.value.fields == {"tasks": "too many"}


def test_a_bulk_delete_trashes_every_task(user: Any, workspace: Any, project: Project) -> None:
    _make(user, project, 2)
    task_bulk_update(actor=user, workspace=workspace, task_keys=["OPS-1", "OPS-2"], delete=True)
    assert not Task.objects.exists()
    assert Task.all_objects.count() == 2


def test_a_bulk_change_with_nothing_to_do_is_refused(user: Any, workspace: Any, project: Project) -> None:
    _make(user, project, 1)
    with pytest.raises(ValidationError) as err:
        task_bulk_update(actor=user, workspace=workspace, task_keys=["OPS-1"])
    assert err.value.fields == {"set": "empty"}


def test_bulk_keys_of_another_workspace_are_unknown(user: Any, workspace: Any, project: Project) -> None:
    other_owner = factories.make_user()
    other = factories.make_workspace(owner=other_owner, slug="other")
    services.project_create(actor=other_owner, workspace=other, key="OPS", name="Theirs")
    services.task_create(actor=other_owner, project=Project.objects.get(workspace=other), title="Theirs")
    with pytest.raises(ValidationError) as err:
        task_bulk_update(actor=user, workspace=workspace, task_keys=["OPS-1"], priority="low")
    assert err.value.extra == {"unknown": ["OPS-1"]}


def test_a_guest_cannot_bulk_change(workspace: Any, user: Any, project: Project) -> None:
    _make(user, project, 1)
    guest = factories.add_member(workspace, role=Role.GUEST).user
    with pytest.raises(PermissionDenied):
        task_bulk_update(actor=guest, workspace=workspace, task_keys=["OPS-1"], priority="low")
    assert Task.objects.get().priority == 0


# --- move ----------------------------------------------------------------------------------------


def test_a_move_between_two_tasks_puts_it_there_writing_one_row(
    user: Any, project: Project, django_assert_max_num_queries: Any
) -> None:
    tasks = _make(user, project, 4)
    moved = task_move(actor=user, task=tasks[3], after_key="OPS-1", before_key="OPS-2")
    assert _order(project) == ["OPS-1", "OPS-4", "OPS-2", "OPS-3"]
    assert moved.version == 2
    assert [t.rank for t in Task.objects.exclude(pk=moved.pk).order_by("number")] == [t.rank for t in tasks[:3]]


def test_a_move_to_the_top_and_to_the_bottom(user: Any, project: Project) -> None:
    tasks = _make(user, project, 3)
    task_move(actor=user, task=tasks[2], before_key="OPS-1")
    assert _order(project) == ["OPS-3", "OPS-1", "OPS-2"]
    task_move(actor=user, task=tasks[0], after_key="OPS-2")
    assert _order(project) == ["OPS-3", "OPS-2", "OPS-1"]
    # after OPS-3 only: it lands right after OPS-3, before OPS-2 (not at the very end)
    task_move(actor=user, task=tasks[0], after_key="OPS-3")
    assert _order(project) == ["OPS-3", "OPS-1", "OPS-2"]


def test_a_move_into_another_status_follows_the_workflow_and_records_it(user: Any, project: Project) -> None:
    tasks = _make(user, project, 2)
    moved = task_move(actor=user, task=tasks[1], before_key="OPS-1", status="In progress")
    assert moved.status.name == "In progress"
    assert moved.version == 2
    assert _order(project) == ["OPS-2", "OPS-1"]
    event = DomainEvent.objects.filter(name="task.moved").get()
    assert event.data["status"] == "In progress"
    assert event.data["from_status"] == "To do"
    assert event.data["before"] == "OPS-1"


def test_a_move_past_a_wip_limit_changes_nothing(user: Any, project: Project) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress", wip_limit=1)],
        transitions=[],
    )
    services.task_create(actor=user, project=project, title="Busy", status="Doing")
    task = services.task_create(actor=user, project=project, title="Waiting")
    before = _state(project)
    with pytest.raises(ValidationError) as err:
        task_move(actor=user, task=task, before_key="OPS-1", status="Doing")
    assert err.value.code == "wip_limit_reached"
    assert _state(project) == before
    assert not DomainEvent.objects.filter(name="task.moved").exists()


def test_a_move_the_workflow_forbids_changes_nothing(user: Any, project: Project) -> None:
    services.workflow_replace(
        actor=user,
        project=project,
        statuses=[StatusSpec("To do", "todo"), StatusSpec("Doing", "in_progress"), StatusSpec("Done", "done")],
        transitions=[("To do", "Doing"), ("Doing", "Done")],
    )
    task, _ = _make(user, project, 2)
    before = _state(project)
    with pytest.raises(ValidationError) as err:
        task_move(actor=user, task=task, after_key="OPS-2", status="Done")
    assert err.value.code == "transition_not_allowed"
    assert _state(project) == before


def test_a_stale_move_answers_conflict_and_changes_nothing(user: Any, project: Project) -> None:
    tasks = _make(user, project, 2)
    services.task_update(actor=user, task=tasks[1], title="Renamed")
    before = _state(project)
    with pytest.raises(Conflict):
        task_move(actor=user, task=tasks[1], before_key="OPS-1", version=1)
    assert _state(project) == before


def test_a_neighbour_in_another_project_is_refused(user: Any, workspace: Any, project: Project) -> None:
    other = services.project_create(actor=user, workspace=workspace, key="WEB", name="Web")
    task = _make(user, project, 1)[0]
    services.task_create(actor=user, project=other, title="Elsewhere")
    with pytest.raises(ValidationError) as err:
        task_move(actor=user, task=task, after_key="WEB-1")
    assert err.value.fields == {"after": "in another project"}


def test_a_task_cannot_be_placed_next_to_itself(user: Any, project: Project) -> None:
    task = _make(user, project, 1)[0]
    with pytest.raises(ValidationError) as err:
        task_move(actor=user, task=task, before_key="OPS-1")
    assert err.value.fields == {"before": "the task itself"}


def test_many_moves_into_the_same_gap_keep_the_order(user: Any, project: Project) -> None:
    _make(user, project, 2)
    extra = _make(user, project, 30)
    second = "OPS-2"
    for t in extra:  # each one goes right after OPS-1, in front of the one moved before it
        task_move(actor=user, task=t, after_key="OPS-1", before_key=second)
        second = t.key
    assert _order(project) == ["OPS-1", *[t.key for t in reversed(extra)], "OPS-2"]


def test_a_guest_cannot_move(workspace: Any, user: Any, project: Project) -> None:
    tasks = _make(user, project, 2)
    guest = factories.add_member(workspace, role=Role.GUEST).user
    ProjectMember.objects.create(project=project, user=guest, role="viewer")  # shared with them: read only
    with pytest.raises(PermissionDenied):
        task_move(actor=guest, task=tasks[1], before_key="OPS-1")
    assert _order(project) == ["OPS-1", "OPS-2"]


# --- labels --------------------------------------------------------------------------------------


def _labels() -> list[tuple[str, str]]:
    return list(Label.objects.order_by("name").values_list("name", "colour"))
