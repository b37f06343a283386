"""Roll-ups: parents carry their subtree's estimate and the done share of its leaf work."""

from __future__ import annotations

from typing import Any

import pytest

from labora.work import services
from labora.work.models import Project, Task
from labora.work.services.rollup import rollup_refresh


@pytest.fixture
def project(user: Any, workspace: Any) -> Project:
    return services.project_create(actor=user, workspace=workspace, key="OPS", name="Operations")


def _make(user: Any, project: Project, title: str, **kwargs: Any) -> Task:
    return services.task_create(actor=user, project=project, title=title, **kwargs)


def _state(task: Task) -> tuple[int | None, int]:
    fresh = Task.all_objects.get(pk=task.pk)
    return fresh.rollup_estimate_minutes, fresh.progress


def test_a_leaf_rolls_up_its_own_estimate(user: Any, project: Project) -> None:
    leaf = _make(user, project, "Leaf", estimate_hours=2)
    assert _state(leaf) == (120, 0)


def test_a_parent_sums_its_childrens_estimates_and_weighs_progress_by_them(user: Any, project: Project) -> None:
    parent = _make(user, project, "Epic", estimate_hours=99)  # a parent's own estimate is not counted
    done = _make(user, project, "Done part", parent=parent.key, estimate_hours=3)
    _make(user, project, "Open part", parent=parent.key, estimate_hours=1)
    assert _state(parent) == (240, 0)

    services.task_update(actor=user, task=done, status="Done")

    assert _state(parent) == (240, 75)
    assert _state(done) == (180, 100)


def test_without_estimates_each_leaf_counts_once_at_any_depth(user: Any, project: Project) -> None:
    epic = _make(user, project, "Epic")
    story = _make(user, project, "Story", parent=epic.key)
    subtasks = [_make(user, project, f"Sub {i}", parent=story.key) for i in range(3)]
    single = _make(user, project, "Single", parent=epic.key)

    services.task_update(actor=user, task=subtasks[0], status="Done")
    services.task_update(actor=user, task=single, status="Done")

    assert _state(story) == (None, 33)
    assert _state(epic) == (None, 50)  # 2 of 4 leaves, not the average of 33 and 100


def test_cancelled_leaves_are_left_out(user: Any, project: Project) -> None:
    parent = _make(user, project, "Parent")
    a = _make(user, project, "A", parent=parent.key, estimate_hours=1)
    b = _make(user, project, "B", parent=parent.key, estimate_hours=5)

    services.task_update(actor=user, task=a, status="Done")
    services.task_update(actor=user, task=b, status="Cancelled")

    assert _state(parent) == (60, 100)


def test_moving_a_subtree_updates_both_the_old_and_the_new_ancestors(user: Any, project: Project) -> None:
    old = _make(user, project, "Old parent")
    new = _make(user, project, "New parent")
    grand = _make(user, project, "Grand parent")
    services.task_update(actor=user, task=new, parent=grand.key)
    child = _make(user, project, "Child", parent=old.key, estimate_hours=4)
    _make(user, project, "Stays", parent=old.key, estimate_hours=1)

    services.task_update(actor=user, task=child, parent=new.key)

    assert _state(old) == (60, 0)
    assert _state(new) == (240, 0)
    assert _state(grand) == (240, 0)


def test_trashing_and_restoring_a_subtask_updates_its_parent(user: Any, project: Project) -> None:
    parent = _make(user, project, "Parent")
    child = _make(user, project, "Child", parent=parent.key, estimate_hours=2)
    finished = _make(user, project, "Finished", parent=parent.key, estimate_hours=2, status="Done")
    assert _state(parent) == (240, 50)

    services.task_delete(actor=user, task=child)
    assert _state(parent) == (120, 100)

    services.task_restore(actor=user, task=Task.all_objects.get(pk=child.pk))
    assert _state(parent) == (240, 50)
    assert _state(finished) == (120, 100)


def test_changing_an_estimate_walks_up_every_ancestor(user: Any, project: Project) -> None:
    top = _make(user, project, "Top")
    middle = _make(user, project, "Middle", parent=top.key)
    leaf = _make(user, project, "Leaf", parent=middle.key, estimate_hours=1)

    services.task_update(actor=user, task=leaf, estimate_hours=6)

    assert _state(middle) == (360, 0)
    assert _state(top) == (360, 0)


def test_a_refresh_of_a_consistent_tree_writes_nothing(
    user: Any, project: Project, django_assert_num_queries: Any
) -> None:
    top = _make(user, project, "Top")
    middle = _make(user, project, "Middle", parent=top.key)
    leaf = _make(user, project, "Leaf", parent=middle.key, estimate_hours=1)

    # Up: leaf, middle, top (3); down: top, its children, theirs, theirs (4); no write.
    with django_assert_num_queries(7):
        assert rollup_refresh([leaf.pk]) == 0
